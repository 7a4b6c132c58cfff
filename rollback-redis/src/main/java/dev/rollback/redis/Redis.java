package dev.rollback.redis;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.core.spi.DescribedStep;
import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;
import dev.rollback.process.CommandTimeoutException;
import dev.rollback.process.ExecutableNotFoundException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Redis server as rollback steps and checks, driven through {@code redis-cli} — the tool the
 * runbooks use — with the password in {@code REDISCLI_AUTH}, never in the argument list where
 * {@code ps} shows it.
 *
 * <pre>{@code
 * Redis cache = Redis.at("redis://cache.internal:6379/0", Secret.fromEnv("REDIS_PASSWORD"));
 * plan.precheck(cache.ping())
 *     .capture(cache.snapshot())          // redis-cli --rdb <run folder>/redis-cache.internal-6379.rdb
 *     .step(cache.flushDb(0))             // destructive: asks for approval
 *     .verify(cache.keyCountAtMost(0));
 * }</pre>
 *
 * <p>URLs: {@code redis://[user@]host[:port][/db]}, or {@code rediss://} for TLS. A password in
 * the URL is refused: it would reach argv, logs and reports; pass it as the {@link Secret}.
 * {@code redis-cli} answers an error reply with exit code 0 unless told otherwise; every command
 * here runs with {@code -e} and its error output is read, so a wrong password, an unknown database
 * or a refused command fails the step with the reason. Every command has a timeout (30 s by
 * default; {@code redis-cli} has no connect timeout of its own), so a server that accepts and never
 * answers fails the step instead of hanging it.
 */
public final class Redis {
    /** The output a snapshot publishes: the RDB file in the run folder. */
    public static final String OUTPUT_SNAPSHOT = "redis.snapshot";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String host;
    private final int port;
    private final int database;
    private final String user;
    private final boolean tls;
    private final Secret password;
    private final String container;
    private final List<Path> searchPath;
    private final Duration timeout;

    private Redis(String host, int port, int database, String user, boolean tls, Secret password, String container,
                  List<Path> searchPath, Duration timeout) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.tls = tls;
        this.password = password;
        this.container = container;
        this.searchPath = searchPath;
        this.timeout = timeout;
    }

    /**
     * @param url      {@code redis://[user@]host[:port][/db]} or {@code rediss://...} (TLS), without a password
     * @param password the password (ACL user's or {@code requirepass}), handed to redis-cli as {@code REDISCLI_AUTH}
     * @return the server
     * @throws IllegalArgumentException when the URL is malformed or holds a password
     */
    public static Redis at(String url, Secret password) {
        return parse(url, Objects.requireNonNull(password, "password"));
    }

    /**
     * A server without a password.
     *
     * @param url {@code redis://host[:port][/db]}
     * @return the server
     */
    public static Redis at(String url) {
        return parse(url, null);
    }

    private static Redis parse(String url, Secret password) {
        Objects.requireNonNull(url, "url");
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Invalid Redis URL: " + e.getReason() + ". Expected redis://host:6379/0");
        }
        if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
            throw new IllegalArgumentException("Redis URL must start with redis:// or rediss:// (TLS), got '" + u.getScheme()
                    + "'. Expected redis://host:6379/0");
        }
        if (u.getHost() == null || u.getHost().isBlank()) {
            throw new IllegalArgumentException("Redis URL has no host. Expected redis://host:6379/0");
        }
        String user = null;
        if (u.getRawUserInfo() != null) {
            if (u.getRawUserInfo().contains(":")) {
                throw new IllegalArgumentException("The Redis URL holds a password: it would show in argv, logs and reports. "
                        + "Write it as redis://" + (u.getRawUserInfo().startsWith(":") ? "" : "user@") + u.getHost()
                        + "... and pass the password as a Secret (Redis.at(url, Secret.fromEnv(\"REDIS_PASSWORD\"))).");
            }
            user = u.getUserInfo();
        }
        int db = 0;
        String path = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        if (!path.isEmpty()) {
            try {
                db = Integer.parseInt(path);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("The Redis URL's path must be a database number (/0), got '/" + path + "'");
            }
        }
        checkDatabase(db);
        return new Redis(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), db, user, "rediss".equals(u.getScheme()),
                password, null, List.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Runs redis-cli inside a container ({@code docker exec -e REDISCLI_AUTH <container> redis-cli}), as
     * the runbooks do for a compose stack; host and port are then the container's own view
     * (usually {@code redis://127.0.0.1:6379}).
     *
     * @param name the container
     * @return a copy
     */
    public Redis container(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.startsWith("-") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Invalid container name '" + name + "'");
        }
        return new Redis(host, port, database, user, tls, password, name, searchPath, timeout);
    }

    /**
     * @param dirs where {@code redis-cli} (and {@code docker}) are looked up first
     * @return a copy
     */
    public Redis searchPath(List<Path> dirs) {
        return new Redis(host, port, database, user, tls, password, container, List.copyOf(dirs), timeout);
    }

    /**
     * @param t how long one redis-cli command may take (default 30 s); then it is killed and the step fails
     * @return a copy
     */
    public Redis timeout(Duration t) {
        Objects.requireNonNull(t, "t");
        if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + t);
        }
        return new Redis(host, port, database, user, tls, password, container, searchPath, t);
    }

    /** @return "redis 127.0.0.1:6379/0" (no password) */
    public String where() {
        return "redis " + (user == null ? "" : user + "@") + host + ":" + port + "/" + database
                + (container == null ? "" : " in container " + container);
    }

    // ------------------------------------------------------------------ checks

    /** @return a check that the server answers {@code PING} with {@code PONG} (password accepted) */
    public Check ping() {
        String name = "ping " + where();
        return check(name, List.of("PING"), ctx -> {
            String reply = run(ctx, database, "PING").stdoutText().trim();
            return "PONG".equals(reply) ? CheckResult.passed(name, reply, "PONG")
                    : CheckResult.failed(name, reply, "PONG", where() + " answered '" + reply + "' to PING");
        });
    }

    /**
     * @param max the most keys the URL's database may hold ({@code DBSIZE}), such as 0 after a flush
     * @return the check
     */
    public Check keyCountAtMost(long max) {
        String name = "keys in " + where() + " at most " + max;
        return check(name, List.of("DBSIZE"), ctx -> {
            long n = dbSize(ctx, database);
            return n <= max ? CheckResult.passed(name, n, "<= " + max)
                    : CheckResult.failed(name, n, "<= " + max, where() + " holds " + n + " keys, more than " + max);
        });
    }

    /**
     * @param min the fewest keys the URL's database must hold ({@code DBSIZE})
     * @return the check
     */
    public Check keyCountAtLeast(long min) {
        String name = "keys in " + where() + " at least " + min;
        return check(name, List.of("DBSIZE"), ctx -> {
            long n = dbSize(ctx, database);
            return n >= min ? CheckResult.passed(name, n, ">= " + min)
                    : CheckResult.failed(name, n, ">= " + min, where() + " holds " + n + " keys, fewer than " + min);
        });
    }

    /**
     * @param pattern a {@code SCAN MATCH} pattern, such as {@code session:*}
     * @param max     the most keys matching it
     * @return the check ({@code redis-cli --scan --pattern})
     */
    public Check keysMatchingAtMost(String pattern, long max) {
        requirePattern(pattern);
        String name = "keys matching " + pattern + " in " + where() + " at most " + max;
        return check(name, List.of("--scan", "--pattern", pattern), ctx -> {
            long n = scan(ctx, pattern).size();
            return n <= max ? CheckResult.passed(name, n, "<= " + max)
                    : CheckResult.failed(name, n, "<= " + max, n + " keys match " + pattern + " in " + where());
        });
    }

    /**
     * @param db a database number
     * @return how many keys it holds ({@code DBSIZE})
     */
    public long dbSize(int db) {
        checkDatabase(db);
        return dbSize(null, db);
    }

    // ------------------------------------------------------------------ steps

    /**
     * Copies the server's data into the run folder before it is flushed: {@code redis-cli --rdb}
     * (an RDB file as the server would save it, taken over the replication protocol, so it works
     * for a remote server too), checked to start with the RDB magic. Publishes
     * {@value #OUTPUT_SNAPSHOT}. In a container, the file is written there and copied out with
     * {@code docker cp}.
     *
     * @return the step, for {@code plan.capture(...)}
     */
    public Step snapshot() {
        String stepName = "snapshot " + where();
        StepDescription d = StepDescription.of(stepName).param("file", "<run folder>/" + snapshotName())
                .command(command(database, "--rdb", "<file>").argv());
        if (container != null) {
            d = d.command(docker("cp", container + ":<file>", "<run folder>/" + snapshotName()).argv());
        }
        return DescribedStep.of(stepName, described(d), ctx -> {
            Path file = ctx.runDirectory().resolve(snapshotName());
            if (container == null) {
                run(ctx, database, "--rdb", file.toString());
            } else {
                String inside = "/tmp/rollback-" + ctx.runId() + "-" + snapshotName();
                run(ctx, database, "--rdb", inside);
                docker("cp", container + ":" + inside, file.toString()).run(ctx);
                docker("exec", container, "rm", "-f", inside).runAnyExit(ctx);
            }
            OwnerOnlyFiles.narrow(file);   // redis-cli and docker cp create it 0644; the data is the cache's
            byte[] magic = new byte[5];
            int read;
            try (InputStream in = Files.newInputStream(file)) {
                read = in.readNBytes(magic, 0, 5);
            }
            if (read < 5 || !"REDIS".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new RedisException("The snapshot " + file + " of " + where() + " is not an RDB file (" + read
                        + " bytes start with '" + new String(magic, 0, read, StandardCharsets.US_ASCII) + "'). Nothing was flushed; "
                        + "check that redis-cli --rdb works against this server (managed services may refuse SYNC).");
            }
            ctx.output(OUTPUT_SNAPSHOT, file.toString());
            ctx.progress("saved " + Files.size(file) + " bytes of " + where() + " to " + file);
        });
    }

    /**
     * {@code FLUSHDB} of one database: destructive, asks for approval; publishes how many keys it
     * held ({@code redis.db<n>.flushedKeys}).
     *
     * @param db the database number
     * @return the step
     */
    public Step flushDb(int db) {
        checkDatabase(db);
        return flush("flush database " + db + " of " + where(), db, "FLUSHDB", "redis.db" + db + ".flushedKeys");
    }

    /**
     * {@code FLUSHALL}: every database of the server; destructive, asks for approval.
     *
     * @return the step
     */
    public Step flushAll() {
        return flush("flush all databases of " + where(), database, "FLUSHALL", "redis.flushedKeys");
    }

    /**
     * Deletes the keys matching a pattern ({@code redis-cli --scan --pattern} then {@code DEL} in
     * batches of 500), as runbooks do for sessions; destructive. Publishes
     * {@code redis.deleted.<pattern>}.
     *
     * @param pattern a {@code SCAN MATCH} pattern, such as {@code session:*}
     * @return the step
     */
    public Step deleteMatching(String pattern) {
        requirePattern(pattern);
        String stepName = "delete keys " + pattern + " in " + where();
        return DescribedStep.of(stepName, described(StepDescription.of(stepName).command(command(database, "--scan", "--pattern", pattern).argv())
                .command(command(database, "DEL", "<each key found>").argv())), ctx -> {
            List<String> keys = scan(ctx, pattern);
            for (int i = 0; i < keys.size(); i += 500) {
                List<String> args = new ArrayList<>(List.of("DEL"));
                args.addAll(keys.subList(i, Math.min(keys.size(), i + 500)));
                run(ctx, database, args.toArray(new String[0]));
            }
            ctx.output("redis.deleted." + pattern, Integer.toString(keys.size()));
        }).destructive(true);
    }

    private Step flush(String stepName, int db, String verb, String outputKey) {
        return DescribedStep.of(stepName, described(StepDescription.of(stepName).command(command(db, "DBSIZE").argv())
                .command(command(db, verb).argv())), ctx -> {
            long before = verb.equals("FLUSHALL") ? totalKeys(ctx) : dbSize(ctx, db);
            String reply = run(ctx, db, verb).stdoutText().trim();
            if (!"OK".equals(reply)) {
                throw new RedisException(verb + " on " + where() + " answered '" + reply + "' instead of OK; "
                        + "the data may be partly flushed. Check the server (DBSIZE) before resuming.");
            }
            ctx.output(outputKey, Long.toString(before));
            ctx.progress(verb + " on " + where() + ": " + before + " keys removed");
        }).destructive(true);
    }

    // ------------------------------------------------------------------ redis-cli

    private long totalKeys(StepContext ctx) {
        long total = 0;
        for (String line : run(ctx, database, "INFO", "keyspace").stdout()) {
            // db0:keys=12,expires=0,avg_ttl=0
            int k = line.indexOf("keys=");
            if (line.startsWith("db") && k > 0) {
                int end = line.indexOf(',', k);
                total += Long.parseLong(line.substring(k + 5, end < 0 ? line.length() : end).trim());
            }
        }
        return total;
    }

    private long dbSize(StepContext ctx, int db) {
        String reply = run(ctx, db, "DBSIZE").stdoutText().trim();
        try {
            return Long.parseLong(reply);
        } catch (NumberFormatException e) {
            throw new RedisException(where() + " answered '" + reply + "' to DBSIZE, not a number");
        }
    }

    private List<String> scan(StepContext ctx, String pattern) {
        Command c = command(database, "--scan", "--pattern", pattern).keepLines(10_000_000);
        return runChecked(ctx, c).stdout().stream().filter(k -> !k.isBlank()).toList();
    }

    private CommandResult run(StepContext ctx, int db, String... args) {
        return runChecked(ctx, command(db, args));
    }

    /** Runs redis-cli; an error reply, a refused password or an unknown database is a failure with the reason. */
    private CommandResult runChecked(StepContext ctx, Command c) {
        CommandResult r;
        try {
            r = c.runAnyExit(ctx);
        } catch (CommandTimeoutException e) {
            throw new RedisException(where() + " did not answer within " + timeout + " (" + c.argv().get(c.argv().size() - 1)
                    + "); redis-cli was killed. Is something else listening on " + host + ":" + port + ", or is the server hung?", e);
        } catch (ExecutableNotFoundException e) {
            throw new RedisException("redis-cli is not installed (Debian: apt-get install redis-tools): " + e.getMessage(), e);
        }
        String err = String.join(" | ", r.stderr());
        String out = r.stdoutText().trim();
        String all = out + " | " + err;
        if (all.contains("AUTH failed") || all.contains("WRONGPASS") || all.contains("NOAUTH")) {
            throw new RedisException(where() + " refused the password" + (password == null ? " (none was given)" : "")
                    + ": " + (err.isEmpty() ? out : err) + ". Check the Secret given to Redis.at(url, password); nothing was changed.");
        }
        if (err.contains("Could not connect")) {
            throw new RedisException("Cannot reach " + where() + ": " + err + ". Check the URL and that the server runs; nothing was changed.");
        }
        if (err.contains("SELECT") && err.contains("failed")) {
            throw new RedisException(where() + " has no database " + database + ": " + err + "; nothing was changed.");
        }
        if (r.exitCode() != 0) {
            throw new RedisException(c.name() + " on " + where() + " failed (exit " + r.exitCode() + "): "
                    + (out.isEmpty() ? err : out + (err.isEmpty() ? "" : "; " + err)));
        }
        return r;
    }

    private Command command(int db, String... args) {
        List<String> argv = new ArrayList<>();
        if (container != null) {
            argv.addAll(List.of("docker", "exec"));
            if (password != null) {
                argv.addAll(List.of("-e", "REDISCLI_AUTH"));   // docker takes the value from its own environment
            }
            argv.addAll(List.of(container, "redis-cli"));
        } else {
            argv.add("redis-cli");
        }
        argv.addAll(List.of("-e", "-h", host, "-p", Integer.toString(port), "-n", Integer.toString(db)));
        if (user != null) {
            argv.addAll(List.of("--user", user));
        }
        if (tls) {
            argv.add("--tls");
        }
        argv.addAll(List.of(args));
        Command c = Command.of(argv).searchPath(searchPath).timeout(timeout).named("redis-cli " + args[0]);
        return password == null ? c : c.env("REDISCLI_AUTH", password);
    }

    private Command docker(String... args) {
        return Command.of("docker", args).searchPath(searchPath).timeout(Duration.ofMinutes(5));
    }

    private String snapshotName() {
        return "redis-" + host.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + port + ".rdb";
    }

    private StepDescription described(StepDescription d) {
        d = d.param("server", where());
        if (password != null) {
            d = d.param("env.REDISCLI_AUTH", Secret.MASK);
        }
        return d;
    }

    private Check check(String name, List<String> args, Check.CheckFunction f) {
        return DescribedCheck.of(name, described(StepDescription.of(name).command(command(database, args.toArray(new String[0])).argv())), f);
    }

    private static void checkDatabase(int db) {
        if (db < 0) {
            throw new IllegalArgumentException("A Redis database number is 0 or more, got " + db);
        }
    }

    private static void requirePattern(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isBlank()) {
            throw new IllegalArgumentException("A key pattern must not be blank; use flushDb to remove every key");
        }
    }
}
