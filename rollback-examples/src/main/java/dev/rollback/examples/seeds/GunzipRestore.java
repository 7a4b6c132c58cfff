package dev.rollback.examples.seeds;

import dev.rollback.core.CheckResult;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.Postgres;
import dev.rollback.postgres.RestoreStep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * The restore of a gzipped dump ({@code backup_before_migration.dump.gz}, seed 003's
 * {@code ./scripts/restore-db.sh}): the dump is decompressed into the run folder (owner-only, kept
 * with the run; a resume reuses it), read through as {@code pg_restore} would, then restored by the
 * library's safe restore. {@code pg_restore} cannot read a gzip itself; a custom-format or plain
 * dump inside works.
 */
public final class GunzipRestore implements Step {
    /** Step memory: the decompressed dump, so that a resume does not decompress again. */
    static final String MEMORY_DECOMPRESSED = "gunzip.file";

    private final Postgres pg;
    private final Path gz;
    private final UnaryOperator<RestoreStep> configure;

    private GunzipRestore(Postgres pg, Path gz, UnaryOperator<RestoreStep> configure) {
        this.pg = Objects.requireNonNull(pg, "pg");
        this.gz = Objects.requireNonNull(gz, "gz");
        this.configure = Objects.requireNonNull(configure, "configure");
    }

    /**
     * @param pg        the database
     * @param gz        the gzipped dump
     * @param configure adds checks to the restore ({@code r -> r.verifyWith(...)})
     * @return the step
     */
    public static GunzipRestore of(Postgres pg, Path gz, UnaryOperator<RestoreStep> configure) {
        return new GunzipRestore(pg, gz, configure);
    }

    /**
     * @param file a backup file
     * @return whether its name says it is gzipped ({@code .gz})
     */
    public static boolean gzipped(Path file) {
        return file != null && file.getFileName().toString().endsWith(".gz");
    }

    private String innerName() {
        String n = gz.getFileName().toString();
        return n.substring(0, n.length() - ".gz".length());
    }

    private RestoreStep inner(Path dump) {
        return configure.apply(pg.restore(dump));
    }

    @Override
    public String name() {
        return "restore " + pg.databaseName() + " from " + gz.getFileName();
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public String confirmationTarget() {
        return pg.databaseName();
    }

    @Override
    public StepDescription describe() {
        Path into = Path.of("<run folder>", "restore", innerName());
        StepDescription d = StepDescription.of(name()).param("backup", gz).param("decompressed into", into)
                .param("strategy", "gunzip, read through, then safe: restore into a new database, verify, swap; old database kept")
                .command("gunzip -c " + gz + " > " + into);
        StepDescription restore = inner(into).describe();
        for (String c : restore.commands()) {
            d = d.command(c);
        }
        return d;
    }

    @Override
    public void execute(StepContext ctx) throws Exception {
        Path dump = ctx.recall(MEMORY_DECOMPRESSED).map(Path::of).filter(Files::isRegularFile).orElse(null);
        if (dump == null) {
            dump = ctx.runDirectory().resolve("restore").resolve(innerName());
            OwnerOnlyFiles.createParentDirectories(dump);
            Path part = dump.resolveSibling(dump.getFileName() + ".part");
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
                Files.deleteIfExists(part);
                OwnerOnlyFiles.copy(in, part);
            } catch (IOException e) {
                Files.deleteIfExists(part);
                throw new IOException(gz + " is not a complete gzip file (" + e.getMessage() + "); nothing was changed. "
                        + "Check the copy of the backup, or restore an uncompressed dump with BACKUP_FILE.", e);
            }
            Files.move(part, dump, StandardCopyOption.ATOMIC_MOVE);
            ctx.remember(MEMORY_DECOMPRESSED, dump.toString());
            ctx.progress("decompressed " + gz.getFileName() + " to " + dump + " (" + Files.size(dump) + " bytes)");
        } else {
            ctx.progress("reusing " + dump + ", decompressed by an earlier attempt");
        }
        CheckResult readable = pg.backupReadable(dump).check(ctx);
        if (!readable.isPassed()) {
            throw new IllegalStateException("The dump inside " + gz.getFileName() + " is not readable: " + readable.message()
                    + ". Nothing was changed.");
        }
        inner(dump).execute(ctx);
    }

    @Override
    public List<String> cleanUp(StepContext ctx) throws Exception {
        Path dump = ctx.recall(MEMORY_DECOMPRESSED).map(Path::of).orElse(ctx.runDirectory().resolve("restore").resolve(innerName()));
        return inner(dump).cleanUp(ctx);
    }
}
