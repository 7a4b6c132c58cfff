package dev.rollback.mongo.internal;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.spi.DescribedCheck;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.LeftAside;
import dev.rollback.mongo.MongoBackupContents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Checks on a backup, before anything is changed. */
public final class BackupChecks {
    private BackupChecks() {
    }

    private static MongoBackupContents contents(BackupSource source, StepContext ctx) {
        return BackupReader.read(source.resolve(ctx), source.options(), null);
    }

    private static long restorable(MongoBackupContents c) {
        return c.collections().stream().filter(b -> b.kind() != BackupCollection.Kind.VIEW).count();
    }

    /**
     * @param source the backup
     * @param n      the minimum number of collections (time series count, views do not)
     * @return the check
     */
    public static Check collectionsAtLeast(BackupSource source, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("collectionsAtLeast needs a number >= 0, was " + n);
        }
        String name = "backup has at least " + n + " collections";
        return DescribedCheck.of(name, StepDescription.of(name).param("backup", source.description()).param("minimum", n), ctx -> {
            MongoBackupContents c = contents(source, ctx);
            long count = restorable(c);
            List<String> names = c.collections().stream().filter(b -> b.kind() != BackupCollection.Kind.VIEW).map(b -> b.name()).toList();
            return count >= n ? CheckResult.passed(name, count + " collections", "at least " + n)
                    : CheckResult.failed(name, count + " collections", "at least " + n,
                    "backup " + c.location() + " holds only " + count + " collections " + names + "; it is incomplete, do not restore it"
                            + (c.leftAside().isEmpty() ? "" : " (left aside: " + c.leftAside() + ")"));
        });
    }

    /**
     * @param source the backup
     * @return a check that reads and validates every document of every data file; it fails on a backup
     *         with no collections and on collections without metadata (unless accepted)
     */
    public static Check readable(BackupSource source) {
        String name = "backup files are readable";
        return DescribedCheck.of(name, StepDescription.of(name).param("backup", source.description()), ctx -> {
            MongoBackupContents c = contents(source, ctx);
            if (c.collections().isEmpty()) {
                return CheckResult.failed(name, "0 collections", "at least 1 collection, every document valid BSON",
                        "backup " + c.location() + " (" + c.format() + ") holds no collection a restore could restore"
                                + (c.leftAside().isEmpty() ? " (it is empty)" : "; left aside: " + c.leftAside())
                                + ". Point the plan at the database folder, dump root or archive mongodump wrote");
            }
            BackupTargets.Scan scan = BackupTargets.scan(c, true);
            String measured = c.collections().size() + " collections, " + scan.total() + " documents (" + c.format() + ")";
            List<String> noMetadata = new ArrayList<>();
            for (LeftAside l : c.leftAside()) {
                if (l.blocking() && BackupReader.isMissingMetadata(l)) {
                    noMetadata.add(l.toString());
                }
            }
            if (!noMetadata.isEmpty()) {
                return CheckResult.failed(name, measured, "every document valid BSON, every collection with its metadata",
                        String.join("; ", noMetadata));
            }
            return CheckResult.passed(name, measured, "every document valid BSON");
        });
    }

    /**
     * @param source the backup
     * @return a check that fails when data would be left aside without the plan saying so
     */
    public static Check nothingLeftAside(BackupSource source) {
        String name = "backup has nothing the restore would leave aside";
        return DescribedCheck.of(name, StepDescription.of(name).param("backup", source.description()), ctx -> {
            MongoBackupContents c = contents(source, ctx);
            List<LeftAside> aside = new ArrayList<>(c.leftAside());
            if (c.format().isArchive() && c.oplogLocation().isPresent()) {
                BackupTargets.Scan scan = BackupTargets.scan(c, false);
                if (scan.oplog().isPresent()) {
                    aside.removeIf(l -> l.location().equals(c.oplogLocation().get()));
                    aside.add(BackupReader.oplogLeftAside(scan.oplog().get(), source.options().withoutOplog()));
                }
            }
            List<LeftAside> blocking = aside.stream().filter(LeftAside::blocking).toList();
            List<LeftAside> chosen = aside.stream().filter(l -> l.holdsData() && l.acknowledged()).toList();
            String expected = "every file that holds data restored, or left out by the plan";
            if (!blocking.isEmpty()) {
                return CheckResult.failed(name, blocking.size() + " left aside", expected, blocking.stream().map(LeftAside::toString)
                        .reduce((a, b) -> a + "; " + b).orElse(""));
            }
            return CheckResult.passed(name, chosen.isEmpty() ? "nothing left aside" : chosen.size() + " left out by the plan: " + chosen, expected);
        });
    }

    /**
     * @param source the backup
     * @param maxAge the maximum age
     * @return a check on the backup's modification time
     */
    public static Check youngerThan(BackupSource source, Duration maxAge) {
        if (maxAge == null || maxAge.isNegative()) {
            throw new IllegalArgumentException("youngerThan needs a positive duration, was " + maxAge);
        }
        String name = "backup younger than " + maxAge;
        return DescribedCheck.of(name, StepDescription.of(name).param("backup", source.description()).param("maxAge", maxAge), ctx -> {
            Path dir = source.resolve(ctx);
            BackupReader.read(dir, source.options(), null);
            Instant written;
            try {
                written = Files.getLastModifiedTime(dir).toInstant();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Duration age = Duration.between(written, ctx.clock().instant());
            return age.compareTo(maxAge) <= 0 ? CheckResult.passed(name, "age " + age, "at most " + maxAge)
                    : CheckResult.failed(name, "age " + age, "at most " + maxAge, "backup " + dir + " was written at " + written
                    + "; restoring it loses everything since then");
        });
    }
}
