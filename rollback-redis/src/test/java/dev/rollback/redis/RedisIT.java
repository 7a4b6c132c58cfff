package dev.rollback.redis;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Redis} against a real {@code redis-server} (Debian's redis-server; {@code .ci/run}
 * installs it with redis-tools) with a password, on a free loopback port, started once for the
 * class from a 0600 config file (so that the password is not in the server's argv either).
 * Without redis-server or redis-cli the class is skipped, with the reason.
 */
class RedisIT {
    private static final String PASSWORD = "redis-pw-" + Long.toHexString(System.nanoTime());
    private static Path dir;
    private static Process server;
    private static int port;
    private static Redis redis;

    @TempDir
    Path tmp;
    TestStepContext ctx;

    @BeforeAll
    static void startRedis() throws Exception {
        Assumptions.assumeTrue(onPath("redis-server") && onPath("redis-cli"),
                "redis-server / redis-cli are not installed (.ci/run installs redis-server redis-tools)");
        dir = Files.createTempDirectory("redisit-");
        port = freePort();
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, String.join("\n", "port " + port, "bind 127.0.0.1", "requirepass " + PASSWORD,
                "dir " + dir, "save \"\"", "appendonly no", "databases 4", "logfile " + dir.resolve("redis.log"), ""));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        server = new ProcessBuilder("redis-server", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listening(port)) {
            assertThat(server.isAlive()).as("redis-server exited: %s", Files.readString(dir.resolve("stdout.log"))).isTrue();
            assertThat(System.nanoTime()).as("redis-server did not listen in time").isLessThan(deadline);
            Thread.sleep(20);
        }
        redis = Redis.at("redis://127.0.0.1:" + port + "/0", Secret.of(PASSWORD));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void data() throws Exception {
        ctx = TestStepContext.in(tmp);
        cli("-n", "0", "FLUSHALL");
        List<String> mset = new ArrayList<>(List.of("-n", "0", "MSET"));
        for (int i = 0; i < 30; i++) {
            mset.addAll(List.of("cache:" + i, "v" + i));
        }
        for (int i = 0; i < 20; i++) {
            mset.addAll(List.of("session:" + i, "s" + i));
        }
        cli(mset.toArray(new String[0]));
        cli("-n", "1", "SET", "jobs:queue", "keep me");
    }

    @Test
    void pingAndKeyCountsReadTheRealServer() throws Exception {
        assertThat(redis.ping().check(ctx).isPassed()).isTrue();
        assertThat(redis.dbSize(0)).isEqualTo(50);
        assertThat(redis.dbSize(1)).isEqualTo(1);
        assertThat(redis.keyCountAtLeast(50).check(ctx).isPassed()).isTrue();
        assertThat(redis.keyCountAtMost(10).check(ctx).isPassed()).isFalse();
        assertThat(redis.keysMatchingAtMost("session:*", 20).check(ctx).isPassed()).isTrue();
        assertThat(redis.keysMatchingAtMost("session:*", 19).check(ctx).measured()).isEqualTo("20");
    }

    @Test
    void aPlanSnapshotsThenFlushesOneDatabaseWithApprovalAndLeavesTheOthers() throws Exception {
        RollbackPlan plan = Rollback.plan("flush-cache")
                .precheck(redis.ping())
                .capture(redis.snapshot())
                .step(redis.flushDb(0))
                .verify(redis.keyCountAtMost(0))
                .build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));

        RunReport refused = Rollback.runner().journal(journal).confirmations(Confirmations.none()).run(plan);
        assertThat(refused.outcome()).isEqualTo(RunOutcome.NEEDS_APPROVAL);
        assertThat(redis.dbSize(0)).as("nothing flushed without approval").isEqualTo(50);

        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops@example.com")).run(plan);
        assertThat(report.isSuccess()).as(String.valueOf(report.failureIfAny())).isTrue();
        assertThat(redis.dbSize(0)).isZero();
        assertThat(redis.dbSize(1)).as("other databases untouched").isEqualTo(1);
        Path rdb = Path.of(report.step("snapshot " + redis.where()).orElseThrow().outputs().get(Redis.OUTPUT_SNAPSHOT));
        assertThat(rdb).startsWith(journal.runDirectory("flush-cache", report.runId()));
        byte[] bytes = Files.readAllBytes(rdb);
        assertThat(new String(bytes, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("REDIS");
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).contains("session:7", "cache:29");   // the data the flush removed
        assertThat(report.step("flush database 0 of " + redis.where()).orElseThrow().outputs()).containsEntry("redis.db0.flushedKeys", "50");

        Path runDir = journal.runDirectory("flush-cache", report.runId());
        String everything;
        try (Stream<Path> files = Files.walk(runDir.getParent().getParent())) {
            StringBuilder b = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".rdb")).toList()) {
                b.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
            everything = b.toString();
        }
        assertThat(everything).contains("ops@example.com").doesNotContain(PASSWORD);
    }

    @Test
    void flushAllEmptiesEveryDatabaseAndDeleteMatchingOnlyTheMatches() throws Exception {
        redis.deleteMatching("session:*").execute(ctx);
        assertThat(redis.dbSize(0)).isEqualTo(30);
        assertThat(ctx.outputs()).containsEntry("redis.deleted.session:*", "20");
        assertThat(redis.deleteMatching("session:*").destructive()).isTrue();

        redis.flushAll().execute(ctx);
        assertThat(redis.dbSize(0)).isZero();
        assertThat(redis.dbSize(1)).isZero();
        assertThat(ctx.outputs()).containsEntry("redis.flushedKeys", "31");
    }

    @Test
    void aWrongPasswordFailsWithTheReasonAndChangesNothing() throws Exception {
        Redis wrong = Redis.at("redis://127.0.0.1:" + port + "/0", Secret.of("not-the-password"));
        assertThatThrownBy(() -> wrong.ping().check(ctx)).isInstanceOf(RedisException.class)
                .hasMessageContaining("refused the password").hasMessageContaining("WRONGPASS")
                .hasMessageNotContaining("not-the-password");
        assertThatThrownBy(() -> wrong.flushDb(0).execute(ctx)).isInstanceOf(RedisException.class)
                .hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> Redis.at("redis://127.0.0.1:" + port).dbSize(0)).isInstanceOf(RedisException.class)
                .hasMessageContaining("(none was given)");
        assertThat(redis.dbSize(0)).isEqualTo(50);
    }

    @Test
    void anUnreachableServerAndASilentOneFailInsteadOfHanging() throws Exception {
        int closed = freePort();
        assertThatThrownBy(() -> Redis.at("redis://127.0.0.1:" + closed, Secret.of(PASSWORD)).ping().check(ctx))
                .isInstanceOf(RedisException.class).hasMessageContaining("Cannot reach redis 127.0.0.1:" + closed)
                .hasMessageContaining("Connection refused");

        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try {
                    silent.accept();   // accepts, never answers
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            Redis hung = Redis.at("redis://127.0.0.1:" + silent.getLocalPort(), Secret.of(PASSWORD)).timeout(Duration.ofSeconds(2));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> hung.ping().check(ctx)).isInstanceOf(RedisException.class)
                    .hasMessageContaining("did not answer within PT2S");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void thePasswordIsInNoProcessArgumentList() throws Exception {
        // a redis-cli that waits on a silent server long enough to be looked at, and the real server
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try {
                    silent.accept();
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            Redis hung = Redis.at("redis://127.0.0.1:" + silent.getLocalPort(), Secret.of(PASSWORD)).timeout(Duration.ofSeconds(3));
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    hung.ping().check(ctx);
                } catch (Exception expected) {
                    // it times out
                }
            });
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            boolean sawCli = false;
            while (System.nanoTime() < deadline) {
                for (Path p : procs()) {
                    String cmdline = read(p.resolve("cmdline"));
                    seen.add(cmdline);
                    if (cmdline.contains("redis-cli") && cmdline.contains(String.valueOf(silent.getLocalPort()))) {
                        sawCli = true;
                        assertThat(read(p.resolve("environ"))).as("the password reached redis-cli through its environment")
                                .contains("REDISCLI_AUTH=" + PASSWORD);
                    }
                }
                Thread.sleep(50);
            }
            running.get(20, TimeUnit.SECONDS);
            assertThat(sawCli).as("the sniff saw the running redis-cli").isTrue();
            assertThat(seen).anyMatch(c -> c.contains("redis-server")).noneMatch(c -> c.contains(PASSWORD));
        }
    }

    @Test
    void badUrlsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> Redis.at("redis://:hunter2@cache:6379/0", Secret.of("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds a password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Redis.at("http://cache:6379")).hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> Redis.at("redis://cache:6379/sessions")).hasMessageContaining("database number");
        assertThatThrownBy(() -> redis.flushDb(-1)).hasMessageContaining("0 or more");
        assertThat(Redis.at("rediss://app@cache:6380/2", Secret.of("pw")).flushDb(2).describe().commands())
                .contains("redis-cli -e -h cache -p 6380 -n 2 --user app --tls FLUSHDB");
        assertThat(Redis.at("redis://127.0.0.1:6379", Secret.of("pw")).container("cache").snapshot().describe().commands().get(0))
                .startsWith("docker exec -e REDISCLI_AUTH cache redis-cli -e -h 127.0.0.1 -p 6379 -n 0 --rdb");
    }

    private static List<Path> procs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";   // the process ended
        }
    }

    private static void cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-e", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("REDISCLI_AUTH", PASSWORD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("redis-cli %s: %s", List.of(args), out).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int p) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), p)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
