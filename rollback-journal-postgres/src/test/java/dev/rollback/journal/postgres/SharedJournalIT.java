package dev.rollback.journal.postgres;

import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.journal.JournalEvent.PlanDecision.Decision;
import dev.rollback.test.TestPostgres;
import dev.rollback.test.internal.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One plan, many machines, one PostgreSQL journal: child JVMs posing as different hosts
 * ({@code -Drollback.host}) run the drill program through the real command line against an
 * embedded PostgreSQL, and are started at once, killed, paused and resumed.
 */
class SharedJournalIT {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static TestPostgres pg;
    private static String database;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() throws Exception {
        pg = TestPostgres.shared();
        database = pg.createDatabase("shared_journal");
    }

    private String url(String lease) {
        return pg.url(database) + "?schema=shared_" + SCHEMAS.incrementAndGet() + "&runFolder=" + dir.resolve("runs") + lease;
    }

    private PostgresJournal journal(String url) {
        return PostgresJournal.at(url, pg.password());
    }

    private ChildJvm start(String host, Map<String, String> props, List<String> args) throws Exception {
        Map<String, String> p = new LinkedHashMap<>(props);
        p.put("rollback.host", host);
        List<String> a = new ArrayList<>(List.of(dir.resolve("effects.txt").toString()));
        a.addAll(args);
        return ChildJvm.start(System.getProperty("java.class.path"), JournalDrillMain.class, p, Map.of("PGPASSWORD", pg.password().reveal()), a,
                Files.createTempFile(dir, host + "-", ".log"));
    }

    private List<String> effects() throws Exception {
        Path f = dir.resolve("effects.txt");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private String onlyRun(PostgresJournal journal) {
        List<String> runs = journal.runIds(JournalDrillMain.PLAN);
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    @Test
    void twentyRunsStartedAtOnceFromTwentyHostsExactlyOneRunsTheOthersAreRefusedNamingTheHolder() throws Exception {
        String url = url("");
        Path go = dir.resolve("go");
        Path marker = dir.resolve("holding");
        List<ChildJvm> children = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            children.add(start("host-" + i, Map.of("drill.block", "inside-step:s1", "drill.marker", marker.toString(), "drill.go", go.toString()),
                    List.of("--journal", url, "--operator", "op-" + i)));
        }
        List<Integer> refused = new ArrayList<>();
        // the nineteen refused ones exit while the holder waits inside its first step
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (children.stream().filter(c -> c.handle().isAlive()).count() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<ChildJvm> alive = children.stream().filter(c -> c.handle().isAlive()).toList();
        assertThat(alive).as("exactly one runner holds the plan").hasSize(1);
        assertThat(Files.exists(marker)).isTrue();
        ChildJvm holder = alive.get(0);
        String holderHost = "host-" + (children.indexOf(holder) + 1);
        for (ChildJvm c : children) {
            if (c != holder) {
                refused.add(c.awaitExit(Duration.ofSeconds(10)));
                assertThat(c.output()).contains("Another run of plan 'shared-drill' is in progress")
                        .contains("by op-" + (children.indexOf(holder) + 1) + ", pid " + holder.handle().pid() + " on " + holderHost);
            }
        }
        assertThat(refused).hasSize(19).containsOnly(3);
        Files.writeString(go, "go");
        assertThat(holder.awaitExit(Duration.ofSeconds(60))).as(holder.output()).isZero();
        assertThat(effects()).filteredOn(l -> l.endsWith(" s1 start")).containsExactly(holderHost + " s1 start");
        assertThat(effects()).allMatch(l -> l.startsWith(holderHost + " "));
    }

    @Test
    void aKilledHoldersRunIsResumedByAnotherHostOnceTheLeaseExpiredWithOutputsAndMemory() throws Exception {
        String url = url("&lease=3s&heartbeat=1s");
        PostgresJournal journal = journal(url);
        Path marker = dir.resolve("in-s4");
        ChildJvm a = start("host-a", Map.of("drill.block", "inside-step:s4", "drill.marker", marker.toString()),
                List.of("--journal", url, "--operator", "alice"));
        assertThat(a.awaitFileOrExit(marker, Duration.ofSeconds(60))).as(a.output()).isTrue();
        a.kill();
        String run = onlyRun(journal);
        assertThat(journal.lock(JournalDrillMain.PLAN)).get().satisfies(l -> assertThat(l.holder().host()).isEqualTo("host-a"));

        // before the lease expires, another host is refused, naming the dead holder
        ChildJvm early = start("host-b", Map.of(), List.of("--journal", url, "--resume", run, "--operator", "bob"));
        assertThat(early.awaitExit(Duration.ofSeconds(60))).isEqualTo(3);
        assertThat(early.output()).contains("Another run of plan 'shared-drill' is in progress: run " + run + " by alice")
                .contains("on host-a").contains("lease expires");

        awaitExpiry(journal);
        ChildJvm b = start("host-b", Map.of(), List.of("--journal", url, "--resume", run, "--operator", "bob"));
        assertThat(b.awaitExit(Duration.ofSeconds(60))).as(b.output()).isZero();
        assertThat(b.output()).contains("Resuming run " + run).contains("restarting after checkpoint 'cp1'");

        List<String> done = effects();
        for (String before : List.of("s1", "s2")) {
            assertThat(done.stream().filter(l -> l.endsWith(" " + before)).toList()).as("%s ran before cp1: once", before)
                    .containsExactly("host-a " + before);
        }
        assertThat(done).contains("host-b s3", "host-b s4", "host-b s5", "host-b s6")
                // step memory comes back: host-a's decision, not host-b's
                .contains("host-a s3 recalled 'decided on host-a'", "host-b s3 recalled 'decided on host-a'")
                // outputs published before the checkpoint come back
                .contains("host-b s5 saw 'published by host-a'");
        List<JournalEvent> events = journal.read(JournalDrillMain.PLAN, run);
        assertThat(events).filteredOn(JournalEvent.RunResumed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.RunResumed) e).host()).isEqualTo("host-b"));
        assertThat(((JournalEvent.RunFinished) events.get(events.size() - 1)).outcome()).isEqualTo("SUCCEEDED");
        assertThat(journal.planLog(JournalDrillMain.PLAN)).filteredOn(e -> ((JournalEvent.PlanDecision) e).decision() == Decision.LEASE_TAKEN_OVER)
                .singleElement().satisfies(e -> assertThat(((JournalEvent.PlanDecision) e).detail()).contains("on host-a").contains("by bob"));
    }

    @Test
    void aPausedHolderWhoseLeaseWasTakenOverIsRefusedItsNextAppendAndRunsNoFurtherStep() throws Exception {
        String url = url("&lease=3s&heartbeat=1s");
        PostgresJournal journal = journal(url);
        Path marker = dir.resolve("in-s2");
        Path go = dir.resolve("go-a");
        ChildJvm a = start("host-a", Map.of("drill.block", "inside-step:s2", "drill.marker", marker.toString(), "drill.go", go.toString()),
                List.of("--journal", url, "--operator", "alice"));
        assertThat(a.awaitFileOrExit(marker, Duration.ofSeconds(60))).as(a.output()).isTrue();
        a.signal("STOP");
        try {
            String run = onlyRun(journal);
            awaitExpiry(journal);
            ChildJvm b = start("host-b", Map.of(), List.of("--journal", url, "--resume", run, "--operator", "bob"));
            assertThat(b.awaitExit(Duration.ofSeconds(60))).as(b.output()).isZero();
            Files.writeString(go, "go");
        } finally {
            a.signal("CONT");
        }
        assertThat(a.awaitExit(Duration.ofSeconds(60))).as(a.output()).isEqualTo(1);
        // host-b finished and released the lease before host-a woke up: the token still says host-a lost it
        assertThat(a.output()).contains("on host-a with fencing token 1 was taken over").contains("fencing token 2")
                .contains("This runner stopped after step 2 's2' ran").contains("runs nothing more");
        List<String> done = effects();
        assertThat(done.stream().filter(l -> l.startsWith("host-a ")).toList()).as("host-a ran nothing after its lease was taken")
                .containsExactly("host-a s1 start", "host-a s1", "host-a s2 start", "host-a s2");
        assertThat(done).contains("host-b s1", "host-b s2", "host-b s6");
        String run = onlyRun(journal);
        List<JournalEvent> events = journal.read(JournalDrillMain.PLAN, run);
        assertThat(events.get(0)).isInstanceOfSatisfying(JournalEvent.RunStarted.class, s -> assertThat(s.host()).isEqualTo("host-a"));
        assertThat(events).filteredOn(JournalEvent.RunResumed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.RunResumed) e).host()).isEqualTo("host-b"));
        assertThat(((JournalEvent.RunFinished) events.get(events.size() - 1)).outcome()).isEqualTo("SUCCEEDED");
        assertThat(events).filteredOn(e -> e instanceof JournalEvent.StepFinished f && f.step().equals("s2")).hasSize(1);
        assertThat(journal.planLog(JournalDrillMain.PLAN)).extracting(e -> ((JournalEvent.PlanDecision) e).decision())
                .containsExactly(Decision.LEASE_TAKEN_OVER);
    }

    @Test
    void theJournalServerStopsMidRunTheRunnerStopsBeforeTheNextStepAndTheRunResumesOnceItIsBack() throws Exception {
        try (TestPostgres own = TestPostgres.dedicated(dir.resolve("pgdata"))) {
            String db = own.createDatabase("down");
            String url = own.url(db) + "?runFolder=" + dir.resolve("runs") + "&lease=3s&heartbeat=1s";
            Path marker = dir.resolve("in-s3");
            Path go = dir.resolve("go-s3");
            Map<String, String> props = Map.of("rollback.host", "host-a", "drill.block", "inside-step:s3", "drill.marker", marker.toString(),
                    "drill.go", go.toString());
            ChildJvm a = ChildJvm.start(System.getProperty("java.class.path"), JournalDrillMain.class, props,
                    Map.of("PGPASSWORD", own.password().reveal()), List.of(dir.resolve("effects.txt").toString(), "--journal", url),
                    dir.resolve("a.log"));
            assertThat(a.awaitFileOrExit(marker, Duration.ofSeconds(60))).as(a.output()).isTrue();
            own.stop();
            Files.writeString(go, "go");
            assertThat(a.awaitExit(Duration.ofSeconds(90))).as(a.output()).isEqualTo(1);
            assertThat(a.output()).contains("The journal stopped accepting events")
                    .contains("stopped after step 4 's3' ran (its end could not be journaled, so a resume runs it again)")
                    .contains("nothing ran that the journal did not record")
                    .contains("the journal server cannot be reached")
                    .contains("Once the journal is back, resume with: shared-drill --resume ");
            assertThat(effects()).noneMatch(l -> l.contains(" s4"));

            own.start();
            PostgresJournal journal = PostgresJournal.at(url, own.password());
            String run = onlyRun(journal);
            awaitExpiry(journal);
            ChildJvm b = ChildJvm.start(System.getProperty("java.class.path"), JournalDrillMain.class, Map.of("rollback.host", "host-b"),
                    Map.of("PGPASSWORD", own.password().reveal()),
                    List.of(dir.resolve("effects.txt").toString(), "--journal", url, "--resume", run), dir.resolve("b.log"));
            assertThat(b.awaitExit(Duration.ofSeconds(60))).as(b.output()).isZero();
            assertThat(Collections.frequency(effects(), "host-a s1")).isEqualTo(1);
            assertThat(effects()).contains("host-b s3", "host-b s6");
            List<JournalEvent> events = journal.read(JournalDrillMain.PLAN, run);
            assertThat(((JournalEvent.RunFinished) events.get(events.size() - 1)).outcome()).isEqualTo("SUCCEEDED");
        }
    }

    /** Waits until the plan's lease has expired (its holder stopped renewing it). */
    private static void awaitExpiry(PostgresJournal journal) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (journal.lock(JournalDrillMain.PLAN).map(l -> !l.expired()).orElse(false)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the lease did not expire: " + journal.lock(JournalDrillMain.PLAN));
            }
            Thread.sleep(200);
        }
    }
}
