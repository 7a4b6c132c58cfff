package dev.rollback.mongo.internal;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.MongoToolException;
import dev.rollback.process.Command;
import dev.rollback.process.CommandFailedException;
import dev.rollback.process.CommandTimeoutException;
import dev.rollback.process.CommandResult;
import dev.rollback.process.ExecutableNotFoundException;
import dev.rollback.process.StepProcesses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs {@code mongodump} or {@code mongorestore} through the process module's {@link Command}
 * (an argument list, no shell). The connection string, which may hold a password, goes to a YAML
 * {@code --config} file readable by the owner only, never onto the command line, where
 * {@code ps} would show it; the file is deleted when the tool exits. The tool dies with the runner
 * (the process module's parent-death signal); where that signal is not available, a later attempt of
 * the same step first kills what the killed attempt left running, so that two tools never write the
 * same target.
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
     * Runs the tool and waits for it; its output lines are reported as progress.
     *
     * @param executable  the tool
     * @param args        its arguments (no secrets)
     * @param uri         the connection string, written to the config file only
     * @param context     the running step's context; the config file goes to its run folder
     * @param stateIfFail the state left behind if the tool fails
     * @return the tool's result
     */
    public static CommandResult run(String executable, List<String> args, String uri, StepContext context, String stateIfFail) {
        String tool = Path.of(executable).getFileName().toString();
        Path workDir = context.runDirectory();
        Path config = workDir.resolve("." + tool + "-" + UUID.randomUUID() + ".yaml");
        List<String> argv = new ArrayList<>();
        argv.add(executable);
        argv.add("--config=" + config);
        argv.addAll(args);
        List<String> killed = StepProcesses.killLeftovers(context);
        if (!killed.isEmpty()) {
            LOG.warn("Killed {}, left running by an earlier attempt of step '{}' that was killed", killed, context.stepName());
            context.progress("killed " + String.join(", ", killed) + ", left running by an earlier attempt of this step that was killed"
                    + " (it would have kept writing where this attempt writes)");
        }
        try {
            OwnerOnlyFiles.createFile(config);
            OwnerOnlyFiles.writeString(config, "uri: \"" + uri.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
            return Command.of(argv).named(tool).run(context);
        } catch (ExecutableNotFoundException e) {
            throw new MongoToolException(tool + " was not found (" + e.getMessage() + "). Nothing was changed. "
                    + "Fix: install the MongoDB Database Tools, give the executable's path, or restore through the driver "
                    + "(the default, no tools needed).", e);
        } catch (CommandFailedException | CommandTimeoutException e) {
            throw new MongoToolException(tool + " failed: " + e.getMessage() + " " + stateIfFail + ".", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the " + tool + " config file in " + workDir + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(config);
            } catch (IOException e) {
                LOG.warn("Could not delete the tool config file {}; delete it by hand, it holds the connection string", config);
            }
        }
    }
}
