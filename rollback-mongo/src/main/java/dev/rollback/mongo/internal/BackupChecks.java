package dev.rollback.mongo.internal;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupSource;
import dev.rollback.mongo.MongoDumpFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Checks on a backup folder, before anything is changed. */
public final class BackupChecks {
    private BackupChecks() {
    }

    /**
     * @param source the backup
     * @param n      the minimum number of collections
     * @return the check
     */
    public static Check collectionsAtLeast(BackupSource source, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("collectionsAtLeast needs a number >= 0, was " + n);
        }
        String name = "backup has at least " + n + " collections";
        return check(name, StepDescription.of(name).param("backup", source.description()).param("minimum", n), ctx -> {
            MongoDumpFolder folder = MongoDumpFolder.open(source.resolve(ctx));
            int count = folder.collections().size();
            return count >= n ? CheckResult.passed(name, count + " collections", "at least " + n)
                    : CheckResult.failed(name, count + " collections", "at least " + n,
                    "backup " + folder.directory() + " holds only " + count + " collections " + folder.collectionNames()
                            + "; it is incomplete, do not restore it");
        });
    }

    /**
     * @param source the backup
     * @return a check that reads and validates every document of every data file
     */
    public static Check readable(BackupSource source) {
        String name = "backup files are readable";
        return check(name, StepDescription.of(name).param("backup", source.description()), ctx -> {
            MongoDumpFolder folder = MongoDumpFolder.open(source.resolve(ctx));
            long docs = 0;
            for (BackupCollection c : folder.collections()) {
                try (BsonFileReader r = BsonFileReader.open(c.dataFile(), true)) {
                    while (r.skip()) {
                        docs++;
                    }
                }
            }
            return CheckResult.passed(name, folder.collections().size() + " collections, " + docs + " documents", "every document valid BSON");
        });
    }

    /**
     * @param source the backup
     * @param maxAge the maximum age
     * @return a check on the folder's modification time
     */
    public static Check youngerThan(BackupSource source, Duration maxAge) {
        if (maxAge == null || maxAge.isNegative()) {
            throw new IllegalArgumentException("youngerThan needs a positive duration, was " + maxAge);
        }
        String name = "backup younger than " + maxAge;
        return check(name, StepDescription.of(name).param("backup", source.description()).param("maxAge", maxAge), ctx -> {
            Path dir = source.resolve(ctx);
            MongoDumpFolder.open(dir);
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

    static Check check(String name, StepDescription description, Check.CheckFunction f) {
        return new Check() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult check(StepContext context) throws Exception {
                return f.check(context);
            }

            @Override
            public StepDescription describe() {
                return description;
            }
        };
    }
}
