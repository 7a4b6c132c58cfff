package dev.rollback.test.internal;

import dev.rollback.core.Confirmations;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.Redactor;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RollbackRunner;
import dev.rollback.core.RunListener;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The program a crash drill starts in a child JVM: builds the plan from the factory class, runs
 * or resumes it with a file journal, and, when told to, stops dead at one point of the run
 * (writing a marker file first) until the parent kills it. Reports the outcome in a properties
 * file. Not public API.
 *
 * <p>Arguments: {@code run|resume FACTORY_CLASS JOURNAL_DIR APPROVER RESULT_FILE [RUN_ID]}.
 * System properties: {@value #BLOCK} ({@code after-step:N}, {@code inside-step:N},
 * {@code after-memory:N:KEY} or {@code after-checkpoint:N}, empty for none) and {@value #MARKER} (the marker file).
 */
public final class CrashDrillChild {
    /** System property naming the point to stop at. */
    public static final String BLOCK = "rollback.drill.block";
    /** System property naming the marker file written at that point. */
    public static final String MARKER = "rollback.drill.marker";
    /** Exit code: the run succeeded. */
    public static final int OK = 0;
    /** Exit code: the run ended but did not succeed. */
    public static final int NOT_SUCCEEDED = 3;
    /** Exit code: the program could not run the plan at all. */
    public static final int BROKEN = 4;
    /** Exit code: wrong arguments. */
    public static final int USAGE = 64;

    private static final Logger LOG = LoggerFactory.getLogger(CrashDrillChild.class);

    private CrashDrillChild() {
    }

    /**
     * @param args see the class description
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String[] args) {
        if (args.length < 5 || !(args[0].equals("run") || args[0].equals("resume")) || args[0].equals("resume") && args.length < 6) {
            LOG.error("usage: run|resume FACTORY_CLASS JOURNAL_DIR APPROVER RESULT_FILE [RUN_ID]");
            return USAGE;
        }
        Path result = Path.of(args[4]);
        Properties out = new Properties();
        try {
            RollbackPlan plan = buildPlan(args[1]);
            out.setProperty("plan", plan.name());
            out.setProperty("fingerprint", plan.fingerprint());
            out.setProperty("steps", String.valueOf(plan.steps().size()));
            for (PlannedStep s : plan.steps()) {
                out.setProperty("step." + s.index() + ".name", s.name());
                out.setProperty("step." + s.index() + ".kind", s.kind().name());
            }
            String block = System.getProperty(BLOCK, "");
            Path marker = Path.of(System.getProperty(MARKER, result + ".marker"));
            RollbackRunner runner = Rollback.runner().journal(FileJournal.in(Path.of(args[2])))
                    .confirmations(Confirmations.autoApprove(args[3])).operator("crash-drill").reason("crash drill");
            if (!block.isEmpty()) {
                runner.listener(new Blocker(block, marker));
            }
            RunReport report = args[0].equals("run") ? runner.run(plan) : runner.resume(plan, args[5]);
            out.setProperty("runId", report.runId());
            out.setProperty("outcome", report.outcome().name());
            report.failureIfAny().ifPresent(f -> out.setProperty("error", "at '" + f.step() + "': " + f.message()));
            write(result, out);
            return report.isSuccess() ? OK : NOT_SUCCEEDED;
        } catch (RuntimeException | Error | ReflectiveOperationException e) {
            out.setProperty("outcome", "BROKEN");
            out.setProperty("error", Redactor.redact(String.valueOf(e instanceof InvocationTargetException ite
                    ? ite.getCause() : e)));
            LOG.error("Crash drill child could not run the plan", e);
            write(result, out);
            return BROKEN;
        }
    }

    @SuppressWarnings("unchecked")
    private static RollbackPlan buildPlan(String factoryClass) throws ReflectiveOperationException {
        Class<?> c = Class.forName(factoryClass);
        Supplier<RollbackPlan> factory = (Supplier<RollbackPlan>) c.getConstructor().newInstance();
        RollbackPlan plan = factory.get();
        if (plan == null) {
            throw new IllegalStateException(factoryClass + ".get() returned null instead of a plan");
        }
        return plan;
    }

    private static void write(Path file, Properties p) {
        try (OutputStream o = Files.newOutputStream(file)) {
            p.store(o, "crash drill child result");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the run dead at one point: writes the marker, then sleeps until killed. */
    private record Blocker(String point, Path marker) implements RunListener {
        @Override
        public void event(RollbackPlan plan, JournalEvent e) {
            boolean here = e instanceof JournalEvent.StepFinished f && point.equals("after-step:" + f.index())
                    || e instanceof JournalEvent.StepStarted s && s.attempt() == 1 && point.equals("inside-step:" + s.index())
                    || e instanceof JournalEvent.CheckpointReached c && point.equals("after-checkpoint:" + c.index())
                    || e instanceof JournalEvent.StepMemory m && point.equals("after-memory:" + m.index() + ":" + m.key());
            if (here) {
                try {
                    Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
                    Files.writeString(tmp, String.valueOf(ProcessHandle.current().pid()));
                    Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
                    Thread.sleep(Long.MAX_VALUE);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
