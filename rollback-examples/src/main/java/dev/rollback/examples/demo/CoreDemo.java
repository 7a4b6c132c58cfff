package dev.rollback.examples.demo;

import dev.rollback.core.AppControl;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Retry;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.core.report.IncidentReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole rollback with the core alone: a real application process, a data file with a bad
 * release in it, a backup; stop, capture, restore (approved by a named approver), verify, start.
 * Prints where the journal and the incident report are.
 *
 * <pre>./demo core</pre>
 */
public final class CoreDemo {
    private CoreDemo() {
    }

    /**
     * @param args optional: a work folder (default: a new temporary folder)
     * @throws Exception when the demo cannot set itself up
     */
    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("rollback-demo-");
        Files.createDirectories(work);
        Path data = work.resolve("orders.csv");
        Path backup = work.resolve("backups/orders-2026-11-24.csv");
        Files.createDirectories(backup.getParent());
        Files.writeString(backup, "id,total\n1,10.00\n2,25.50\n3,7.25\n");
        Files.writeString(data, "id,total\n1,NaN\n2,NaN\n");          // what the bad release did
        Path pidFile = work.resolve("app.pid");
        AppProcess app = new AppProcess(pidFile);
        app.start(null);

        // tag::plan[]
        RollbackPlan plan = Rollback.plan("orders-back-to-last-backup")
                .description("Return the orders data to the last good backup after a bad release")
                .phase("Phase 1: prepare", Duration.ofMinutes(5), p -> p
                        .precheck("backup has rows", c -> {
                            long rows = Files.readAllLines(backup).size() - 1;
                            return rows >= 3 ? CheckResult.passed("backup has rows", rows, ">= 3")
                                    : CheckResult.failed("backup has rows", rows, ">= 3", "backup looks incomplete");
                        })
                        .capture("keep the bad data for forensics", c -> OwnerOnlyFiles.copy(data, c.runDirectory().resolve("orders.bad.csv"))))
                .phase("Phase 2: stop application", Duration.ofMinutes(2), p -> p
                        .stopApp(app)
                        .checkpoint("app-stopped"))
                .phase("Phase 3: restore", Duration.ofMinutes(10), p -> p
                        .restore(restoreFile(backup, data))
                        .verify("restored rows", c -> {
                            long rows = Files.readAllLines(data).size() - 1;
                            return rows == 3 ? CheckResult.passed("restored rows", rows, "3")
                                    : CheckResult.failed("restored rows", rows, "3", "row count differs from the backup");
                        })
                        .checkpoint("data-restored"))
                .phase("Phase 4: start and verify", Duration.ofMinutes(5), p -> p
                        .startApp(app)
                        .verify("application is up", c -> app.isRunning() ? CheckResult.passed("application is up", "running", "running")
                                        : CheckResult.failed("application is up", "stopped", "running", "process is not running"),
                                StepOptions.defaults().retry(Retry.times(10).delay(Duration.ofMillis(200)))))
                .build();
        // end::plan[]

        // tag::run[]
        FileJournal journal = FileJournal.in(work.resolve("journal"));
        RunReport report = Rollback.runner()
                .journal(journal)
                .confirmations(Confirmations.autoApprove("demo-approver@example.com"))
                .listener(ConsoleProgress.to(System.out))
                .operator("demo").reason("orders totals became NaN after release 2.3.0")
                .run(plan);
        // end::run[]
        app.stop(null);

        System.out.println();
        System.out.println("Outcome:         " + report.outcome());
        System.out.println("Journal:         " + report.journal());
        System.out.println("Incident report: " + report.runDirectory().resolve(IncidentReport.FILE_NAME));
        System.out.println("Forensics:       " + report.runDirectory());
        System.exit(report.isSuccess() ? 0 : 1);
    }

    /** Restores one file from a backup; destructive, so it asks for approval. */
    private static Step restoreFile(Path backup, Path target) {
        return DescribedStep.of("restore " + target.getFileName() + " from backup",
                StepDescription.of("replace " + target + " with " + backup).param("backup", backup).param("target", target),
                context -> {
                    Path tmp = target.resolveSibling(target.getFileName() + ".restoring");
                    Files.copy(backup, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    context.output("restore.source", backup.toString());
                })
            .destructive(true)
            .confirmationTarget(target.getFileName().toString());
    }

    /** The application: a real child process (a JVM that sleeps), stopped and started for real. */
    private static final class AppProcess implements AppControl {
        private final Path pidFile;
        private Process process;

        AppProcess(Path pidFile) {
            this.pidFile = pidFile;
        }

        @Override
        public String name() {
            return "demo app";
        }

        @Override
        public void stop(StepContext context) throws Exception {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            Files.deleteIfExists(pidFile);
        }

        @Override
        public void start(StepContext context) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "-Xmx16m", "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Files.writeString(pidFile, String.valueOf(process.pid()));
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }
    }

    /** The demo application's main: it runs until it is stopped. */
    public static final class Sleeper {
        private Sleeper() {
        }

        /**
         * @param args none
         * @throws InterruptedException when stopped
         */
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
