package dev.rollback.process;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Free disk space on the file system that holds a folder, on this machine or on another host
 * through {@link Ssh}, read with POSIX {@code df -P -k} (the runbooks' {@code df -h}). A restore
 * into a new database, a second copy of collections or a dump need room that a full disk does not
 * have; this check finds out before anything is stopped.
 *
 * <pre>{@code
 * plan.precheck(pg.databaseSize())                                        // publishes postgres.size.crm
 *     .precheck(DiskSpace.at(Path.of("/var/lib/postgresql")).via(Ssh.to("db1"))
 *         .atLeast(2.0, "postgres.size.crm"));                             // "need at least 2x this amount free"
 * plan.precheck(DiskSpace.at(Path.of("/backups")).atLeast(DiskSpace.gigabytes(5)));
 * }</pre>
 *
 * Each check publishes {@code disk.free.<folder>} (bytes available to unprivileged users, what
 * {@code df} calls "Available").
 */
public final class DiskSpace {
    private final Path folder;
    private final CommandTransport transport;
    private final List<Path> searchPath;

    private DiskSpace(Path folder, CommandTransport transport, List<Path> searchPath) {
        this.folder = folder;
        this.transport = transport;
        this.searchPath = searchPath;
    }

    /**
     * @param folder a folder on the file system to measure (it must exist; on a remote host, there)
     * @return the free space of its file system, measured on this machine
     */
    public static DiskSpace at(Path folder) {
        return new DiskSpace(Objects.requireNonNull(folder, "folder"), CommandTransport.LOCAL, List.of());
    }

    /**
     * @param where where {@code df} runs, for example {@code Ssh.to("db1")}
     * @return a copy measuring there
     */
    public DiskSpace via(CommandTransport where) {
        return new DiskSpace(folder, Objects.requireNonNull(where, "where"), searchPath);
    }

    /**
     * @param dirs folders searched first for {@code df} (and {@code ssh})
     * @return a copy with the search path
     */
    public DiskSpace searchPath(List<Path> dirs) {
        return new DiskSpace(folder, transport, List.copyOf(dirs));
    }

    /**
     * @param n gigabytes
     * @return bytes ({@code n} × 1024³)
     */
    public static long gigabytes(long n) {
        return n * 1024L * 1024L * 1024L;
    }

    /**
     * @param fileOrFolder a file, or a folder whose files are summed (a backup)
     * @return its size in bytes on this machine
     * @throws UncheckedIOException when it cannot be read
     */
    public static long sizeOf(Path fileOrFolder) {
        try (Stream<Path> files = Files.walk(fileOrFolder)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + fileOrFolder + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a backup takes once restored, as far as its files tell: like {@link #sizeOf(Path)}, with
     * each {@code .gz} file counted by the bytes it decompresses to (read through, every gzip member),
     * because a restore writes the data uncompressed and a compressed backup is often a third of that.
     * Reads every compressed byte once: a precheck's work, done while the application still serves.
     *
     * @param fileOrFolder a file, or a folder whose files are summed (a mongodump folder of {@code .bson.gz})
     * @return the bytes its files hold, uncompressed
     * @throws java.io.UncheckedIOException when it cannot be read, or a {@code .gz} file is not gzip, naming the file
     */
    public static long uncompressedSizeOf(Path fileOrFolder) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(fileOrFolder)) {
            return files.filter(java.nio.file.Files::isRegularFile).mapToLong(DiskSpace::uncompressedSize).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot measure " + fileOrFolder + ": " + e.getMessage(), e);
        }
    }

    private static long uncompressedSize(Path file) {
        try {
            if (!file.getFileName().toString().endsWith(".gz")) {
                return java.nio.file.Files.size(file);
            }
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(file), 1 << 16)) {
                return in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot measure " + file + " uncompressed: " + e.getMessage()
                    + " (is it a gzip file? a truncated or damaged backup fails here, before anything is stopped)", e);
        }
    }

    /** @return the output key the checks publish the free bytes under */
    public String outputKey() {
        return "disk.free." + folder;
    }

    /**
     * @param bytes the space that must be free
     * @return a check that passes when at least that much is free
     */
    public Check atLeast(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        return new FreeSpaceCheck(this, "at least " + human(bytes) + " free on " + where(), bytes, 0, null);
    }

    /**
     * A multiple of a size an earlier step published (a database's size from
     * {@code Postgres.databaseSize()}, a backup's size): "twice the database must fit".
     *
     * @param factor    how many times that size must be free, for example 2.0
     * @param outputKey the output holding the size in bytes
     * @return a check; it fails with a clear message when no earlier step published that output
     */
    public Check atLeast(double factor, String outputKey) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("factor must be > 0, got " + factor);
        }
        Objects.requireNonNull(outputKey, "outputKey");
        return new FreeSpaceCheck(this, String.format(Locale.ROOT, "%s x %s free on %s", trim(factor), outputKey, where()), -1, factor, outputKey);
    }

    /**
     * Reads the free space now, outside a plan.
     *
     * @return bytes available
     */
    public long available() {
        return measure(null);
    }

    private String where() {
        return folder + (transport == CommandTransport.LOCAL ? "" : " (" + transport.where() + ")");
    }

    private Command df() {
        Command local = Command.of("df", "-P", "-k", folder.toString()).timeout(Duration.ofSeconds(30)).named("df " + folder);
        Command c = transport.wrap(local);
        return searchPath.isEmpty() ? c : c.searchPath(searchPath);
    }

    private long measure(StepContext ctx) {
        Command df = df();
        CommandResult r = ctx == null ? df.run() : df.run(ctx);
        return parse(r.stdout(), folder, transport.where());
    }

    /** POSIX {@code df -P -k}: a header, then one line whose fourth field is the available 1024-byte blocks. */
    static long parse(List<String> lines, Path folder, String where) {
        for (int i = lines.size() - 1; i >= 1; i--) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length >= 6) {
                try {
                    return Long.parseLong(f[3]) * 1024L;
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new CommandFailedException("df -P -k " + folder + " (" + where + ") printed no line with the available space: "
                + String.join(" | ", lines) + ". Check that the folder exists there and that df is POSIX (coreutils or busybox).", (CommandResult) null);
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static final class FreeSpaceCheck implements Check {
        private final DiskSpace space;
        private final String name;
        private final long bytes;
        private final double factor;
        private final String outputKey;

        FreeSpaceCheck(DiskSpace space, String name, long bytes, double factor, String outputKey) {
            this.space = space;
            this.name = name;
            this.bytes = bytes;
            this.factor = factor;
            this.outputKey = outputKey;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public StepDescription describe() {
            StepDescription d = StepDescription.of(name).param("folder", space.folder).param("where", space.transport.where())
                    .param("needs", outputKey == null ? human(bytes) : trim(factor) + " x ${" + outputKey + "} bytes");
            return d.command(String.join(" ", space.df().argv()));
        }

        @Override
        public CheckResult check(StepContext ctx) {
            long needed = bytes;
            if (outputKey != null) {
                Optional<String> size = ctx.output(outputKey);
                if (size.isEmpty()) {
                    return CheckResult.failed(name, "no " + outputKey, "a size published before this check", "no earlier step published "
                            + outputKey + "; measure it first (for a database: Postgres.databaseSize() as a precheck before this one)");
                }
                try {
                    needed = (long) Math.ceil(Long.parseLong(size.get().trim()) * factor);
                } catch (NumberFormatException e) {
                    return CheckResult.failed(name, outputKey + " = " + size.get(), "a size in bytes", outputKey + " is not a number of bytes");
                }
            }
            long free = space.measure(ctx);
            ctx.output(space.outputKey(), Long.toString(free));
            String expected = "at least " + human(needed) + (outputKey == null ? "" : " (" + trim(factor) + " x " + human(needed == 0 ? 0
                    : (long) (needed / factor)) + ")");
            return free >= needed ? CheckResult.passed(name, human(free) + " free", expected)
                    : CheckResult.failed(name, human(free) + " free", expected, "only " + human(free) + " free on " + space.where()
                    + ", " + human(needed) + " needed. Nothing was changed; free space or add storage, then run again.");
        }
    }
}
