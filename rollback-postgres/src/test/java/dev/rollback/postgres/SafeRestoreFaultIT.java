package dev.rollback.postgres;

import dev.rollback.core.CheckResult;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.process.StepProcesses;
import dev.rollback.test.TestStepContext;
import dev.rollback.test.internal.ChildJvm;
import dev.rollback.test.internal.CrashDrillChild;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19's fault-injection suite: a TCP proxy between the runner (a child JVM) and PostgreSQL
 * stops the conversation at the worst instants of a safe restore — the swap's first and second
 * rename, each either sent (the server renamed, the runner never heard) or in flight (the server
 * never got it), and pg_restore's first {@code COPY} — and the test SIGKILLs the runner there. A
 * new JVM then resumes the run, for a plan with and one without a checkpoint before the restore.
 * Every case must end with: the live database holding the backup; the kept original holding the
 * data from before the run, allowing connections and named in the incident report; no other copy
 * (no second {@code _before_}, no {@code _rollback_} left); the forensic dump holding the data from
 * before the run; no tool left running after the kill; and, while the run is stopped inside the
 * swap, a connection error that explains it and says to resume.
 */
class SafeRestoreFaultIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static final int PRE_RUN_ROWS = 50;
    private static final int BACKUP_ROWS = 30;
    private static WireFaultProxy proxy;
    private static Path backup;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;


    @BeforeAll
    static void backupAndProxy() throws Exception {
        String source = TestServer.createDatabase("faultsrc");
        TestServer.execute(source, "CREATE TABLE items (id int PRIMARY KEY, state text NOT NULL);"
                + "INSERT INTO items SELECT g, 'backup' FROM generate_series(1, " + BACKUP_ROWS + ") g");
        backup = shared.resolve("backup.dump");
        Plans.step(TestServer.postgres(source).dump(backup));
        String[] hp = TestServer.hostPort().split(":");
        proxy = new WireFaultProxy(hp[0], Integer.parseInt(hp[1]));
    }

    @AfterAll
    static void closeProxy() throws IOException {
        proxy.close();
    }

    static Stream<Arguments> faults() {
        List<Arguments> all = new ArrayList<>();
        for (boolean checkpoint : new boolean[] {false, true}) {
            all.add(Arguments.of("first rename sent", "RENAME TO", 1, WireFaultProxy.Mode.SENT, checkpoint));
            all.add(Arguments.of("first rename in flight", "RENAME TO", 1, WireFaultProxy.Mode.IN_FLIGHT, checkpoint));
            all.add(Arguments.of("second rename sent", "RENAME TO", 2, WireFaultProxy.Mode.SENT, checkpoint));
            all.add(Arguments.of("second rename in flight", "RENAME TO", 2, WireFaultProxy.Mode.IN_FLIGHT, checkpoint));
            all.add(Arguments.of("first COPY of pg_restore", "FROM stdin", 1, WireFaultProxy.Mode.SENT, checkpoint));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, checkpoint before the restore: {4}")
    @MethodSource("faults")
    void aKillAtAnyInstantOfTheSafeRestoreResumesToTheRightEnd(String point, String pattern, int occurrence, WireFaultProxy.Mode mode,
                                                               boolean checkpoint) throws Exception {
        String db = TestServer.createDatabase("shop");
        TestServer.execute(db, "CREATE TABLE items (id int PRIMARY KEY, state text NOT NULL);"
                + "INSERT INTO items SELECT g, 'pre-run' FROM generate_series(1, " + PRE_RUN_ROWS + ") g");
        Path journal = tmp.resolve("journal");
        Path forensics = tmp.resolve("forensics/pre-rollback.dump");
        Map<String, String> props = Map.of("fault.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db,
                "fault.user", TestServer.user(), "fault.backup", backup.toString(), "fault.forensics", forensics.toString(),
                "fault.checkpoint", Boolean.toString(checkpoint), "fault.rows", Integer.toString(BACKUP_ROWS));
        Map<String, String> env = Map.of("FAULT_PG_PASSWORD", TestServer.password().reveal());
        String plan = checkpoint ? "pg-fault-checkpoint" : "pg-fault";

        // 1. The run, killed with SIGKILL at the fault point.
        proxy.arm(pattern, occurrence, mode);
        ChildJvm run = child(props, env, journal, "run", null);
        boolean reached = proxy.awaitTriggered(Duration.ofSeconds(90));
        assertThat(reached).as("the run reached '%s'; its output:\n%s", point, run.outputTail(40)).isTrue();
        List<ProcessHandle> tools = run.handle().descendants().toList();
        if (pattern.equals("FROM stdin")) {
            assertThat(tools).as("pg_restore is running at its first COPY")
                    .anyMatch(t -> t.info().command().orElse("").endsWith("pg_restore"));
        }
        run.kill();
        proxy.release();
        for (ProcessHandle tool : tools) {
            assertThat(tool.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).get())
                    .as("%s (pid %d) started by the killed runner is gone", tool.info().command().orElse("?"), tool.pid()).isNotNull();
        }
        String runId = FileJournal.in(journal).runIds(plan).get(0);
        String restoreStep = "restore " + db + " from backup.dump";
        assertThat(StepProcesses.leftovers(TestStepContext.in(tmp).runId(runId).stepName(restoreStep))).isEmpty();

        // 2. While stopped inside the swap, the live database's connection error says why and what to do.
        if (pattern.equals("RENAME TO")) {
            CheckResult connect = Plans.check(TestServer.postgres(db).canConnect());
            assertThat(connect.isPassed()).isFalse();
            assertThat(connect.message()).contains("stopped inside its swap").contains("resume the interrupted run")
                    .contains(occurrence == 1 && mode == WireFaultProxy.Mode.IN_FLIGHT ? db + "_rollback_" : db + "_before_rollback_");
        }

        // 3. Resumes in new JVMs until the run succeeds.
        Properties result = null;
        int resumes = 0;
        while (resumes < 3) {
            resumes++;
            ChildJvm resume = child(props, env, journal, "resume", runId);
            resume.awaitExit(Duration.ofSeconds(120));
            result = load(journal.resolveSibling("result-resume.properties"));
            if ("SUCCEEDED".equals(result.getProperty("outcome"))) {
                break;
            }
        }
        assertThat(result.getProperty("outcome")).as("resume %d: %s\n%s", resumes, result.getProperty("error"),
                Files.readString(journal.resolveSibling("child-resume.log"))).isEqualTo("SUCCEEDED");
        assertThat(resumes).as("one resume completes the run").isEqualTo(1);
        String resumeLog = Files.readString(journal.resolveSibling("child-resume.log"));
        if (pattern.equals("RENAME TO")) {
            assertThat(resumeLog).contains("an earlier attempt was stopped inside the swap");
        } else {
            assertThat(resumeLog).contains("dropped " + db + "_rollback_").contains("the partial restore an earlier attempt of this run left");
        }

        // 4. The end state.
        assertThat(rows(db)).as("live = backup").isEqualTo(BACKUP_ROWS + " backup");
        List<String> databases = TestServer.databasesLike(db);
        assertThat(databases).as("the live database and one kept original, no fake copy, no leftover").hasSize(2);
        String kept = databases.stream().filter(d -> !d.equals(db)).findFirst().orElseThrow();
        assertThat(kept).startsWith(db + "_before_rollback_");
        assertThat(rows(kept)).as("kept original = data before the run").isEqualTo(PRE_RUN_ROWS + " pre-run");
        assertThat(allowsConnections(db)).isTrue();
        assertThat(allowsConnections(kept)).isTrue();
        Path report = FileJournal.in(journal).runDirectory(plan, runId).resolve("incident-report.md");
        String md = Files.readString(report);
        Matcher m = Pattern.compile("kept\\.postgres\\." + Pattern.quote(db) + "\\.original \\| database (\\S+) ").matcher(md);
        assertThat(m.find()).as("the report names the kept original:\n%s", md).isTrue();
        assertThat(m.group(1)).isEqualTo(kept);
        assertThat(md).doesNotContain("leftover.");
        assertThat(forensicRows(forensics)).as("the pre-rollback dump holds the data before the run").isEqualTo("pre-run");
    }

    private ChildJvm child(Map<String, String> props, Map<String, String> env, Path journal, String mode, String runId) throws IOException {
        Files.createDirectories(journal);
        List<String> args = new ArrayList<>(List.of(mode, SafeRestoreFaultPlan.class.getName(), journal.toString(), "fault-drill",
                journal.resolveSibling("result-" + mode + ".properties").toString()));
        if (runId != null) {
            args.add(runId);
        }
        return ChildJvm.start(System.getProperty("java.class.path"), CrashDrillChild.class, props, env, args,
                journal.resolveSibling("child-" + mode + ".log"));
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static String rows(String db) throws Exception {
        try (Connection c = TestServer.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) || ' ' || string_agg(DISTINCT state, ',') FROM items")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean allowsConnections(String db) throws Exception {
        try (Connection c = TestServer.connect("postgres"); var ps = c.prepareStatement("SELECT datallowconn FROM pg_database WHERE datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    // The distinct states in the dump's items data, read back with the real pg_restore.
    private static String forensicRows(Path dump) throws Exception {
        Process p = new ProcessBuilder("pg_restore", "--data-only", "--table=items", "--file=-", dump.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().filter(l -> l.matches("\\d+\\t.*")).map(l -> l.substring(l.indexOf('\t') + 1)).distinct()
                .sorted().reduce((a, b) -> a + "," + b).orElse("(no rows)");
    }
}
