package dev.rollback.mongo.internal;

import dev.rollback.core.Redactor;
import dev.rollback.mongo.MongoToolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs {@code mongodump} or {@code mongorestore} as an argument list (no shell). The connection
 * string, which may hold a password, goes to a YAML {@code --config} file readable by the owner
 * only, never onto the command line; the file is deleted when the tool exits.
 */
public final class ToolRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ToolRunner.class);
    /** What stands for the config file in rendered commands. */
    public static final String CONFIG_PLACEHOLDER = "--config=<0600 file holding the uri>";

    private ToolRunner() {
    }

    /**
     * @param executable the tool, a name looked up on PATH or a path
     * @param args       the arguments after {@code --config}
     * @return the argument list as rendered for dry runs
     */
    public static List<String> rendered(String executable, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(executable);
        argv.add(CONFIG_PLACEHOLDER);
        argv.addAll(args);
        return argv;
    }

    /**
     * Runs the tool and waits for it.
     *
     * @param executable the tool
     * @param args       its arguments (no secrets)
     * @param uri        the connection string, written to the config file only
     * @param workDir    where the config file and the tool's log go
     * @param stateIfFail the state left behind if the tool fails
     * @return the tool's log file
     */
    public static Path run(String executable, List<String> args, String uri, Path workDir, String stateIfFail) {
        String tool = Path.of(executable).getFileName().toString();
        Path config = workDir.resolve("." + tool + "-" + UUID.randomUUID() + ".yaml");
        Path log = workDir.resolve(tool + ".log");
        List<String> argv = new ArrayList<>();
        argv.add(executable);
        argv.add("--config=" + config);
        argv.addAll(args);
        String shown = String.join(" ", rendered(executable, args));
        try {
            Files.createDirectories(workDir);
            try {
                Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(config);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalStateException("config file name collision: " + config, e);
            }
            Files.writeString(config, "uri: \"" + uri.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n", StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
            LOG.info("Running {}", Redactor.redact(shown));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new MongoToolException(tool + " could not be started (" + e.getMessage() + "). Nothing was changed. "
                        + "Fix: install the MongoDB Database Tools, give the executable's path, or use the driver (the default, no tools needed).", e);
            }
            int exit;
            try {
                exit = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new MongoToolException(tool + " was interrupted and killed. " + stateIfFail + ". Its output is in " + log + ".", e);
            }
            if (exit != 0) {
                throw new MongoToolException(tool + " exited with code " + exit + ": `" + shown + "`. " + stateIfFail
                        + ". Last output lines: " + tail(log) + " Full output: " + log + ".", null);
            }
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + tool + " in " + workDir + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(config);
            } catch (IOException e) {
                LOG.warn("Could not delete the tool config file {}; delete it by hand, it holds the connection string", config);
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return Redactor.redact(String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
