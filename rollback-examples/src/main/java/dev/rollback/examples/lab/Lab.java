package dev.rollback.examples.lab;

import dev.rollback.examples.seeds.Targets;
import dev.rollback.test.StandIns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a rollback drill needs on one machine, for real: a PostgreSQL server, a MongoDB
 * wire-protocol server, the application as its own process (started and stopped through
 * stand-ins for systemctl, pm2, kubectl and docker compose that put it first on the search path),
 * its env file and its deployed git checkout. Used by the embedded demo and by every seed drill.
 *
 * <pre>{@code
 * try (Lab lab = Lab.in(Files.createTempDirectory("lab"))) {
 *     LabPostgres pg = lab.postgres();          // started on first use
 *     String health = lab.healthUrl(StandIns.systemd("nextcrm"));
 *     lab.startApp("systemctl", "start", "nextcrm");
 *     ...
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {
    private final Path work;
    private final int appPort;
    private LabPostgres postgres;
    private LabMongo mongo;
    private StandIns standIns;
    private Path pm2Home;
    private LabRedis redis;
    private final List<Process> extraApps = new ArrayList<>();

    private Lab(Path work) {
        this.work = work;
        this.appPort = freePort();
    }

    /**
     * @param work an empty folder of the caller's
     * @return a lab in it
     */
    public static Lab in(Path work) {
        try {
            Files.createDirectories(work.resolve("app/deploy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Lab(work);
    }

    /** @return the lab's folder */
    public Path work() {
        return work;
    }

    /** @return the PostgreSQL server, started on first use */
    public synchronized LabPostgres postgres() {
        if (postgres == null) {
            postgres = LabPostgres.start();
        }
        return postgres;
    }

    /** @return the MongoDB server, started on first use */
    public synchronized LabMongo mongo() {
        if (mongo == null) {
            mongo = LabMongo.start();
        }
        return mongo;
    }

    /** @return the application's env file ({@code app/.env.production}) */
    public Path envFile() {
        return work.resolve("app/.env.production");
    }

    /** @return the application's deployed checkout ({@code app/deploy}) */
    public Path deployDirectory() {
        return work.resolve("app/deploy");
    }

    /** @return the stand-ins, installed on first use, that run {@link LabApp} */
    public synchronized StandIns standIns() {
        if (standIns == null) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx48m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), LabApp.class.getName(),
                    envFile().toString(), deployDirectory().toString()));
            standIns = StandIns.install(work.resolve("stand-ins"), cmd);
        }
        return standIns;
    }

    /**
     * The lab's real redis-server, started on first use (see {@link LabRedis#installed()}).
     *
     * @param password its password
     * @return the server
     */
    public synchronized LabRedis redis(String password) {
        if (redis == null) {
            redis = LabRedis.start(work.resolve("redis"), password);
        }
        return redis;
    }

    /** @return whether the real pm2 is on the PATH ({@code .ci/run} installs it); drills then run the app under it */
    public static boolean realPm2Installed() {
        return !Targets.searchPath(System.getenv("PATH")).stream()
                .filter(d -> Files.isExecutable(d.resolve("pm2"))).toList().isEmpty()
                && !"stand-in".equals(System.getenv("ROLLBACK_LAB_PM2"));
    }

    /**
     * The lab's own pm2 daemon ({@code PM2_HOME}), created on first use and killed by {@link #close()}.
     *
     * @return its folder
     */
    public synchronized Path pm2Home() {
        if (pm2Home == null) {
            try {
                pm2Home = Files.createDirectories(work.resolve("pm2-home"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pm2Home;
    }

    /**
     * Runs the real pm2 against the lab's daemon, as an operator would ("pm2 start app.js --name web").
     *
     * @param args pm2's arguments
     */
    public void pm2(String... args) {
        List<String> cmd = new ArrayList<>(List.of("pm2"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PM2_HOME", pm2Home().toString());
        waitFor(pb, "pm2 " + String.join(" ", args));
    }

    /**
     * The command that runs {@link LabApp} on a port, for a real service manager (pm2, sshd hosts).
     *
     * @param port     the port
     * @param portFile where it writes the port once it listens
     * @return the command line
     */
    public List<String> appCommand(int port, Path portFile) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), LabApp.class.getName(),
                envFile().toString(), deployDirectory().toString(), String.valueOf(port), portFile.toString()));
    }

    /**
     * Makes the application of a stand-in key listen on the lab's port and gives its health URL.
     *
     * @param key a stand-in key, such as {@code StandIns.systemd("nextcrm")}
     * @return {@code http://127.0.0.1:<port>/api/health}
     */
    public String healthUrl(String key) {
        standIns().wantPort(key, appPort);
        return "http://127.0.0.1:" + appPort + "/api/health";
    }

    /**
     * Starts one more {@link LabApp} process, outside any stand-in: a service on a platform (ECS,
     * Vercel, Railway) or the other color of a blue-green pair, whose version is the {@code VERSION}
     * file of its own folder. Stopped when the lab closes.
     *
     * @param deployDir its folder, holding {@code VERSION}
     * @return its base URL, {@code http://127.0.0.1:<port>}, once it answers
     */
    public synchronized String extraApp(Path deployDir) {
        try {
            Path portFile = deployDir.resolve("app.port");
            Files.deleteIfExists(portFile);
            List<String> cmd = appCommand(0, portFile);
            cmd.set(cmd.size() - 3, deployDir.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            extraApps.add(p);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.isRegularFile(portFile)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the lab app in " + deployDir + " did not start");
                }
                Thread.sleep(20);
            }
            String url = "http://127.0.0.1:" + Files.readString(portFile).trim();
            awaitAnswering(url + "/");
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the application's base URL */
    public String appUrl() {
        return "http://127.0.0.1:" + appPort;
    }

    /**
     * Runs one of the stand-ins, as an operator would run the real tool ("systemctl start nextcrm").
     *
     * @param argv the tool and its arguments
     */
    public void runTool(String... argv) {
        List<String> cmd = new ArrayList<>(List.of(argv));
        cmd.set(0, standIns().binDirectory().resolve(argv[0]).toString());
        waitFor(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD), String.join(" ", argv));
    }

    private static void waitFor(ProcessBuilder pb, String what) {
        try {
            Process p = pb.start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(what + " exited with " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        for (Process p : extraApps) {
            p.destroy();
        }
        if (pm2Home != null) {
            try {
                pm2("kill");
            } catch (RuntimeException e) {
                // the daemon is gone already
            }
        }
        if (standIns != null) {
            standIns.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * Waits up to 60 s for a URL to answer 200.
     *
     * @param url the URL
     */
    public static void awaitHealthy(String url) {
        await(url, true);
    }

    /**
     * Waits up to 60 s for a URL to answer at all (an app answers 503 while its database is wrong).
     *
     * @param url the URL
     */
    public static void awaitAnswering(String url) {
        await(url, false);
    }

    private static void await(String url, boolean needs200) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (!needs200 || status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the lab's application did not " + (needs200 ? "become healthy" : "answer") + " at " + url);
    }

    /** @return a free loopback port */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
