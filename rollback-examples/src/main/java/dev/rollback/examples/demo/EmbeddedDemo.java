package dev.rollback.examples.demo;

import dev.rollback.core.Approver;
import dev.rollback.core.Confirmations;
import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.examples.lab.Lab;
import dev.rollback.examples.lab.NextcrmLab;
import dev.rollback.examples.seeds.Seed000NextcrmBackToMongo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded demo: seed 000 ("return NextCRM from PostgreSQL to the last MongoDB backup") run for
 * real against an embedded PostgreSQL, an in-process MongoDB server, a git checkout with a bad
 * release and the application as its own process behind a stand-in {@code systemctl} — with console
 * progress, approved by a named approver. Needs only a JDK and Maven.
 *
 * <pre>./demo</pre>
 */
public final class EmbeddedDemo {
    private EmbeddedDemo() {
    }

    /**
     * @param args optional work folder (default: a new temporary folder); optional documents per collection (3000)
     * @throws Exception when the lab cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("rollback-demo-");
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        System.exit(run(work, scale, System.out));
    }

    /**
     * Sets up the lab in {@code work}, runs seed 000's plan against it and prints the console and a summary.
     *
     * @param work the lab's folder
     * @param scale documents per collection
     * @param out where the console goes
     * @return the exit status: 0 when the rollback succeeded, 1 otherwise
     * @throws Exception when the lab cannot be set up
     */
    public static int run(Path work, int scale, PrintStream out) throws Exception {
        try (Lab lab = Lab.in(work)) {
            out.println("Setting up the lab in " + work + " ...");
            long t0 = System.nanoTime();
            NextcrmLab.Setup setup = NextcrmLab.prepare(lab, scale);
            // The broken release has logged its errors, as a real one would; the forensics copy that log.
            Path appLog = setup.settings().appLog();
            Files.createDirectories(appLog.getParent());
            Files.writeString(appLog, "2026-11-25 03:01:14 UTC ERROR PrismaClientKnownRequestError: crm_accounts.annual_revenue is null\n");
            out.printf("  PostgreSQL %s (embedded), MongoDB %s (in-process), app %s (its own process, systemctl stand-in)%n",
                    lab.postgres().hostPort(), lab.mongo().uri(), lab.appUrl());
            out.println("  latest MongoDB backup: " + setup.backupCounts() + " documents per collection");
            out.println(setup.settings().postgresTools()
                    ? "  pg_dump / pg_restore found: forensics take a schema dump"
                    : "  pg_dump / pg_restore not installed: forensics take a template snapshot instead");
            out.printf("  ready in %.1f s%n%n", (System.nanoTime() - t0) / 1e9);

            RollbackPlan plan = Seed000NextcrmBackToMongo.plan(setup.settings());
            FileJournal journal = FileJournal.in(work.resolve("journal"));
            // tag::run[]
            RunReport report = Rollback.runner()
                    .journal(journal)
                    .confirmations(Confirmations.approvers(List.of(              // the runbook: Migration Lead + DBA, or CTO
                            new Approver("lead@example.com", "Migration Lead"), new Approver("dba@example.com", "DBA"))))
                    .listener(ConsoleProgress.to(out))
                    .operator("demo")
                    .reason("crm_accounts.annual_revenue wiped by migration 2026_11_24_2 (demo)")
                    .run(plan);
            // end::run[]

            out.println();
            out.println("Outcome:         " + report.outcome());
            out.println("Data-loss window: " + report.outputs().getOrDefault("postgres.dataLoss.total", "?")
                    + " rows written to PostgreSQL after the backup (expected " + setup.lostRows() + ")");
            out.println("Journal:         " + report.journal());
            out.println("Incident report: " + report.runDirectory().resolve(IncidentReport.FILE_NAME));
            out.println("Forensics:       " + report.runDirectory());
            return report.isSuccess() ? 0 : 1;
        }
    }
}
