package dev.rollback.mongo;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.CheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MongoBackupTest {
    @TempDir
    Path tmp;

    Path backup(String name, long mtimeMillis) throws IOException {
        Path dir = tmp.resolve("backups").resolve(name);
        TestData.copy(TestData.dump("prelude_gzip/test"), dir.resolve("mongodb-backup/nextcrm"));
        Files.setLastModifiedTime(dir, FileTime.fromMillis(mtimeMillis));
        return dir;
    }

    @Test
    void picksTheNewestMatchingFolderByModificationTimeLikeLsTd() throws IOException {
        backup("production-b", 3_000_000);
        Path newest = backup("production-a", 5_000_000);
        backup("staging-z", 9_000_000);
        Files.writeString(tmp.resolve("backups/production-file"), "not a folder");
        MongoBackup finder = MongoBackup.in(tmp.resolve("backups")).matching("production-*").databaseFolder("mongodb-backup/nextcrm");
        assertThat(finder.findLatest()).isEqualTo(newest.resolve("mongodb-backup/nextcrm").toAbsolutePath());
    }

    @Test
    void latestPublishesItsChoiceAndKeepsItWhenANewerBackupAppears() throws Exception {
        Path first = backup("production-1", 1_000_000);
        MongoBackup.Latest latest = MongoBackup.in(tmp.resolve("backups")).matching("production-*").databaseFolder("mongodb-backup/nextcrm").latest();
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("r");
        latest.execute(ctx);
        assertThat(ctx.output("mongo.backup.path")).contains(first.resolve("mongodb-backup/nextcrm").toAbsolutePath().toString());
        backup("production-2", 2_000_000);
        // a resumed run gets its outputs back: the same backup is used, not the newer one
        assertThat(latest.resolve(ctx)).isEqualTo(first.resolve("mongodb-backup/nextcrm").toAbsolutePath());
        TestStepContext fresh = TestStepContext.in(tmp.resolve("run2")).runId("r2");
        assertThat(latest.resolve(fresh).toString()).contains("production-2");
        assertThat(latest.describe().summary()).isEqualTo("find the newest folder matching 'production-*' in " + tmp.resolve("backups")
                + ", database folder mongodb-backup/nextcrm");
    }

    @Test
    void missingRootAndNoMatchAreClear() throws IOException {
        assertThatThrownBy(() -> MongoBackup.in(tmp.resolve("nope")).latest().resolve(TestStepContext.in(tmp).runId("r")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("nope").hasMessageContaining("does not exist");
        backup("staging-1", 1_000);
        assertThatThrownBy(() -> MongoBackup.in(tmp.resolve("backups")).matching("production-*").findLatest())
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("No backup folder matching 'production-*'");
        assertThatThrownBy(() -> MongoBackup.in(tmp.resolve("backups")).databaseFolder("mongodb-backup/other").findLatest())
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("has no database folder mongodb-backup/other");
        assertThatThrownBy(() -> MongoBackup.in(tmp).databaseFolder("../etc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backupChecks() throws Exception {
        Path b = backup("production-1", 1_000_000_000L);
        BackupSource src = MongoBackup.at(b.resolve("mongodb-backup/nextcrm"));
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("r");
        assertThat(src.collectionsAtLeast(1).check(ctx).isPassed()).isTrue();
        CheckResult few = src.collectionsAtLeast(26).check(ctx);
        assertThat(few.isPassed()).isFalse();
        assertThat(few.measured()).isEqualTo("1 collections");
        assertThat(few.message()).contains("holds only 1 collections [foo]");
        assertThat(src.readable().check(ctx).isPassed()).isTrue();
        ctx.clock(Clock.fixed(Instant.ofEpochMilli(1_000_000_000L).plus(Duration.ofHours(2)), ZoneOffset.UTC));
        Path dbDir = b.resolve("mongodb-backup/nextcrm");
        Files.setLastModifiedTime(dbDir, FileTime.fromMillis(1_000_000_000L));
        assertThat(src.youngerThan(Duration.ofHours(3)).check(ctx).isPassed()).isTrue();
        CheckResult old = src.youngerThan(Duration.ofHours(1)).check(ctx);
        assertThat(old.isPassed()).isFalse();
        assertThat(old.measured()).isEqualTo("age PT2H");
        assertThatThrownBy(() -> src.collectionsAtLeast(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readableCheckFindsATruncatedFileBeforeAnythingIsChanged() throws Exception {
        Path dir = TestData.copy(TestData.dump("foodump/test"), tmp.resolve("db"));
        byte[] bytes = Files.readAllBytes(dir.resolve("foo.bson"));
        Files.write(dir.resolve("foo.bson"), java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> MongoBackup.at(dir).readable().check(TestStepContext.in(tmp).runId("r")))
                .isInstanceOf(CorruptBackupException.class).hasMessageContaining("foo.bson").hasMessageContaining("offset 0");
    }

    @Test
    void outputSourceNeedsTheOutput() {
        assertThatThrownBy(() -> MongoBackup.fromOutput("mongo.backup.path").resolve(TestStepContext.in(tmp).runId("r")))
                .hasMessageContaining("mongo.backup.path");
    }
}
