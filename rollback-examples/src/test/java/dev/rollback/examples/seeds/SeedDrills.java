package dev.rollback.examples.seeds;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.cli.CommandLineOptions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Runs a seed program's main logic in the test JVM, and the git CLI for cross-checks. */
final class SeedDrills {
    private SeedDrills() {
    }

    /** What a program run printed and returned. */
    record Result(int exit, String out, String err) {
        /** @return the incident report the program printed the path of */
        Path incidentReport() {
            return out.lines().filter(l -> l.startsWith("Incident report: ")).map(l -> Path.of(l.substring("Incident report: ".length())))
                    .findFirst().orElseThrow(() -> new AssertionError("no incident report printed; out:\n" + out + "\nerr:\n" + err));
        }

        /** @return everything printed, for failure messages */
        String all() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    static Result run(String program, Map<String, String> env, String stdin, List<String> args,
                      Function<CommandLineOptions, RollbackPlan> plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Seeds.SEEDS.stream().filter(s -> s.name().equals(program)).findFirst()
                .orElseThrow(() -> new AssertionError("no seed " + program)).front().apply(program)
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
                .environment(env)
                .execute(args.toArray(new String[0]), plan);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Does something to the world once the next run of a plan starts a step: the drills' "the app
     * dies while the monitoring window watches it". Runs on its own thread until it has acted, or for
     * five minutes; {@link #close()} stops it.
     */
    static final class WhenStepStarts implements AutoCloseable {
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drill: when a step starts");
            t.setDaemon(true);
            return t;
        });
        private final Future<String> done;

        /**
         * @param journal    the journal folder the run writes
         * @param plan       the plan's name
         * @param stepPrefix how the step's name starts, such as {@code "monitor for"}
         * @param action     what to do then; returns what it did, for the test's message
         */
        WhenStepStarts(Path journal, String plan, String stepPrefix, Callable<String> action) {
            List<String> before = runIds(journal, plan);
            done = thread.submit(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (System.nanoTime() < deadline) {
                    for (String run : runIds(journal, plan)) {
                        if (!before.contains(run) && started(journal, plan, run, stepPrefix)) {
                            return action.call();
                        }
                    }
                    Thread.sleep(50);
                }
                throw new AssertionError("no new run of " + plan + " started a step '" + stepPrefix + "...'");
            });
        }

        /** Whether the run started the step; false while its journal cannot be read yet (a line half written). */
        private static boolean started(Path journal, String plan, String run, String stepPrefix) {
            try {
                return FileJournal.in(journal).read(plan, run).stream().anyMatch(e ->
                        e instanceof JournalEvent.StepStarted st && st.step().startsWith(stepPrefix));
            } catch (RuntimeException e) {
                return false;
            }
        }

        private static List<String> runIds(Path journal, String plan) {
            return Files.isDirectory(journal) ? FileJournal.in(journal).runIds(plan) : List.of();
        }

        /** @return what the action did, once it has */
        String await() throws Exception {
            return done.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    /**
     * A copy of a record with one component changed, for settings variants in drills.
     *
     * @param record    the record
     * @param component the component's name
     * @param value     its new value
     * @param <R>       the record type
     * @return the copy
     */
    @SuppressWarnings("unchecked")
    static <R extends Record> R with(R record, String component, Object value) {
        try {
            java.lang.reflect.RecordComponent[] rc = record.getClass().getRecordComponents();
            Object[] args = new Object[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            boolean found = false;
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                found |= rc[i].getName().equals(component);
                args[i] = rc[i].getName().equals(component) ? value : rc[i].getAccessor().invoke(record);
            }
            if (!found) {
                throw new AssertionError(record.getClass().getSimpleName() + " has no component " + component);
            }
            return (R) record.getClass().getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The first executable of that name in these folders ({@code File.pathSeparator}-separated), then on PATH. */
    static Path executable(String name, String folders) {
        List<String> dirs = new ArrayList<>(List.of(folders.split(java.io.File.pathSeparator)));
        dirs.addAll(List.of(System.getenv("PATH").split(java.io.File.pathSeparator)));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(java.nio.file.Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in " + folders + " nor on PATH"));
    }

    /** Runs the git CLI and returns its trimmed standard output; fails the test on a non-zero exit. */
    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
            }
            return text.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The file-mode walk: every file a drill's plan wrote below these folders must be readable by its
     * owner only (0600) and every folder below them 0700. The folders themselves were chosen by the
     * operator ({@code --journal}, {@code BACKUP_DIR}) and are left as they are, so they are not
     * checked. Files a plan changes in place in the lab (the git working tree, the env file, the
     * app's build output) keep their own modes by design and are not under these folders.
     */
    static void assertOwnerOnly(Path... roots) {
        List<String> wrong = new ArrayList<>();
        int files = 0;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (var s = Files.walk(root)) {
                files += (int) s.count() - 1;
                for (Path p : OwnerOnlyFiles.notOwnerOnly(root)) {
                    if (!p.equals(root)) {
                        wrong.add(p + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError(wrong.size() + " of " + files + " paths the drill wrote are not owner-only (0600 files, 0700 folders):\n"
                    + String.join("\n", wrong));
        }
    }

    /** The backups {@code EnvFile.backup()} made of an env file, next to it. */
    static Path[] envBackups(Path envFile) {
        try (var s = Files.list(envFile.toAbsolutePath().getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(envFile.getFileName() + ".backup-")).toArray(Path[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that single files the plan wrote (env backups) are 0600. */
    static void assertOwnerOnlyFiles(Path... files) {
        for (Path f : files) {
            try {
                if (!OwnerOnlyFiles.isOwnerOnly(f)) {
                    throw new AssertionError(f + " is " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) + ", not rw-------");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return "STATUS BODY" of a GET, for end-state checks */
    static String httpGet(String url) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(java.time.Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a lab's folder after its drills. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return every file under a folder, as text, for "the secret is nowhere" checks */
    static String allText(Path root) {
        if (!Files.exists(root)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (var s = Files.walk(root)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                b.append("== ").append(f).append('\n').append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }
}
