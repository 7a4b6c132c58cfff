package dev.rollback.postgres;

import dev.rollback.core.FailurePolicy;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.test.SecretLeakCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords in database URLs through a real run against the real server: URLs with a wrong password
 * (the server refuses the login) and malformed URLs (refused by the parser inside a step). Neither the
 * journal, the incident report nor the SLF4J log lines hold any part of a password.
 */
class UrlRedactionIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static final long SEED = 15_2027L;

    @TempDir
    Path tmp;

    @Test
    void refusedLoginsAndMalformedUrlsLeaveNoPasswordInTheJournalTheReportOrTheLog() throws Exception {
        TestServer.requirePasswordAuthentication();
        String db = TestServer.createDatabase("urls");
        String hostPort = TestServer.url(db).substring("jdbc:postgresql://".length(), TestServer.url(db).lastIndexOf('/'));
        List<SecretLeakCases.Case> cases = new ArrayList<>();
        PlanBuilder plan = Rollback.plan("url-redaction");
        int n = 0;
        // wrong passwords of every shape, percent-encoded in the libpq form and in ?password=
        for (SecretLeakCases.Case c : SecretLeakCases.databaseUrls(SEED, 40)) {
            String pw = URLEncoder.encode(c.password(), StandardCharsets.UTF_8);
            String url = n % 2 == 0 ? "postgresql://" + TestServer.user() + ":" + pw + "@" + hostPort + "/" + db
                    : "jdbc:postgresql://" + hostPort + "/" + db + "?user=" + TestServer.user() + "&password=" + pw;
            cases.add(new SecretLeakCases.Case("wrong password", url, c.password(), c.chunks()));
            plan.verify(Postgres.at(url).canConnect(), StepOptions.defaults().name("login " + n++).onFailure(FailurePolicy.CONTINUE));
        }
        // malformed URLs, parsed inside a step as a plan that reads DATABASE_URL late would
        for (SecretLeakCases.Case c : SecretLeakCases.databaseUrls(SEED + 1, 200)) {
            cases.add(c);
            plan.step("parse " + n++, ctx -> ctx.progress("connecting to " + Postgres.at(c.text())),
                    StepOptions.defaults().onFailure(FailurePolicy.CONTINUE));
        }
        RollbackPlan built = plan.build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        RunReport report;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            report = Rollback.runner().journal(journal).run(built);
        } finally {
            System.setErr(stderr);
        }

        String journalText = Files.readString(journal.file(built.name(), report.runId()));
        String reportText = Files.readString(report.runDirectory().resolve(IncidentReport.FILE_NAME));
        String logText = log.toString(StandardCharsets.UTF_8);
        assertThat(journalText).contains("password authentication failed");   // the server really refused the logins
        assertThat(reportText).contains("login 39").contains("parse " + (n - 1));
        List<String> leaks = new ArrayList<>();
        for (SecretLeakCases.Case c : cases) {
            if (c.leaksIn(journalText) || c.leaksIn(reportText) || c.leaksIn(logText) || c.leaksIn(report.toString())) {
                leaks.add(c.toString());
            }
        }
        assertThat(leaks).isEmpty();
    }
}
