package dev.rollback.postgres;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The password never reaches the tools' command lines ({@code /proc/<pid>/cmdline}), the journal,
 * the logs, the report or exception messages. The tools are wrapped by scripts that record their
 * own {@code /proc/$$/cmdline} and whether {@code PGPASSWORD} is set, then exec the real tool
 * (which keeps the same argument list).
 */
class SecretsIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    @Test
    void passwordIsInNoCommandLineJournalLogReportOrError() throws Exception {
        String password = TestServer.password().reveal();
        String db = TestServer.createDatabase("secret");
        TestServer.seedCrm(db, 50, 2);
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path calls = tmp.resolve("calls.log");
        for (String tool : List.of("pg_dump", "pg_restore", "psql")) {
            Path real = PgToolsAccess.realTool(tool);
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\n"
                    + "{ tr '\\0' ' ' < /proc/$$/cmdline; echo; if [ -n \"$PGPASSWORD\" ]; then echo \"PGPASSWORD is set\"; fi; } >> '" + calls + "'\n"
                    + "exec '" + real + "' \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        Postgres pg = TestServer.postgres(db).toolDirectory(bin);
        Path dump = tmp.resolve("secret.dump");
        Path journal = tmp.resolve("journal");
        RollbackPlan plan = Rollback.plan("secret-plan")
                .precheck(pg.canConnect())
                .precheck(pg.toolsMatchServer())
                .capture(pg.dump(dump))
                .precheck(pg.backupReadable(dump))
                .restore(pg.restore(dump).jobs(2))
                .verify(pg.rowCountsMatch(RowCountManifest.forDump(dump)))
                .restore(pg.restore(tmp.resolve("missing.dump")), dev.rollback.core.StepOptions.defaults().name("restore missing"))
                .build();
        assertThat(plan.toString()).doesNotContain(password);

        PrintStream original = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        RunReport report;
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            report = Rollback.runner().journal(FileJournal.in(journal)).confirmations(Confirmations.autoApprove("tester")).run(plan);
        } finally {
            System.setErr(original);
        }

        // the plan ran: dump and restore with the real tools, then the deliberately failing step
        assertThat(report.steps().get(4).status()).isEqualTo(dev.rollback.core.StepResult.Status.SUCCEEDED);
        assertThat(report.failure().step()).isEqualTo("restore missing");
        String recorded = Files.readString(calls);
        assertThat(recorded).contains("pg_dump --format=custom").contains("pg_restore --exit-on-error --jobs=2").contains("PGPASSWORD is set")
                .doesNotContain(password);
        String logText = logs.toString(StandardCharsets.UTF_8);
        assertThat(logText).contains("pg_restore").doesNotContain(password);
        try (Stream<Path> files = Files.walk(journal)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("journal file %s", f).doesNotContain(password);
            }
        }
        try (Stream<Path> files = Files.walk(report.runDirectory())) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".dump")).toList()) {
                assertThat(Files.readString(f)).as("run file %s", f).doesNotContain(password);
            }
        }
        assertThat(report.toString()).doesNotContain(password);
        assertThat(pg.toString()).doesNotContain(password);
        assertThat(pg.restore(dump).describe().toString()).doesNotContain(password);
    }

    @Test
    void passwordFileModeHandsTheToolsA0600FileThatIsDeletedAfterwards() throws Exception {
        String password = TestServer.password().reveal();
        String db = TestServer.createDatabase("passfile");
        TestServer.seedCrm(db, 20, 1);
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path calls = tmp.resolve("calls.log");
        for (String tool : List.of("pg_dump", "pg_restore")) {
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\n"
                    + "case \"$1\" in --version|--list) ;; *) { tr '\\0' ' ' < /proc/$$/cmdline; echo; "
                    + "echo \"PGPASSWORD=${PGPASSWORD:-unset} PGPASSFILE=$PGPASSFILE mode=$(stat -c %a \"$PGPASSFILE\")\"; } >> '" + calls + "';; esac\n"
                    + "exec '" + PgToolsAccess.realTool(tool) + "' \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        Postgres pg = TestServer.postgres(db).toolDirectory(bin).passwordFile();
        Path dump = tmp.resolve("pf.dump");

        Plans.step(pg.dump(dump));
        TestServer.execute(db, "DELETE FROM orders");
        Plans.step(pg.restore(dump));

        assertThat(TestServer.queryLong(db, "SELECT count(*) FROM orders")).isEqualTo(20);
        List<String> lines = Files.readAllLines(calls);
        List<String> env = lines.stream().filter(l -> l.startsWith("PGPASSWORD=")).toList();
        assertThat(env).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("PGPASSWORD=unset PGPASSFILE=/").endsWith("mode=600"));
        assertThat(String.join("\n", lines)).doesNotContain(password);
        for (String l : env) {
            Path file = Path.of(l.substring(l.indexOf("PGPASSFILE=") + 11, l.indexOf(" mode=")));
            assertThat(file).doesNotExist();
        }
    }
}
