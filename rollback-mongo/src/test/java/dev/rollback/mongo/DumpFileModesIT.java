package dev.rollback.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.test.TestStepContext;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dump holds every document of the database: its files are 0600 and its folders 0700, whether the
 * driver wrote them or mongodump did (mongodump creates them with the process umask, 0644 here).
 */
class DumpFileModesIT {
    @TempDir
    Path tmp;

    @Test
    void aDumpThroughTheDriverIsOwnerOnly() throws IOException {
        try (MongoTarget target = MongoTarget.startInProcess(); MongoClient client = MongoClients.create(target.uri())) {
            client.getDatabase("crm").getCollection("accounts").insertMany(List.of(new Document("name", "a"), new Document("name", "b")));
            TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("modes");

            Mongo.at(target.uri()).serverSelectionTimeout(Duration.ofSeconds(5)).database("crm").dump().to(tmp.resolve("out/nightly")).execute(ctx);

            assertThat(tmp.resolve("out/nightly/crm/accounts.bson")).exists();
            assertThat(OwnerOnlyFiles.notOwnerOnly(tmp.resolve("out"))).isEmpty();
        }
    }

    @Test
    void whatMongodumpWroteIsNarrowed() throws IOException {
        Path src = TestData.dump("coll_with_index/test");
        Path exe = Files.createDirectories(tmp.resolve("bin")).resolve("mongodump");
        Files.writeString(exe, "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --out=*) o=\"${a#--out=}\";; esac; done\n"
                + "umask 022\nmkdir -p \"$o/crm\" && cp " + src + "/foo.bson " + src + "/foo.metadata.json \"$o/crm/\"\n"
                + "chmod 644 \"$o/crm/\"*\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("modes-tool");

        Mongo.at("mongodb://db.example:27017").database("crm").dump().to(tmp.resolve("out")).usingMongodump(exe.toString()).execute(ctx);

        assertThat(tmp.resolve("out/crm/foo.bson")).exists();
        assertThat(OwnerOnlyFiles.notOwnerOnly(tmp.resolve("out"))).isEmpty();
    }
}
