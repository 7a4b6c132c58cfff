package dev.rollback.examples.seeds;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.DumpFormat;
import dev.rollback.postgres.DumpStep;
import dev.rollback.postgres.Postgres;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code pg_dump} whose file name carries a time stamp, as the runbooks name their safety dumps
 * ({@code emergency_backup_$(date +%Y%m%d_%H%M%S).sql}, {@code pre-rollback-YYYYMMDDHHMM.dump}).
 *
 * <p>The time is the start of the run, read from the run id ({@code yyyyMMdd-HHmmss-xxxx}), so a
 * resumed run writes to (and, being its own dump, may replace) the same file instead of leaving a
 * second one; the plan's description stays deterministic ({@code <yyyyMMdd_HHmmss>} placeholder), so
 * the fingerprint does not change from one minute to the next. The library's {@link DumpStep} does
 * the work (partial file then move, row-count manifest, own-run marker). Publishes the chosen path as
 * {@code outputKey}.
 *
 * <pre>{@code
 * plan.capture(StampedDump.of(pg, backupDir, "emergency_backup_", "yyyyMMdd_HHmmss", ".sql")
 *         .format(DumpFormat.PLAIN).publishedAs("seed001.emergencyBackup"));
 * }</pre>
 */
public final class StampedDump implements Step {
    private static final Pattern RUN_ID_TIME = Pattern.compile("^(\\d{8}-\\d{6})");

    private final Postgres pg;
    private final Path directory;
    private final String prefix;
    private final String pattern;
    private final String suffix;
    private final DumpFormat format;
    private final String outputKey;

    private StampedDump(Postgres pg, Path directory, String prefix, String pattern, String suffix, DumpFormat format, String outputKey) {
        this.pg = pg;
        this.directory = directory;
        this.prefix = prefix;
        this.pattern = pattern;
        this.suffix = suffix;
        this.format = format;
        this.outputKey = outputKey;
    }

    /**
     * @param pg        the database to dump
     * @param directory where the dump goes; a relative folder is inside the run folder
     * @param prefix    file name before the time stamp
     * @param pattern   the time stamp's {@link DateTimeFormatter} pattern, in UTC
     * @param suffix    file name after the time stamp
     * @return a custom-format dump step
     */
    public static StampedDump of(Postgres pg, Path directory, String prefix, String pattern, String suffix) {
        checkPattern(pattern);
        return new StampedDump(Objects.requireNonNull(pg, "pg"), Objects.requireNonNull(directory, "directory"),
                Objects.requireNonNull(prefix, "prefix"), pattern, Objects.requireNonNull(suffix, "suffix"), DumpFormat.CUSTOM,
                "dump.path");
    }

    /** Fails at plan time, not at 3 a.m., on a pattern DateTimeFormatter refuses. */
    @SuppressWarnings("ReturnValueIgnored") // called for the IllegalArgumentException it throws, not for its value
    private static void checkPattern(String pattern) {
        DateTimeFormatter.ofPattern(pattern);
    }

    /**
     * @param f the dump format ({@code PLAIN} for the runbooks' {@code pg_dump > file.sql})
     * @return a copy
     */
    public StampedDump format(DumpFormat f) {
        return new StampedDump(pg, directory, prefix, pattern, suffix, Objects.requireNonNull(f, "format"), outputKey);
    }

    /**
     * @param key the output under which the dump's path is published
     * @return a copy
     */
    public StampedDump publishedAs(String key) {
        return new StampedDump(pg, directory, prefix, pattern, suffix, format, Objects.requireNonNull(key, "key"));
    }

    /**
     * @param runId a run id
     * @param now   the time to use when the run id carries none
     * @return the file name this step writes for that run
     */
    public String fileName(String runId, Instant now) {
        Instant when = now;
        Matcher m = RUN_ID_TIME.matcher(runId);
        if (m.find()) {
            when = LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")).toInstant(ZoneOffset.UTC);
        }
        return prefix + DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC).format(when) + suffix;
    }

    private DumpStep dump(Path target) {
        return pg.dump(target).format(format);
    }

    @Override
    public String name() {
        return "dump " + pg.databaseName() + " to " + prefix + "<" + pattern + ">" + suffix;
    }

    @Override
    public StepDescription describe() {
        StepDescription inner = dump(directory.resolve(prefix + "<" + pattern + ">" + suffix)).describe();
        StepDescription d = StepDescription.of(name()).param("directory", directory.isAbsolute() ? directory : "run folder/" + directory)
                .param("time stamp", "start of the run, UTC").param("output", outputKey);
        for (Map.Entry<String, String> e : inner.parameters().entrySet()) {
            d = d.param(e.getKey(), e.getValue());
        }
        for (String c : inner.commands()) {
            d = d.command(c);
        }
        return d;
    }

    @Override
    public void execute(StepContext context) throws Exception {
        Path dir = directory.isAbsolute() ? directory : context.runDirectory().resolve(directory);
        Path target = dir.resolve(fileName(context.runId(), context.clock().instant())).normalize();
        context.output(outputKey, target.toString());
        dump(target).execute(context);
    }
}
