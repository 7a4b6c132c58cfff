package dev.rollback.examples.seeds;

import dev.rollback.core.RollbackPlan;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.RollbackCommand;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Runs a seed program's main logic in the test JVM, and the git CLI for cross-checks. */
final class SeedDrills {
    private SeedDrills() {
    }

    /** What a program run printed and returned. */
    record Result(int exit, String out, String err) {
        /** @return the incident report the program printed the path of */
        Path incidentReport() {
            return out.lines().filter(l -> l.startsWith("Incident report: ")).map(l -> Path.of(l.substring("Incident report: ".length())))
                    .findFirst().orElseThrow(() -> new AssertionError("no incident report printed; out:\n" + out + "\nerr:\n" + err));
        }

        /** @return everything printed, for failure messages */
        String all() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    static Result run(String program, Map<String, String> env, String stdin, List<String> args,
                      Function<CommandLineOptions, RollbackPlan> plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RollbackCommand.named(program)
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
                .environment(env)
                .execute(args.toArray(new String[0]), plan);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the git CLI and returns its trimmed standard output; fails the test on a non-zero exit. */
    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
            }
            return text.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a lab's folder after its drills. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return every file under a folder, as text, for "the secret is nowhere" checks */
    static String allText(Path root) {
        if (!Files.exists(root)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (var s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                b.append("== ").append(f).append('\n').append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }
}
