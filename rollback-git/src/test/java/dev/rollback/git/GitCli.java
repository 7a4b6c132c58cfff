package dev.rollback.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real git CLI (no shell) to set up repositories and cross-check what the library did. */
public final class GitCli {
    private GitCli() {
    }

    /** The result of one git invocation. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** @return stdout without the trailing newline */
        public String out() {
            return stdout.strip();
        }
    }

    /**
     * Runs git in a folder and fails on a non-zero exit.
     *
     * @param dir  the folder
     * @param args the arguments after "git"
     * @return stdout, stripped
     */
    public static String git(Path dir, String... args) {
        Result r = tryGit(dir, args);
        if (r.exitCode != 0) {
            throw new AssertionError("git " + String.join(" ", args) + " failed in " + dir + " (" + r.exitCode + "): " + r.stderr + r.stdout);
        }
        return r.out();
    }

    /**
     * Runs git in a folder.
     *
     * @param dir  the folder
     * @param args the arguments after "git"
     * @return exit code and output
     */
    public static Result tryGit(Path dir, String... args) {
        List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "advice.detachedHead=false"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("LC_ALL", "C");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[][] outs = new byte[2][];
            Thread err = new Thread(() -> outs[1] = readAll(p.getErrorStream()));
            err.start();
            outs[0] = readAll(p.getInputStream());
            int code = p.waitFor();
            err.join();
            return new Result(code, new String(outs[0], StandardCharsets.UTF_8), new String(outs[1], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("could not run git", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
