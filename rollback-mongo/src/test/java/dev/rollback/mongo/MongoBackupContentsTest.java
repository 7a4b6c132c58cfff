package dev.rollback.mongo;

import dev.rollback.mongo.internal.CollectionNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MongoBackupContentsTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- shared/testdata

    @Test
    void unescapesFileNames() {
        MongoBackupContents f = MongoBackupContents.read(TestData.dump("specialcharacter/db1"));
        assertThat(f.format()).isEqualTo(BackupFormat.DATABASE_FOLDER);
        assertThat(f.collectionNames()).containsExactly("cafés");
        assertThat(f.collection("cafés").orElseThrow().metadata()).isPresent();
        assertThat(f.collection("cafés").orElseThrow().database()).isEqualTo("db1");
    }

    @Test
    void takesShortenedLongNamesFromMetadata() {
        MongoBackupContents f = MongoBackupContents.read(TestData.dump("longcollectionname/db1"));
        assertThat(f.collectionNames()).containsExactly(MongoRestoreIT.LONG_NAME);
        // and our writer shortens the name exactly as mongodump did (same 208-byte prefix, same SHA-1 suffix)
        String file = f.collections().get(0).dataFile().orElseThrow().getFileName().toString();
        assertThat(CollectionNames.fileBaseName(MongoRestoreIT.LONG_NAME) + ".bson").isEqualTo(file);
    }

    @Test
    void shortenedNameWithoutMetadataIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Path stray = TestData.dump("longcollectionname").resolve(
                "aVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryLongCollectionNameConsistingOfE%24someMadeUpInvalidHashString.bson");
        Files.copy(stray, dir.resolve(stray.getFileName()));
        assertThatThrownBy(() -> MongoBackupContents.read(dir)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("someMadeUpInvalidHashString.bson")
                .hasMessageContaining("shortened long collection name").hasMessageContaining("no metadata file");
    }

    @Test
    void testdirsIsADumpRootAndEveryOddityIsListedWithItsReason() {
        Path root = TestData.dump("testdirs");
        MongoBackupContents all = MongoBackupContents.read(root);
        assertThat(all.format()).isEqualTo(BackupFormat.DUMP_ROOT);
        assertThat(all.databases()).containsExactly("db1");
        assertThat(all.collections()).extracting(BackupCollection::namespace).containsExactly("db1.c1", "db1.c2", "db1.c3", "db1.c4");
        assertThat(all.oplog()).hasValueSatisfying(o -> assertThat(o.entries()).isZero());
        assertThat(all.leftAside()).extracting(l -> Path.of(l.location()).getFileName() + ": " + l.reason())
                .anySatisfy(s -> assertThat(s).startsWith("baddir: a folder"))
                .anySatisfy(s -> assertThat(s).startsWith("badfile.txt: not part of mongodump's layout"))
                .anySatisfy(s -> assertThat(s).startsWith("oplog.bson: 0 oplog entries"))
                .anySatisfy(s -> assertThat(s).startsWith("c2.metadata.json: the indexes and options of db1.c2 are not in the backup (it has no .metadata.json"))
                .anySatisfy(s -> assertThat(s).startsWith("c3.metadata.json: the indexes and options of db1.c3 are not in the backup (its metadata file c3.metadata.json is empty"));
        // missing metadata blocks (the restore would lose indexes); the rest holds no data
        assertThat(all.blocking()).extracting(l -> Path.of(l.location()).getFileName().toString())
                .containsExactlyInAnyOrder("c2.metadata.json", "c3.metadata.json");
        MongoBackupContents accepted = MongoBackupContents.read(root, MongoBackup.at(root).withoutMetadata().options());
        assertThat(accepted.blocking()).isEmpty();
        MongoBackupContents db2 = MongoBackupContents.read(root.resolve("db2"));
        assertThat(db2.collections()).isEmpty();
        assertThat(db2.leftAside()).hasSize(2).allSatisfy(i -> assertThat(i.reason()).contains("not a .bson"));
    }

    @Test
    void gzipDumpIsRecognisedAndPreludeLeftAside() {
        MongoBackupContents f = MongoBackupContents.read(TestData.dump("prelude_gzip/test"));
        assertThat(f.collections()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("foo");
            assertThat(c.gzip()).isTrue();
            assertThat(c.metadata().orElseThrow().indexes()).hasSize(1);
        });
        MongoBackupContents root = MongoBackupContents.read(TestData.dump("prelude_gzip"));
        assertThat(root.format()).isEqualTo(BackupFormat.DUMP_ROOT);
        assertThat(root.collections()).extracting(BackupCollection::namespace).containsExactly("test.foo");
        assertThat(root.leftAside()).anySatisfy(i -> assertThat(i.reason()).contains("prelude")).noneMatch(LeftAside::blocking);
    }

    @Test
    void singleCollectionOutsideADatabaseFolder() {
        MongoBackupContents f = MongoBackupContents.read(TestData.dump("single"));
        assertThat(f.collectionNames()).containsExactly("hashedIndexes");
        assertThat(f.collections().get(0).metadata().orElseThrow().indexes()).hasSize(4);
    }

    @Test
    void missingPathAndAFileThatIsNoArchive() throws IOException {
        assertThatThrownBy(() -> MongoBackupContents.read(tmp.resolve("nope"))).isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining("nope").hasMessageContaining("does not exist");
        Path file = Files.writeString(tmp.resolve("f.bson"), "not bson");
        assertThatThrownBy(() -> MongoBackupContents.read(file)).isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining("is a file, but not a mongodump archive");
    }

    @Test
    void gzipAndPlainForOneCollectionIsAmbiguous() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Files.createFile(dir.resolve("a.bson"));
        Files.createFile(dir.resolve("a.bson.gz"));
        assertThatThrownBy(() -> MongoBackupContents.read(dir)).isInstanceOf(CorruptBackupException.class).hasMessageContaining("either gzip or plain");
    }

    @Test
    void malformedEscapeIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Files.createFile(dir.resolve("bad%zzname.bson"));
        assertThatThrownBy(() -> MongoBackupContents.read(dir)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("bad%zzname.bson").hasMessageContaining("cannot be decoded");
    }

    // ---------------------------------------------------------------- what issue 14 found left aside silently

    @Test
    void timeseriesIsATimeseriesNotASystemCollectionOrAView() {
        Path db = tmp.resolve("dump/metrics");
        DumpFixtures.timeseries(db, "weather", DumpFixtures.buckets(4));
        DumpFixtures.collection(db, "plain", DumpFixtures.documents(2, "p"));
        MongoBackupContents c = MongoBackupContents.read(db);
        assertThat(c.collections()).extracting(BackupCollection::name, BackupCollection::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("plain", BackupCollection.Kind.COLLECTION),
                        org.assertj.core.groups.Tuple.tuple("weather", BackupCollection.Kind.TIMESERIES));
        BackupCollection ts = c.collection("weather").orElseThrow();
        assertThat(ts.dataCollection()).isEqualTo("system.buckets.weather");
        assertThat(ts.dataFile().orElseThrow().getFileName().toString()).isEqualTo("system.buckets.weather.bson");
        assertThat(c.leftAside()).isEmpty();
    }

    @Test
    void usersAndRolesAreNamedAsNotRestoredUnlessAskedFor() {
        Path root = tmp.resolve("dump");
        DumpFixtures.collection(root.resolve("nextcrm"), "accounts", DumpFixtures.documents(3, "a"));
        DumpFixtures.bson(root.resolve("admin"), "system.users", DumpFixtures.users("nextcrm"), false);
        DumpFixtures.bson(root.resolve("admin"), "system.roles", DumpFixtures.roles("nextcrm"), false);
        DumpFixtures.bson(root.resolve("admin"), "system.version", List.of(org.bson.BsonDocument.parse("{\"_id\": \"authSchema\", \"currentVersion\": 5}")), false);
        MongoBackupContents plain = MongoBackupContents.read(root);
        assertThat(plain.usersAndRoles()).isEmpty();
        assertThat(plain.blocking()).extracting(LeftAside::reason)
                .anySatisfy(r -> assertThat(r).startsWith("users of every database (admin.system.users) are not restored. Fix: restore them with withUsersAndRoles()"))
                .anySatisfy(r -> assertThat(r).startsWith("roles of every database"));
        assertThat(plain.leftAside()).anySatisfy(l -> assertThat(l.reason()).startsWith("the auth schema version"));

        MongoBackupContents with = MongoBackupContents.read(root, MongoBackup.at(root).withUsersAndRoles().options());
        assertThat(with.usersAndRoles()).extracting(BackupCollection::kind).containsExactlyInAnyOrder(BackupCollection.Kind.USERS, BackupCollection.Kind.ROLES);
        assertThat(with.blocking()).isEmpty();
        MongoBackupContents without = MongoBackupContents.read(root, MongoBackup.at(root).withoutUsersAndRoles().options());
        assertThat(without.blocking()).isEmpty();
        assertThat(without.leftAside()).filteredOn(LeftAside::holdsData).hasSize(2).allMatch(LeftAside::acknowledged);

        // a single database dumped with --dumpDbUsersAndRoles
        Path db = tmp.resolve("one/nextcrm");
        DumpFixtures.collection(db, "accounts", DumpFixtures.documents(1, "a"));
        DumpFixtures.bson(db, "$admin.system.users", DumpFixtures.users("nextcrm"), false);
        MongoBackupContents one = MongoBackupContents.read(db, MongoBackup.at(db).withUsersAndRoles().options());
        assertThat(one.usersAndRoles()).singleElement().satisfies(u -> {
            assertThat(u.kind()).isEqualTo(BackupCollection.Kind.USERS);
            assertThat(u.database()).isEqualTo("nextcrm");
        });
    }

    @Test
    void viewsSystemCollectionsAndTheOplogAreClassified() {
        Path root = tmp.resolve("dump");
        Path db = root.resolve("nextcrm");
        DumpFixtures.collection(db, "accounts", DumpFixtures.documents(3, "a"));
        DumpFixtures.metadata(db, "active_accounts", DumpFixtures.viewMetadata("active_accounts", "accounts"));
        DumpFixtures.bson(db, "system.profile", DumpFixtures.documents(2, "p"), false);
        DumpFixtures.bson(db, "system.js", DumpFixtures.documents(1, "js"), false);
        DumpFixtures.metadata(db, "system.js", DumpFixtures.collectionMetadata("system.js"));
        DumpFixtures.bson(db, "system.sessions", DumpFixtures.documents(1, "s"), false);
        DumpFixtures.bson(root, "oplog", DumpFixtures.oplog(7, 1_700_000_000), false);
        MongoBackupContents c = MongoBackupContents.read(root);
        assertThat(c.collections()).extracting(BackupCollection::name, BackupCollection::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("accounts", BackupCollection.Kind.COLLECTION),
                org.assertj.core.groups.Tuple.tuple("system.js", BackupCollection.Kind.COLLECTION),
                org.assertj.core.groups.Tuple.tuple("active_accounts", BackupCollection.Kind.VIEW));
        assertThat(c.oplog()).hasValueSatisfying(o -> {
            assertThat(o.entries()).isEqualTo(7);
            assertThat(o.first()).contains(java.time.Instant.ofEpochSecond(1_700_000_000));
            assertThat(o.last()).contains(java.time.Instant.ofEpochSecond(1_700_000_006));
        });
        assertThat(c.leftAside()).extracting(l -> Path.of(l.location()).getFileName() + " blocking=" + l.blocking()).containsExactlyInAnyOrder(
                "system.profile.bson blocking=false", "system.sessions.bson blocking=true", "oplog.bson blocking=true");
        assertThat(MongoBackupContents.read(root, MongoBackup.at(root).withoutOplog().options()).blocking())
                .extracting(l -> Path.of(l.location()).getFileName().toString()).containsExactly("system.sessions.bson");
    }

    @Test
    void namespaceFiltersLeaveAsideOnPurpose() {
        Path root = tmp.resolve("dump");
        DumpFixtures.collection(root.resolve("crm"), "accounts", DumpFixtures.documents(2, "a"));
        DumpFixtures.collection(root.resolve("crm"), "sessions", DumpFixtures.documents(2, "s"));
        DumpFixtures.collection(root.resolve("billing"), "invoices", DumpFixtures.documents(2, "i"));
        BackupSource src = MongoBackup.at(root).nsInclude("crm.*").nsExclude("crm.sessions");
        MongoBackupContents c = MongoBackupContents.read(root, src.options());
        assertThat(c.collections()).extracting(BackupCollection::namespace).containsExactly("crm.accounts");
        assertThat(c.leftAside()).extracting(LeftAside::reason).containsExactlyInAnyOrder(
                "billing.invoices is not matched by nsInclude [crm.*]", "crm.sessions is excluded by nsExclude [crm.sessions]");
        assertThat(c.blocking()).isEmpty();
        assertThat(src.description()).contains("nsInclude [crm.*]").contains("nsExclude [crm.sessions]");
    }

    @Test
    void archivePreludeIsReadWithoutTheBody() {
        Path f = DumpFixtures.archive(tmp.resolve("full.archive.gz"), true, true, List.of(
                new DumpFixtures.Entry("crm", "accounts", "collection", DumpFixtures.collectionMetadata("accounts"), DumpFixtures.documents(4, "a")),
                new DumpFixtures.Entry("crm", "weather", "timeseries", DumpFixtures.timeseriesMetadata("weather"), DumpFixtures.buckets(2)),
                new DumpFixtures.Entry("crm", "active", "view", DumpFixtures.viewMetadata("active", "accounts"), List.of()),
                new DumpFixtures.Entry("admin", "system.users", "collection", null, DumpFixtures.users("crm")),
                new DumpFixtures.Entry("", "oplog", "", null, DumpFixtures.oplog(3, 1_700_000_000))));
        MongoBackupContents c = MongoBackupContents.read(f);
        assertThat(c.format()).isEqualTo(BackupFormat.ARCHIVE_GZIP);
        assertThat(c.collections()).extracting(BackupCollection::name, BackupCollection::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("accounts", BackupCollection.Kind.COLLECTION),
                org.assertj.core.groups.Tuple.tuple("weather", BackupCollection.Kind.TIMESERIES),
                org.assertj.core.groups.Tuple.tuple("active", BackupCollection.Kind.VIEW));
        assertThat(c.oplogLocation()).hasValueSatisfying(l -> assertThat(l).endsWith("namespace .oplog"));
        assertThat(c.blocking()).extracting(LeftAside::reason)
                .anySatisfy(r -> assertThat(r).startsWith("users of every database"))
                .anySatisfy(r -> assertThat(r).startsWith("the dump's oplog"));
    }
}
