package dev.rollback.postgres;

import dev.rollback.core.CheckResult;
import dev.rollback.core.RunReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: {@code backupReadable} reads the archive itself — header, table of contents and every
 * data block — and fails on random bytes, a truncated file, a file cut in the middle of a block and
 * an empty file, each saying which; a restore given something that is not a dump says so first.
 * Dumps are made by the machine's real pg_dump from a real server.
 */
class BackupReadableIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    private static String db;
    private static Path custom;
    private static Path uncompressed;
    private static Path directory;
    private static Path plain;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;


    @BeforeAll
    static void dumps() throws Exception {
        db = TestServer.createDatabase("readable");
        TestServer.seedCrm(db, 2000, 3);
        TestServer.execute(db, "SELECT lo_from_bytea(0, 'a large object')");
        Postgres pg = TestServer.postgres(db);
        custom = shared.resolve("crm.dump");
        uncompressed = shared.resolve("crm-z0.dump");
        directory = shared.resolve("crm-dir");
        plain = shared.resolve("crm.sql");
        Plans.step(pg.dump(custom));
        Plans.step(pg.dump(uncompressed).compression(0));
        Plans.step(pg.dump(directory).format(DumpFormat.DIRECTORY));
        Plans.step(pg.dump(plain).format(DumpFormat.PLAIN));
    }

    private static CheckResult check(Path dump) {
        return Plans.check(TestServer.postgres(db).backupReadable(dump));
    }

    private Path copy(Path dump, String name) throws IOException {
        Path c = tmp.resolve(name);
        Files.copy(dump, c);
        return c;
    }

    private static void cut(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void completeDumpsOfEveryFormatPassWithWhatTheyHold() {
        assertThat(check(custom).measured()).startsWith("custom archive 1.").contains("of " + db).contains("gzip")
                .contains("entries").contains("bytes of data read");
        assertThat(check(uncompressed).measured()).contains("custom archive").contains(", none,");
        assertThat(check(directory).measured()).startsWith("directory archive").contains("gzip");
        assertThat(check(plain).measured()).startsWith("plain SQL dump by pg_dump");
        assertThat(check(custom).isPassed()).isTrue();
        assertThat(check(directory).isPassed()).isTrue();
        assertThat(check(plain).isPassed()).isTrue();
    }

    @Test
    void randomBytesAreNotADump() throws IOException {
        Path random = tmp.resolve("random.dump");
        byte[] bytes = new byte[64 * 1024];
        new Random(19).nextBytes(bytes);
        Files.write(random, bytes);
        CheckResult r = check(random);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("random.dump is not a PostgreSQL dump").contains("does not start with PGDMP")
                .contains("not SQL text").contains("Nothing was changed");

        Path pgdmpThenNoise = tmp.resolve("noise.dump");
        byte[] noise = bytes.clone();
        System.arraycopy("PGDMP".getBytes(), 0, noise, 0, 5);
        Files.write(pgdmpThenNoise, noise);
        assertThat(check(pgdmpThenNoise).message()).contains("noise.dump").containsAnyOf("not a pg_dump archive version", "newer than this check");
    }

    @Test
    void anEmptyFileIsRejected() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.dump"));
        assertThat(check(empty).message()).contains("is empty (0 bytes)");
    }

    @Test
    void aFileCutInItsTableOfContentsIsTruncated() throws IOException {
        Path c = copy(custom, "toc-cut.dump");
        cut(c, 600);
        CheckResult r = check(c);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("toc-cut.dump is truncated").contains("table-of-contents entry");
    }

    @Test
    void aFileCutInTheMiddleOfADataBlockIsTruncatedEvenWhenItsTableOfContentsIsIntact() throws IOException {
        for (Path dump : new Path[] {custom, uncompressed}) {
            Path c = copy(dump, "mid-" + dump.getFileName());
            cut(c, Files.size(dump) * 2 / 3);
            CheckResult r = check(c);
            assertThat(r.isPassed()).as(dump.toString()).isFalse();
            assertThat(r.message()).contains("is truncated").contains("in the middle of").contains("the data of TABLE DATA public.");
            // Reading only the table of contents cannot see it: that is what reading every block is for.
            assertThat(Plans.check(TestServer.postgres(db).backupReadable(c).listOnly()).isPassed()).isTrue();
        }
    }

    @Test
    void aFileEndingBetweenBlocksNamesTheMissingData() throws IOException {
        // The last data block (the large object's) is small: cutting byte by byte from the end finds
        // the point where the file ends cleanly after a block, with later blocks missing.
        byte[] whole = Files.readAllBytes(uncompressed);
        Path c = tmp.resolve("between.dump");
        String message = null;
        for (int at = whole.length - 1; at > whole.length - 5000 && message == null; at--) {
            Files.write(c, java.util.Arrays.copyOf(whole, at));
            String m = check(c).message();
            if (m.contains("before the data of")) {
                message = m;
            }
        }
        assertThat(message).as("some cut ends the file between two blocks").isNotNull();
        assertThat(message).contains("between.dump is truncated: the file ends").contains("first missing: BLOBS");
    }

    @Test
    void corruptCompressedDataIsFound() throws IOException {
        Path c = copy(custom, "flipped.dump");
        byte[] b = Files.readAllBytes(c);
        b[b.length * 2 / 3] ^= (byte) 0xff;
        Files.write(c, b);
        CheckResult r = check(c);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("flipped.dump is corrupt");
    }

    @Test
    void aPlainDumpWithoutPgDumpsClosingLineIsTruncated() throws IOException {
        Path c = copy(plain, "cut.sql");
        cut(c, Files.size(plain) / 2);
        CheckResult r = check(c);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("cut.sql is truncated").contains("-- PostgreSQL database dump complete");
    }

    @Test
    void aDirectoryDumpMissingADataFileIsIncomplete() throws IOException {
        Path dir = tmp.resolve("dir-copy");
        Files.createDirectories(dir);
        try (var files = Files.list(directory)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Path data;
        try (var files = Files.list(dir)) {
            data = files.filter(f -> f.getFileName().toString().matches("\\d+\\.dat\\.gz"))
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
        }
        Files.delete(data);
        CheckResult r = check(dir);
        assertThat(r.isPassed()).isFalse();
        assertThat(r.message()).contains("is incomplete: the data file of TABLE DATA public.").contains("is missing");
    }

    @Test
    void aRestoreGivenSomethingThatIsNotADumpSaysSoFirstAndChangesNothing() throws Exception {
        String live = TestServer.createDatabase("notadump");
        TestServer.seedCrm(live, 10, 1);
        Path random = tmp.resolve("backup.dump");
        byte[] bytes = new byte[4096];
        new Random(15).nextBytes(bytes);
        Files.write(random, bytes);
        Postgres pg = TestServer.postgres(live);

        String safe = Plans.failingStep(pg.restore(random));
        String inPlace = Plans.failingStep(pg.restore(random).inPlace());

        for (String m : new String[] {safe, inPlace}) {
            assertThat(m).contains("backup.dump is not a PostgreSQL dump").doesNotContain("psql").doesNotContain("invalid command");
        }
        assertThat(TestServer.databasesLike(live + "_")).isEmpty();
        assertThat(TestServer.queryLong(live, "SELECT count(*) FROM customers")).isEqualTo(10);
        RunReport run = Plans.run(b -> b.precheck(pg.backupReadable(random)).restore(pg.restore(random)));
        assertThat(run.failure().message()).contains("not a PostgreSQL dump");
    }
}
