package dev.rollback.postgres;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dumps, row-count manifests, run markers and CSV samples hold customer data: every file is 0600 and
 * every folder the library creates 0700, in the run folder and outside it, whatever pg_dump's umask.
 */
class FileModesIT {
    /** The server is shared by every test class of the JVM: drop what this class created. */
    @org.junit.jupiter.api.AfterAll
    static void dropCreatedDatabases() throws Exception {
        TestServer.dropCreatedDatabases();
    }

    @TempDir
    Path tmp;

    @Test
    void dumpsOfEveryFormatAndSamplesAreOwnerOnlyInsideAndOutsideTheRunFolder() throws Exception {
        String db = TestServer.createDatabase("modes");
        TestServer.seedCrm(db, 20, 2);
        Postgres pg = TestServer.postgres(db);
        Path operatorFolder = Files.createDirectories(tmp.resolve("var-backups"));
        Files.setPosixFilePermissions(operatorFolder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path outside = operatorFolder.resolve("nightly/db");   // two folders the library creates

        RunReport r = Rollback.runner().journal(FileJournal.in(tmp.resolve("journal"))).run(Rollback.plan("pg-modes")
                .capture(pg.dump(outside.resolve("crm.dump")), StepOptions.defaults().name("custom dump"))
                .capture(pg.dump(outside.resolve("crm.sql")).format(DumpFormat.PLAIN), StepOptions.defaults().name("plain dump"))
                .capture(pg.dump(outside.resolve("crm-dir")).format(DumpFormat.DIRECTORY).jobs(2), StepOptions.defaults().name("directory dump"))
                .capture(pg.schemaDump(Path.of("forensics/schema.sql")))
                .capture(pg.sample("orders", 5, Path.of("forensics/orders_sample.csv")))
                .build());

        assertThat(r.isSuccess()).as(String.valueOf(r.failureIfAny())).isTrue();
        assertThat(outside.resolve("crm-dir/toc.dat")).exists();
        assertThat(outside.resolve("crm.dump.rowcounts.tsv")).exists();
        assertThat(outside.resolve("crm.dump.run-id")).exists();
        assertThat(r.runDirectory().resolve("forensics/orders_sample.csv")).exists();
        assertThat(OwnerOnlyFiles.notOwnerOnly(operatorFolder.resolve("nightly"))).isEmpty();
        assertThat(OwnerOnlyFiles.notOwnerOnly(tmp.resolve("journal"))).isEmpty();
        assertThat(mode(operatorFolder)).as("the operator's own folder is left as it is").isEqualTo("rwxr-xr-x");
    }

    @Test
    void replacingAWorldReadableDumpLeavesAnOwnerOnlyOne() throws Exception {
        String db = TestServer.createDatabase("modes_replace");
        TestServer.seedCrm(db, 5, 1);
        Path old = Files.writeString(tmp.resolve("old.dump"), "an old dump");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-rw-r--"));

        Plans.step(TestServer.postgres(db).dump(old).replaceExisting());

        assertThat(mode(old)).isEqualTo("rw-------");
        assertThat(Files.size(old)).isGreaterThan(100);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
