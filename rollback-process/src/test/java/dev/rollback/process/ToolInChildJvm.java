package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import java.nio.file.Path;

/**
 * A runner in a child JVM for {@link ChildToolsDieWithRunnerIT}: runs one long command for a step
 * of a run until the test kills this JVM with SIGKILL.
 * Arguments: {@code RUN_DIR RUN_ID STEP_NAME EXECUTABLE [ARGS...]}.
 */
public final class ToolInChildJvm {
    private ToolInChildJvm() {
    }

    /**
     * @param args see the class description
     */
    public static void main(String[] args) {
        TestStepContext ctx = TestStepContext.in(Path.of(args[0])).runId(args[1]).stepName(args[2]);
        Command.of(java.util.Arrays.asList(args).subList(3, args.length)).runAnyExit(ctx);
    }
}
