package dev.rollback.mongo;

import dev.rollback.test.TestStepContext;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.InMemoryJournal;
import dev.rollback.mongo.internal.IndexSpecs;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Restore, dump and checks against a real wire-protocol server. Subclasses pick the server: the
 * in-process mongo-java-server always, a real MongoDB through Testcontainers when Docker is there.
 */
class MongoRestoreIT {
    static MongoTarget target;
    static MongoClient client;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        target = MongoTarget.startInProcess();
        client = MongoClients.create(target.uri());
    }

    @AfterAll
    static void stopServer() {
        client.close();
        target.close();
    }

    @BeforeEach
    void cleanDatabases() {
        for (String db : client.listDatabaseNames()) {
            if (!Set.of("admin", "local", "config").contains(db)) {
                client.getDatabase(db).drop();
            }
        }
    }

    Mongo mongo() {
        return Mongo.at(target.uri()).serverSelectionTimeout(Duration.ofSeconds(5));
    }

    TestStepContext ctx(String runId) {
        return TestStepContext.in(tmp.resolve("run-" + runId)).runId(runId);
    }

    static List<BsonDocument> all(MongoDatabase db, String collection) {
        return db.getCollection(collection, BsonDocument.class).find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
    }

    static Set<String> collections(MongoDatabase db) {
        return db.listCollectionNames().into(new HashSet<>());
    }

    // ---------------------------------------------------------------- real mongodump output

    @Test
    void restoresRealDumpWithSecondaryIndex() {
        RestoreResult r = mongo().database("test").restoreFrom(TestData.dump("coll_with_index/test")).run(ctx("r1"));
        MongoDatabase db = client.getDatabase("test");
        assertThat(r.collections()).extracting(RestoreResult.CollectionRestore::name).containsExactly("foo");
        assertThat(db.getCollection("foo").countDocuments()).isEqualTo(BsonFileReaderTest.countIn(TestData.dump("coll_with_index/test/foo.bson")));
        List<BsonDocument> indexes = db.getCollection("foo").listIndexes(BsonDocument.class).into(new ArrayList<>());
        assertThat(indexes).extracting(i -> i.getString("name").getValue()).containsExactlyInAnyOrder("_id_", "f_1");
        assertThat(r.collections().get(0).indexesCreated()).containsExactly("f_1");
    }

    static final String LONG_NAME = "aVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVery"
            + "VeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryLongCollectionNameConsistingOf"
            + "ExactlyTwoHundredAndFortySevenCharacters";

    @Test
    void restoresEscapedCollectionName() {
        mongo().database("db1").restoreFrom(TestData.dump("specialcharacter/db1")).run(ctx("r2"));
        assertThat(collections(client.getDatabase("db1"))).containsExactly("cafés");
        assertThat(client.getDatabase("db1").getCollection("cafés").countDocuments()).isEqualTo(1);
    }

    @Test
    void restoresLongCollectionNameFromMetadata() {
        if (target.isInProcess()) {
            // mongo-java-server caps namespaces at 128 bytes (MongoDB 4.4+ allows 255): the safe swap fails
            // with the server's message and the live database is left as it was.
            assertThatThrownBy(() -> mongo().database("db2").restoreFrom(TestData.dump("longcollectionname/db1")).run(ctx("r3")))
                    .isInstanceOf(MongoServerException.class)
                    .hasMessageContaining("into db2." + LONG_NAME)
                    .hasMessageContaining("ns name too long")
                    .hasMessageContaining("The swap was undone");
            assertThat(collections(client.getDatabase("db2"))).isEmpty();
        } else {
            mongo().database("db2").restoreFrom(TestData.dump("longcollectionname/db1")).run(ctx("r3"));
            assertThat(collections(client.getDatabase("db2"))).containsExactly(LONG_NAME);
        }
    }

    @Test
    void restoresGzipDumpAndIgnoresPrelude() {
        RestoreResult r = mongo().database("test").restoreFrom(TestData.dump("prelude_gzip/test")).run(ctx("r4"));
        assertThat(r.collections()).singleElement().satisfies(c -> assertThat(c.documentsRead()).isPositive());
        assertThat(client.getDatabase("test").getCollection("foo").countDocuments()).isEqualTo(r.collections().get(0).documentsRead());
    }

    @Test
    void restoresLegacyIndexKeysLikeMongorestore() {
        mongo().database("indextest").restoreFrom(TestData.dump("indextestdump/indextest")).run(ctx("r5"));
        MongoCollection<BsonDocument> c = client.getDatabase("indextest").getCollection("test_collection", BsonDocument.class);
        BsonDocument idx = c.listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                .filter(i -> i.getString("name").getValue().equals("a_1_b_true")).findFirst().orElseThrow();
        // {a: 1.0, b: true, c: Decimal128 0, d: ""} becomes {a: 1.0, b: 1, c: 1, d: 1}: mongo-tools converts true, zero and ""
        // and keeps 1.0 as it is
        assertThat(idx.getDocument("key").toJson()).isEqualTo("{\"a\": 1.0, \"b\": 1, \"c\": 1, \"d\": 1}");
        assertThat(c.countDocuments()).isEqualTo(BsonFileReaderTest.countIn(TestData.dump("indextestdump/indextest/test_collection.bson")));
        CheckResultAssert.passed(mongo().database("indextest").indexesMatch(MongoBackup.at(TestData.dump("indextestdump/indextest"))), ctx("r5"));
    }

    @Test
    void restoresHashedIndexes() {
        Path single = tmp.resolve("single");
        TestData.copy(TestData.dump("single"), single);
        mongo().database("test").restoreFrom(single).run(ctx("r6"));
        List<String> names = client.getDatabase("test").getCollection("hashedIndexes").listIndexes(BsonDocument.class)
                .map(i -> i.getString("name").getValue()).into(new ArrayList<>());
        assertThat(names).containsExactlyInAnyOrder("_id_", "a.a_1", "a.b_hashed", "b_hashed");
    }

    @Test
    void handlesTestdirsOddities() {
        Path root = TestData.dump("testdirs");
        assertThat(MongoBackupContents.read(root).databases()).containsExactly("db1");
        // c2 has no metadata file and c3 an empty one: refused before anything changes, unless the plan accepts it
        assertThatThrownBy(() -> mongo().database("db1").restoreFrom(root.resolve("db1")).run(ctx("r7")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("no metadata (.metadata.json) for [db1.c2")
                .hasMessageContaining("db1.c3").hasMessageContaining("withoutMetadata()").hasMessageContaining("Nothing was changed");
        assertThat(collections(client.getDatabase("db1"))).isEmpty();
        RestoreResult r = mongo().database("db1").restoreFrom(MongoBackup.at(root.resolve("db1")).withoutMetadata()).run(ctx("r7"));
        MongoDatabase db = client.getDatabase("db1");
        // c2: empty .bson, no metadata; c3: empty .bson, empty metadata; both restore as empty collections
        assertThat(collections(db)).containsExactlyInAnyOrder("c1", "c2", "c3", "c4");
        assertThat(db.getCollection("c2").countDocuments()).isZero();
        assertThat(db.getCollection("c3").countDocuments()).isZero();
        assertThat(db.getCollection("c1").countDocuments()).isEqualTo(BsonFileReaderTest.countIn(root.resolve("db1/c1.bson")));
        assertThat(r.collections()).hasSize(4);
        // without metadata there are no index definitions to compare: indexesMatch says so, unless the plan accepted it
        CheckResult noMeta = CheckResultAssert.run(mongo().database("db1").indexesMatch(MongoBackup.at(root.resolve("db1"))), ctx("c"));
        assertThat(noMeta.isPassed()).isFalse();
        assertThat(noMeta.message()).contains("db1.c2: the backup has no metadata").contains("db1.c3: the backup has no metadata");
        CheckResultAssert.passed(mongo().database("db1").indexesMatch(MongoBackup.at(root.resolve("db1")).withoutMetadata()), ctx("c"));
        // db2 holds only files that are not BSON: nothing to restore, said clearly, nothing changed
        assertThatThrownBy(() -> mongo().database("db2").restoreFrom(root.resolve("db2")).run(ctx("r8")))
                .isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining("holds nothing to restore").hasMessageContaining("not a .bson").hasMessageContaining("Nothing was changed");
        assertThat(collections(client.getDatabase("db2"))).isEmpty();
    }

    // ---------------------------------------------------------------- round trip

    static List<BsonDocument> richDocuments(int n) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new BsonDocument("_id", new BsonObjectId(new ObjectId()))
                    .append("i", new BsonInt32(i))
                    .append("long", new BsonInt64(1L << 40 | i))
                    .append("double", new BsonDouble(i / 3.0))
                    .append("price", new BsonDecimal128(new Decimal128(new BigDecimal("1234567.890123456789").add(BigDecimal.valueOf(i)))))
                    .append("at", new BsonDateTime(1_700_000_000_000L + i))
                    .append("bin", new BsonBinary(new byte[]{0, 1, 2, (byte) 255, (byte) i}))
                    .append("uuid", new BsonBinary(UUID.nameUUIDFromBytes(("u" + i).getBytes()), org.bson.UuidRepresentation.STANDARD))
                    .append("name", new BsonString("naïve café ✓ " + i))
                    .append("flag", BsonBoolean.valueOf(i % 2 == 0))
                    .append("nothing", BsonNull.VALUE)
                    .append("nested", new BsonDocument("a", new BsonArray(List.of(new BsonInt32(1),
                            new BsonArray(List.of(new BsonString("x"), new BsonDocument("deep", new BsonInt32(i)))))))
                            .append("b", new BsonDocument("c", new BsonDocument("d", new BsonString("e"))))));
        }
        return docs;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void roundTripKeepsEveryDocumentAndIndex(boolean gzip) {
        MongoDatabase db = client.getDatabase("crm");
        List<BsonDocument> users = richDocuments(2500);
        db.getCollection("users", BsonDocument.class).insertMany(users);
        db.getCollection("users").createIndex(Indexes.ascending("i"), new IndexOptions().unique(true).name("i_unique"));
        db.getCollection("users").createIndex(Indexes.compoundIndex(Indexes.ascending("name"), Indexes.descending("at")));
        db.getCollection("empty").drop();
        db.createCollection("empty");
        List<BsonDocument> originalUsers = all(db, "users");
        List<BsonDocument> originalIndexes = db.getCollection("users").listIndexes(BsonDocument.class).into(new ArrayList<>());

        MongoDump dump = mongo().database("crm").dump().to(tmp.resolve("dump"));
        DumpResult dumped = (gzip ? dump.gzip() : dump).run(ctx("d1"));
        assertThat(dumped.directory()).isEqualTo(tmp.resolve("dump/crm"));
        assertThat(dumped.documents()).isEqualTo(2500);
        assertThat(Files.exists(dumped.directory().resolve(gzip ? "users.bson.gz" : "users.bson"))).isTrue();
        assertThat(Files.exists(dumped.directory().resolve(gzip ? "users.metadata.json.gz" : "users.metadata.json"))).isTrue();

        CollectionMetadata meta = CollectionMetadata.read(dumped.directory().resolve(gzip ? "users.metadata.json.gz" : "users.metadata.json")).orElseThrow();
        assertThat(meta.collectionName()).isEqualTo("users");
        assertThat(meta.type()).isEqualTo("collection");
        assertThat(meta.indexes()).extracting(IndexSpecs::comparable).containsExactlyElementsOf(originalIndexes.stream().map(IndexSpecs::comparable).toList());

        db.drop();
        assertThat(collections(db)).isEmpty();

        RestoreResult r = mongo().database("crm").restoreFrom(dumped.directory()).batchSize(700).parallelCollections(2).run(ctx("r9"));
        assertThat(r.documentsInserted()).isEqualTo(2500);
        assertThat(all(db, "users")).isEqualTo(originalUsers);
        assertThat(collections(db)).containsExactlyInAnyOrder("users", "empty");
        List<BsonDocument> restoredIndexes = db.getCollection("users").listIndexes(BsonDocument.class).into(new ArrayList<>());
        assertThat(restoredIndexes).extracting(IndexSpecs::comparable).containsExactlyInAnyOrderElementsOf(originalIndexes.stream().map(IndexSpecs::comparable).toList());
        CheckResultAssert.passed(mongo().database("crm").countsMatch(MongoBackup.at(dumped.directory())), ctx("c"));
        CheckResultAssert.passed(mongo().database("crm").indexesMatch(MongoBackup.at(dumped.directory())), ctx("c"));
    }

    // ---------------------------------------------------------------- safe swap

    @Test
    void safeSwapReplacesLiveDataAndKeepsThePreviousForForensics() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(10));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d2"));
        List<BsonDocument> backupUsers = all(db, "users");
        // after the backup, the live data changes
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(5));
        db.getCollection("unrelated").insertOne(new org.bson.Document("keep", 1));

        TestStepContext first = ctx("run-0001-swap");
        RestoreResult r = mongo().database("crm").restoreFrom(dumped.directory()).run(first);
        assertThat(r.strategy()).isEqualTo(RestoreStrategy.SAFE_SWAP);
        // the data-loss window, measured at the swap: the 5 documents written after the backup
        assertThat(r.collections().get(0).writtenSinceBackup()).isEqualTo(5);
        assertThat(all(db, "users")).isEqualTo(backupUsers);
        String previous = r.collections().get(0).previousData();
        assertThat(previous).isEqualTo("users_before_0001swap");
        assertThat(db.getCollection(previous).countDocuments()).isEqualTo(15);
        assertThat(db.getCollection("unrelated").countDocuments()).isEqualTo(1);
        assertThat(collections(db)).noneMatch(n -> n.startsWith("rbtmp_"));

        // re-running the same step (as a resume does, with the step's memory) is safe: nothing moves again
        RestoreResult again = mongo().database("crm").restoreFrom(dumped.directory()).run(first.resumed());
        assertThat(again.collections().get(0).previousData()).isEqualTo(previous);
        assertThat(db.getCollection(previous).countDocuments()).isEqualTo(15);
        assertThat(all(db, "users")).isEqualTo(backupUsers);
        assertThat(collections(db)).containsExactlyInAnyOrder("users", previous, "unrelated");
        // without the memory, a kept collection it cannot account for is refused, not dropped or overwritten
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(dumped.directory()).run(ctx("run-0001-swap")))
                .isInstanceOf(MongoRestoreFailedException.class).hasMessageContaining("crm." + previous + " already exists")
                .hasMessageContaining("Nothing was changed");
        assertThat(db.getCollection(previous).countDocuments()).isEqualTo(15);
        assertThat(all(db, "users")).isEqualTo(backupUsers);
    }

    /**
     * The broken inputs of the real test data (mongo-tools' own: a truncated file, a bad C string,
     * random bytes), each as a collection of a dump folder next to a good one, and random bytes given
     * as an archive: {@code readable()} fails naming the file, the restore refuses, and the live
     * collections are exactly as they were, with no temporary collection left.
     */
    @ParameterizedTest
    @ValueSource(strings = {"partial_file.bson", "bad_cstring.bson", "random_bytes.bson"})
    void theBrokenBsonOfTheTestDataIsRefusedBeforeAnythingChanges(String broken) throws IOException {
        MongoDatabase live = client.getDatabase("crm");
        live.getCollection("users", BsonDocument.class).insertMany(richDocuments(20));
        live.getCollection("accounts").insertOne(new org.bson.Document("live", true));
        List<BsonDocument> usersBefore = all(live, "users");
        List<BsonDocument> accountsBefore = all(live, "accounts");
        Path db = tmp.resolve("broken/crm");
        DumpFixtures.collection(db, "accounts", DumpFixtures.documents(5, "a"));
        Files.copy(TestData.dump("bson/" + broken), db.resolve("users.bson"));
        DumpFixtures.metadata(db, "users", DumpFixtures.collectionMetadata("users"));

        assertThatThrownBy(() -> MongoBackup.at(db).readable().check(ctx("c")))
                .isInstanceOf(CorruptBackupException.class).hasMessageContaining(db.resolve("users.bson").toString())
                .hasMessageContaining("offset ").hasMessageContaining("Fix: take the backup again");
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(db).run(ctx("broken")))
                .isInstanceOf(MongoRestoreFailedException.class).hasMessageContaining(db.resolve("users.bson").toString())
                .hasMessageContaining("live collections are untouched");
        assertThat(collections(live)).containsExactlyInAnyOrder("users", "accounts");
        assertThat(all(live, "users")).isEqualTo(usersBefore);
        assertThat(all(live, "accounts")).isEqualTo(accountsBefore);
    }

    @Test
    void randomBytesGivenAsAnArchiveAreNamedAsNoDumpAndNothingChanges() throws IOException {
        MongoDatabase live = client.getDatabase("crm");
        live.getCollection("users").insertOne(new org.bson.Document("live", true));
        byte[] random = Files.readAllBytes(TestData.dump("bson/random_bytes.bson"));
        Path plain = Files.write(tmp.resolve("nightly.archive"), random);
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(plain).run(ctx("rb1")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining(plain.toString())
                .hasMessageContaining("not a mongodump archive").hasMessageContaining("Nothing was changed")
                .hasMessageContaining("Fix: give the archive mongodump --archive wrote");
        assertThatThrownBy(() -> MongoBackup.at(plain).readable().check(ctx("c")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("not a mongodump archive");
        // the same bytes gzipped: a gzip stream, but no archive inside
        Path gz = tmp.resolve("nightly.archive.gz");
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(random);
        }
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(gz).run(ctx("rb2")))
                .hasMessageContaining(gz.toString()).hasMessageContaining("archive magic");
        assertThat(collections(live)).containsExactly("users");
        assertThat(live.getCollection("users").countDocuments()).isEqualTo(1);
    }

    /**
     * A dump as a backup job leaves it for others to read (shared/testdata is root-owned, files 0444,
     * folders 0555): restored, checked, and left byte for byte and mode for mode as it was — the
     * library never writes into a backup.
     */
    @Test
    void aReadOnlyWorldReadableDumpIsRestoredAndLeftAsItWas() throws IOException {
        Path root = TestData.copy(TestData.dump("prelude_gzip"), tmp.resolve("readonly"));
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
        Map<String, String> before = treeState(root);

        RestoreResult r = mongo().database("test").restoreFrom(root.resolve("test")).run(ctx("ro"));
        CheckResultAssert.passed(MongoBackup.at(root.resolve("test")).readable(), ctx("c"));
        CheckResultAssert.passed(mongo().database("test").countsMatch(MongoBackup.at(root.resolve("test"))), ctx("c"));

        assertThat(r.collections()).extracting(RestoreResult.CollectionRestore::name).containsExactly("foo");
        assertThat(client.getDatabase("test").getCollection("foo").countDocuments()).isPositive();
        assertThat(treeState(root)).isEqualTo(before);
    }

    /** Every file and folder under root: its mode, and for files the bytes' hash and the modification time. */
    static Map<String, String> treeState(Path root) throws IOException {
        Map<String, String> state = new java.util.TreeMap<>();
        try (var s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                state.put(root.relativize(p).toString(), Files.isDirectory(p) ? mode
                        : mode + " " + Files.getLastModifiedTime(p) + " " + java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return state;
    }

    @Test
    void truncatedBsonUnderSafeSwapLeavesLiveDataUntouched() throws IOException {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(300));
        db.getCollection("orders", BsonDocument.class).insertMany(richDocuments(50));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d3"));
        List<BsonDocument> liveUsers = all(db, "users");
        Path usersFile = dumped.directory().resolve("users.bson");
        long size = Files.size(usersFile);
        byte[] bytes = Files.readAllBytes(usersFile);
        try (OutputStream out = Files.newOutputStream(usersFile)) {
            out.write(bytes, 0, (int) (size - 37));
        }
        db.getCollection("users").deleteMany(new org.bson.Document("i", new org.bson.Document("$gte", 250)));
        List<BsonDocument> liveNow = all(db, "users");

        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(dumped.directory()).run(ctx("r10")))
                .isInstanceOf(MongoRestoreFailedException.class)
                .hasMessageContaining(usersFile.toString())
                .hasMessageContaining("offset ")
                .hasMessageContaining("truncated")
                .hasMessageContaining("live collections are untouched");
        assertThat(all(db, "users")).isEqualTo(liveNow).hasSize(250);
        assertThat(liveUsers).hasSize(300);
        assertThat(db.getCollection("orders").countDocuments()).isEqualTo(50);
        assertThat(collections(db)).containsExactlyInAnyOrder("users", "orders");
    }

    @Test
    void replaceExistingDropsThenRestores() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(20));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d4"));
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(3));
        RestoreResult r = mongo().database("crm").restoreFrom(dumped.directory()).replaceExisting().run(ctx("r11"));
        assertThat(r.collections().get(0).previousData()).isEmpty();
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(20);
        assertThat(collections(db)).containsExactly("users");
    }

    @Test
    void mergeKeepsExistingDocumentsAndAddsMissingOnes() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(20));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d5"));
        db.getCollection("users").deleteMany(new org.bson.Document("i", new org.bson.Document("$lt", 5)));
        RestoreResult r = mongo().database("crm").restoreFrom(dumped.directory()).strategy(RestoreStrategy.MERGE).run(ctx("r12"));
        assertThat(r.collections().get(0).documentsRead()).isEqualTo(20);
        assertThat(r.collections().get(0).documentsInserted()).isEqualTo(5);
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(20);
    }

    @Test
    void restoresOnlyChosenCollectionsAndRejectsUnknownOnes() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("a", BsonDocument.class).insertMany(richDocuments(3));
        db.getCollection("b", BsonDocument.class).insertMany(richDocuments(4));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).collections("a").run(ctx("d6"));
        assertThat(dumped.collections()).extracting(DumpResult.CollectionDump::name).containsExactly("a");
        db.drop();
        mongo().database("crm").restoreFrom(dumped.directory()).collections("a").run(ctx("r13"));
        assertThat(collections(db)).containsExactly("a");
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(dumped.directory()).collections("zzz").run(ctx("r14")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("[zzz]").hasMessageContaining("[a]");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void corruptMetadataIsNamedAndNothingIsChanged() throws IOException {
        Path dir = TestData.copy(TestData.dump("foodump/test"), tmp.resolve("foo"));
        Files.writeString(dir.resolve("foo.metadata.json"), "{\"options\":{},\"indexes\":[{\"v\":");
        client.getDatabase("test").getCollection("foo").insertOne(new org.bson.Document("live", true));
        assertThatThrownBy(() -> mongo().database("test").restoreFrom(dir).run(ctx("r15")))
                .isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining(dir.resolve("foo.metadata.json").toString())
                .hasMessageContaining("not valid extended JSON");
        assertThat(all(client.getDatabase("test"), "foo")).singleElement().satisfies(d -> assertThat(d.getBoolean("live").getValue()).isTrue());
    }

    @Test
    void missingBackupFolderFailsClearly() {
        Path nowhere = tmp.resolve("no-such-backup");
        assertThatThrownBy(() -> mongo().database("x").restoreFrom(nowhere).run(ctx("r16")))
                .isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining(nowhere.toString()).hasMessageContaining("does not exist").hasMessageContaining("Nothing was changed");
    }

    @Test
    void unreachableServerFailsWithinTheShortTimeout() {
        Mongo nowhere = Mongo.at("mongodb://app:s3cretPassw0rd@127.0.0.1:9/?directConnection=true").serverSelectionTimeout(Duration.ofMillis(700));
        long start = System.nanoTime();
        assertThatThrownBy(() -> nowhere.database("crm").restoreFrom(TestData.dump("foodump/test")).run(ctx("r17")))
                .isInstanceOf(MongoServerException.class)
                .hasMessageContaining("Could not reach MongoDB at mongodb://app:******@127.0.0.1:9")
                .hasMessageContaining("700 ms")
                .hasMessageContaining("Nothing was changed")
                .hasMessageNotContaining("s3cretPassw0rd");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        // Not a timing assertion on speed: it proves the configured timeout is used rather than the driver's 30 s.
        assertThat(elapsedMs).isLessThan(20_000);
        assertThatThrownBy(() -> nowhere.ping().check(ctx("p"))).isInstanceOf(MongoServerException.class);
    }

    // ---------------------------------------------------------------- checks

    @Test
    void checksReportMeasuredAgainstExpected() {
        MongoDatabase db = client.getDatabase("test");
        Path backup = TestData.dump("coll_with_index/test");
        BackupSource source = MongoBackup.at(backup);
        CheckResult before = CheckResultAssert.run(mongo().database("test").countsMatch(source), ctx("c1"));
        assertThat(before.isPassed()).isFalse();
        assertThat(before.message()).contains("foo: missing");
        mongo().database("test").restoreFrom(backup).run(ctx("r18"));
        CheckResultAssert.passed(mongo().ping(), ctx("c2"));
        CheckResultAssert.passed(mongo().database("test").countsMatch(source), ctx("c3"));
        CheckResultAssert.passed(mongo().database("test").indexesMatch(source), ctx("c4"));
        CheckResultAssert.passed(mongo().database("test").countAtLeast("foo", 1), ctx("c5"));
        CheckResult tooMany = CheckResultAssert.run(mongo().database("test").countAtLeast("foo", 1_000), ctx("c6"));
        assertThat(tooMany.isPassed()).isFalse();
        assertThat(tooMany.expected()).isEqualTo("at least 1000");
        BsonDocument any = db.getCollection("foo", BsonDocument.class).find().first();
        CheckResultAssert.passed(mongo().database("test").findOne("foo", new BsonDocument("_id", any.get("_id")).toJson()), ctx("c7"));
        assertThat(CheckResultAssert.run(mongo().database("test").findOne("foo", "{\"nope\": 42}"), ctx("c8")).isPassed()).isFalse();
        db.getCollection("foo").dropIndex("f_1");
        CheckResult idx = CheckResultAssert.run(mongo().database("test").indexesMatch(source), ctx("c9"));
        assertThat(idx.isPassed()).isFalse();
        assertThat(idx.message()).contains("missing index f_1");
        assertThatThrownBy(() -> mongo().database("test").findOne("foo", "{not json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid extended JSON");
    }

    // ---------------------------------------------------------------- the seed as a plan

    @Test
    void seedPlanFindsNewestBackupChecksItAndRestoresThroughTheRunner() throws IOException {
        MongoDatabase db = client.getDatabase("nextcrm");
        db.getCollection("accounts", BsonDocument.class).insertMany(richDocuments(40));
        db.getCollection("contacts", BsonDocument.class).insertMany(richDocuments(60));
        Path backups = tmp.resolve("backups");
        Path old = backups.resolve("production-2025-11-01");
        Path newest = backups.resolve("production-2025-11-05");
        mongo().database("nextcrm").dump().to(old.resolve("mongodb-backup")).gzip().run(ctx("d7"));
        db.getCollection("accounts", BsonDocument.class).insertMany(richDocuments(2));
        mongo().database("nextcrm").dump().to(newest.resolve("mongodb-backup")).gzip().run(ctx("d8"));
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(newest, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
        Files.createDirectories(backups.resolve("staging-2099-01-01"));
        db.drop();
        db.getCollection("accounts").insertOne(new org.bson.Document("postgres-era", true));

        MongoBackup.Latest backup = MongoBackup.in(backups).matching("production-*").databaseFolder("mongodb-backup/nextcrm").latest();
        MongoDb crm = mongo().database("nextcrm");
        RollbackPlan plan = Rollback.plan("back-to-mongo")
                .precheck(mongo().ping())
                .precheck(backup.collectionsAtLeast(2))
                .precheck(backup.readable())
                .capture(crm.dump())
                .restore(crm.restoreFrom(backup))
                .verify(crm.countsMatch(backup))
                .verify(crm.indexesMatch(backup))
                .build();
        RunReport report = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("ops@example.com")).run(plan);
        assertThat(report.isSuccess()).as(String.valueOf(report.failureIfAny())).isTrue();
        assertThat(report.outputs()).containsEntry("mongo.backup.path", newest.resolve("mongodb-backup/nextcrm").toAbsolutePath().toString());
        assertThat(report.outputs().get("mongo.dump.path")).endsWith("mongodump/nextcrm");
        assertThat(db.getCollection("accounts").countDocuments()).isEqualTo(42);
        assertThat(db.getCollection("contacts").countDocuments()).isEqualTo(60);
        assertThat(report.outputs().get("mongo.restore.previous")).startsWith("accounts_before_");
        assertThat(db.getCollection(report.outputs().get("mongo.restore.previous")).countDocuments()).isEqualTo(1);

        // the same plan against a backup with too few collections stops at the precheck: nothing is touched
        RollbackPlan strict = Rollback.plan("back-to-mongo-strict")
                .precheck(backup.collectionsAtLeast(26))
                .restore(crm.restoreFrom(backup).replaceExisting())
                .withoutCapture("test")
                .build();
        RunReport refused = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("ops")).run(strict);
        assertThat(refused.isSuccess()).isFalse();
        assertThat(refused.failureIfAny().orElseThrow().message()).contains("holds only 2 collections");
        assertThat(db.getCollection("accounts").countDocuments()).isEqualTo(42);
    }
    @Test
    void resumedRunUsesTheSameBackupAfterAFailedSafeRestore() throws IOException {
        MongoDatabase db = client.getDatabase("nextcrm");
        db.getCollection("accounts", BsonDocument.class).insertMany(richDocuments(30));
        Path backups = tmp.resolve("backups");
        Path chosen = backups.resolve("production-1/nextcrm");
        mongo().database("nextcrm").dump().to(backups.resolve("production-1")).run(ctx("d9"));
        Files.setLastModifiedTime(backups.resolve("production-1"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Path file = chosen.resolve("accounts.bson");
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 5));
        db.getCollection("accounts").insertOne(new org.bson.Document("live", "postgres-era"));

        MongoBackup.Latest backup = MongoBackup.in(backups).matching("production-*").databaseFolder("nextcrm").latest();
        RollbackPlan plan = Rollback.plan("resume-mongo")
                .step(backup)
                .checkpoint("backup-chosen")
                .restore(mongo().database("nextcrm").restoreFrom(backup))
                .verify(mongo().database("nextcrm").countsMatch(backup))
                .withoutCapture("test: the safe swap keeps the replaced data")
                .build();
        dev.rollback.core.journal.FileJournal journal = dev.rollback.core.journal.FileJournal.in(tmp.resolve("journal"));
        RunReport failed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(failed.isSuccess()).isFalse();
        assertThat(failed.failureIfAny().orElseThrow().message()).contains("accounts.bson").contains("live collections are untouched");
        assertThat(db.getCollection("accounts").countDocuments()).isEqualTo(31);

        // the backup is repaired, and meanwhile a newer (empty-handed) backup folder appears
        Files.write(file, good);
        Files.createDirectories(backups.resolve("production-2/nextcrm"));
        RunReport resumed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).resume(plan, failed.runId());
        assertThat(resumed.isSuccess()).as(String.valueOf(resumed.failureIfAny())).isTrue();
        assertThat(resumed.outputs().get("mongo.backup.path")).isEqualTo(chosen.toAbsolutePath().toString());
        assertThat(db.getCollection("accounts").countDocuments()).isEqualTo(30);
        assertThat(db.getCollection(resumed.outputs().get("mongo.restore.previous")).countDocuments()).isEqualTo(31);
    }
    @Test
    void documentsNearTheSixteenMegabyteLimitRoundTrip() {
        MongoDatabase db = client.getDatabase("big");
        byte[] payload = new byte[15 * 1024 * 1024];
        new java.util.Random(7).nextBytes(payload);
        List<BsonDocument> docs = List.of(
                new BsonDocument("_id", new BsonInt32(1)).append("blob", new BsonBinary(payload)),
                new BsonDocument("_id", new BsonInt32(2)).append("blob", new BsonBinary(java.util.Arrays.copyOf(payload, 1024))),
                new BsonDocument("_id", new BsonInt32(3)).append("blob", new BsonBinary(payload)));
        for (BsonDocument d : docs) {
            db.getCollection("files", BsonDocument.class).insertOne(d);
        }
        DumpResult dumped = mongo().database("big").dump().to(tmp.resolve("dump")).gzip().run(ctx("d10"));
        db.drop();
        mongo().database("big").restoreFrom(dumped.directory()).run(ctx("r19"));
        assertThat(all(db, "files")).isEqualTo(docs);
    }

    @Test
    void dropDatabaseStepDropsThroughTheRunnerWithApproval() {
        MongoDatabase db = client.getDatabase("nextcrm");
        db.getCollection("accounts").insertOne(new org.bson.Document("x", 1));
        RollbackPlan plan = Rollback.plan("drop-it").capture(mongo().database("nextcrm").dump())
                .step(mongo().database("nextcrm").dropDatabase()).build();
        RunReport r = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("dba@example.com")).run(plan);
        assertThat(r.isSuccess()).as(String.valueOf(r.failureIfAny())).isTrue();
        assertThat(client.listDatabaseNames().into(new ArrayList<>())).doesNotContain("nextcrm");
        // the capture before it kept the data
        assertThat(MongoBackupContents.read(Path.of(r.outputs().get("mongo.dump.path"))).collectionNames()).containsExactly("accounts");
    }
    @Test
    void legacyCollectionOptionsAreAdaptedLikeMongorestore() throws IOException {
        Path dir = TestData.copy(TestData.dump("foodump/test"), tmp.resolve("opts"));
        Files.writeString(dir.resolve("foo.metadata.json"), "{\"options\":{\"autoIndexId\":false},\"indexes\":[{\"v\":1,"
                + "\"key\":{\"_id\":1},\"name\":\"_id_\",\"ns\":\"test.foo\"},{\"v\":1,\"key\":{\"n\":1.0},\"name\":\"n_1\","
                + "\"ns\":\"test.foo\",\"unique\":true}],\"collectionName\":\"foo\"}");
        RestoreResult r = mongo().database("test").restoreFrom(dir).run(ctx("r20"));
        assertThat(r.collections().get(0).indexesCreated()).containsExactly("n_1");
        CheckResultAssert.passed(mongo().database("test").indexesMatch(MongoBackup.at(dir)), ctx("c"));
    }
    @Test
    void aSwapThatFailsHalfwayIsUndone() throws IOException {
        if (!target.isInProcess()) {
            // On a real MongoDB the long name is valid, so there is no swap failure to provoke; the rest of the suite covers it.
            mongo().database("db2").restoreFrom(TestData.dump("longcollectionname/db1")).run(ctx("r21"));
            return;
        }
        // "a" sorts before the long name: it is swapped first, then the long name fails (128-byte limit of
        // mongo-java-server) and the swap of "a" must be undone.
        Path dir = TestData.copy(TestData.dump("longcollectionname/db1"), tmp.resolve("swap"));
        MongoDatabase db = client.getDatabase("db2");
        db.getCollection("a", BsonDocument.class).insertMany(richDocuments(3));
        mongo().database("db2").dump().to(tmp.resolve("adump")).run(ctx("d11"));
        Files.copy(tmp.resolve("adump/db2/a.bson"), dir.resolve("a.bson"));
        Files.copy(tmp.resolve("adump/db2/a.metadata.json"), dir.resolve("a.metadata.json"));
        db.getCollection("a").deleteMany(new org.bson.Document());
        db.getCollection("a").insertOne(new org.bson.Document("_id", "live-only"));
        List<BsonDocument> liveBefore = all(db, "a");

        assertThatThrownBy(() -> mongo().database("db2").restoreFrom(dir).run(ctx("r22")))
                .isInstanceOf(MongoServerException.class).hasMessageContaining("The swap was undone");
        assertThat(all(db, "a")).isEqualTo(liveBefore);
        assertThat(collections(db)).containsExactly("a");
    }
    @Test
    void truncatedBsonUnderReplaceExistingSaysWhatIsLeft() throws IOException {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(100));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d12"));
        Path usersFile = dumped.directory().resolve("users.bson");
        byte[] bytes = Files.readAllBytes(usersFile);
        Files.write(usersFile, java.util.Arrays.copyOf(bytes, bytes.length - 11));
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(dumped.directory()).replaceExisting().run(ctx("r23")))
                .isInstanceOf(MongoRestoreFailedException.class)
                .hasMessageContaining(usersFile.toString())
                .hasMessageContaining("may be dropped and partially restored")
                .hasMessageContaining("Re-running the step drops and restores them again")
                .satisfies(e -> assertThat(((MongoRestoreFailedException) e).failedCollections()).containsExactly("crm.users"));
        // the prechecks would have caught it before anything was dropped
        assertThatThrownBy(() -> MongoBackup.at(dumped.directory()).readable().check(ctx("c")))
                .isInstanceOf(CorruptBackupException.class).hasMessageContaining("users.bson");
    }

    // ---------------------------------------------------------------- issue 19: what a crashed or resumed run leaves

    @Test
    void abandonCleanUpDropsThisRunsTemporariesAndNothingElse() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(20));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d13"));
        db.getCollection("users_before_earlier1").insertOne(new org.bson.Document("kept", true));
        TestStepContext run = ctx("20260101-000000-ab12");
        MongoPrepare prepare = mongo().database("crm").prepare(MongoBackup.at(dumped.directory()));
        prepare.execute(run);
        assertThat(collections(db)).contains("rbtmp_0000ab12_users");
        MongoRestore restore = mongo().database("crm").restoreFrom(dumped.directory());
        List<String> removed = restore.cleanUp(run.resumed());
        assertThat(removed).containsExactly("collection crm.rbtmp_0000ab12_users");
        assertThat(collections(db)).containsExactlyInAnyOrder("users", "users_before_earlier1");
        assertThat(prepare.cleanUp(run.resumed())).isEmpty();
    }

    @Test
    void aLaterRunRemovesTheTemporariesACrashedRunLeftAndSaysSo() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(5));
        DumpResult dumped = mongo().database("crm").dump().to(tmp.resolve("dump")).run(ctx("d14"));
        db.getCollection("rbtmp_deadbeef_users").insertOne(new org.bson.Document("half", "restored"));
        TestStepContext later = ctx("run-later-1");
        mongo().database("crm").restoreFrom(dumped.directory()).execute(later);
        assertThat(collections(db)).noneMatch(n -> n.startsWith("rbtmp_"));
        assertThat(later.outputs().get("mongo.restore.removedLeftovers")).contains("crm.rbtmp_deadbeef_users");
        assertThat(later.progress()).anySatisfy(p -> assertThat(p).contains("an earlier, crashed run left").contains("crm.rbtmp_deadbeef_users"));
        assertThat(later.outputs()).containsEntry("kept.mongo.before.crm.users",
                "collection crm.users_before_unlater1 (pre-rollback data of crm.users; db.getSiblingDB(\"crm\").users_before_unlater1.drop() "
                        + "once the team is satisfied)");
        assertThat(later.outputs()).containsEntry("mongo.restore.leftAside", "nothing");
    }

    @Test
    void forensicDumpsLeaveOutTheLibrarysOwnCollectionsAndAreTakenOncePerRun() throws IOException {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(4));
        for (String own : List.of("users_before_ab12cd34", "rbtmp_ab12cd34_users", "users_meanwhile_ab12cd34", "rbold_ab12cd34_0123456789abcdef")) {
            db.getCollection(own).insertOne(new org.bson.Document("own", own));
        }
        TestStepContext capture = ctx("run-dump-once");
        MongoDump dump = mongo().database("crm").dump();
        DumpResult first = dump.run(capture);
        assertThat(first.collections()).extracting(DumpResult.CollectionDump::name).containsExactly("users");
        assertThat(first.skipped()).hasSize(4).allSatisfy(x -> assertThat(x).contains("a collection of the rollback library"));
        try (var files = Files.list(first.directory())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("users.bson", "users.metadata.json");
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(first.directory().resolve("users.bson"))))
                .isEqualTo("rw-------");
        byte[] before = Files.readAllBytes(first.directory().resolve("users.bson"));
        // the restore changes the live data; a resume runs the capture again: the files stand as they were
        db.getCollection("users").insertOne(new org.bson.Document("after", "the capture"));
        DumpResult again = dump.run(capture.resumed());
        assertThat(again.documents()).isEqualTo(4);
        assertThat(Files.readAllBytes(first.directory().resolve("users.bson"))).isEqualTo(before);
    }

    @Test
    void oplogReplayIsRefusedWhenThePlanIsBuilt() {
        MongoRestore replay = mongo().database("crm").restoreFrom(TestData.dump("testdirs")).withOplogReplay();
        assertThatThrownBy(() -> Rollback.plan("replay").capture(mongo().database("crm").dump()).restore(replay).build())
                .hasMessageContaining("Oplog replay is not supported").hasMessageContaining("withoutOplog()");
    }

    // ---------------------------------------------------------------- issue 14: every layout mongodump writes

    private Path dumpRoot() {
        Path root = tmp.resolve("root");
        DumpFixtures.collection(root.resolve("crm"), "accounts", DumpFixtures.documents(30, "crm-a"), "{\"v\": 2, \"key\": {\"i\": 1}, \"name\": \"i_1\"}");
        DumpFixtures.collection(root.resolve("crm"), "sessions", DumpFixtures.documents(5, "crm-s"));
        DumpFixtures.collection(root.resolve("billing"), "invoices", DumpFixtures.documents(12, "bill-i"));
        return root;
    }

    @Test
    void aDumpRootRestoresEveryDatabaseWithNamespaceOptions() {
        Path root = dumpRoot();
        RestoreResult all = mongo().restoreFrom(MongoBackup.at(root)).run(ctx("root1"));
        assertThat(all.database()).isEmpty();
        assertThat(all.collections()).extracting(RestoreResult.CollectionRestore::namespace)
                .containsExactlyInAnyOrder("billing.invoices", "crm.accounts", "crm.sessions");
        assertThat(client.getDatabase("crm").getCollection("accounts").countDocuments()).isEqualTo(30);
        assertThat(client.getDatabase("billing").getCollection("invoices").countDocuments()).isEqualTo(12);
        CheckResultAssert.passed(mongo().countsMatch(MongoBackup.at(root)), ctx("c"));
        CheckResultAssert.passed(mongo().indexesMatch(MongoBackup.at(root)), ctx("c"));

        // nsInclude / nsExclude / nsFrom-nsTo, as mongorestore has them
        BackupSource renamed = MongoBackup.at(root).nsInclude("crm.*").nsExclude("crm.sessions").nsRename("crm.*", "crm_restored.*");
        RestoreResult r = mongo().restoreFrom(renamed).run(ctx("root2"));
        assertThat(r.collections()).extracting(RestoreResult.CollectionRestore::namespace).containsExactly("crm_restored.accounts");
        assertThat(r.leftAside()).extracting(LeftAside::reason).contains("crm.sessions is excluded by nsExclude [crm.sessions]",
                "billing.invoices is not matched by nsInclude [crm.*]");
        assertThat(collections(client.getDatabase("crm_restored"))).containsExactly("accounts");
        CheckResultAssert.passed(mongo().database("crm_restored").countsMatch(renamed), ctx("c"));

        // one database of a dump root, by the target database's name
        client.getDatabase("billing").drop();
        RestoreResult one = mongo().database("billing").restoreFrom(root).run(ctx("root3"));
        assertThat(one.collections()).extracting(RestoreResult.CollectionRestore::namespace).containsExactly("billing.invoices");
        assertThatThrownBy(() -> mongo().database("nowhere").restoreFrom(root).run(ctx("root4")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("holds nothing to restore into database nowhere")
                .hasMessageContaining("it holds databases [billing, crm]");
        assertThatThrownBy(() -> mongo().restoreFrom(MongoBackup.at(root.resolve("crm"))).run(ctx("root5")))
                .isInstanceOf(BackupNotFoundException.class).hasMessageContaining("single database folder");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void archiveRoundTripKeepsEveryDocumentAndIndex(boolean gzip) {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(1200));
        db.getCollection("users").createIndex(Indexes.ascending("i"), new IndexOptions().unique(true).name("i_unique"));
        db.getCollection("users").createIndex(Indexes.compoundIndex(Indexes.ascending("name"), Indexes.descending("at")));
        db.getCollection("orders", BsonDocument.class).insertMany(richDocuments(300));
        db.createCollection("empty");
        Map<String, List<BsonDocument>> docs = new java.util.TreeMap<>();
        Map<String, List<String>> indexes = new java.util.TreeMap<>();
        for (String c : List.of("users", "orders", "empty")) {
            docs.put(c, all(db, c));
            indexes.put(c, db.getCollection(c).listIndexes(BsonDocument.class).map(IndexSpecs::comparable).into(new ArrayList<>()));
        }
        Path file = tmp.resolve(gzip ? "crm.archive.gz" : "crm.archive");
        MongoDump dump = mongo().database("crm").dump().toArchive(file);
        DumpResult written = (gzip ? dump.gzip() : dump).run(ctx("a1"));
        assertThat(written.documents()).isEqualTo(1500);
        assertThat(MongoBackupContents.read(file).format()).isEqualTo(gzip ? BackupFormat.ARCHIVE_GZIP : BackupFormat.ARCHIVE);
        CheckResultAssert.passed(MongoBackup.at(file).readable(), ctx("c"));
        db.drop();

        RestoreResult r = mongo().database("crm").restoreFrom(file).batchSize(250).run(ctx("a2"));
        assertThat(r.documentsInserted()).isEqualTo(1500);
        for (String c : docs.keySet()) {
            assertThat(all(db, c)).as(c).isEqualTo(docs.get(c));
            assertThat(db.getCollection(c).listIndexes(BsonDocument.class).map(IndexSpecs::comparable).into(new ArrayList<>()))
                    .as(c).containsExactlyInAnyOrderElementsOf(indexes.get(c));
        }
        CheckResultAssert.passed(mongo().database("crm").countsMatch(MongoBackup.at(file)), ctx("c"));
        CheckResultAssert.passed(mongo().database("crm").indexesMatch(MongoBackup.at(file)), ctx("c"));
    }

    @Test
    void anInterleavedArchiveOfSeveralDatabasesRestores() {
        Path f = DumpFixtures.archive(tmp.resolve("mixed.archive"), true, true, List.of(
                new DumpFixtures.Entry("crm", "accounts", "collection", DumpFixtures.collectionMetadata("accounts"), DumpFixtures.documents(2500, "a")),
                new DumpFixtures.Entry("crm", "contacts", "collection", DumpFixtures.collectionMetadata("contacts",
                        "{\"v\": 2, \"key\": {\"i\": 1}, \"name\": \"i_1\"}"), DumpFixtures.documents(1800, "c")),
                new DumpFixtures.Entry("billing", "invoices", "collection", DumpFixtures.collectionMetadata("invoices"), DumpFixtures.documents(700, "i"))));
        RestoreResult r = mongo().restoreFrom(MongoBackup.at(f)).batchSize(100).parallelCollections(3).run(ctx("ar1"));
        assertThat(r.documentsInserted()).isEqualTo(5000);
        assertThat(client.getDatabase("crm").getCollection("contacts").countDocuments(new org.bson.Document("tag", "c"))).isEqualTo(1800);
        CheckResultAssert.passed(mongo().countsMatch(MongoBackup.at(f)), ctx("c"));
        CheckResultAssert.passed(mongo().indexesMatch(MongoBackup.at(f)), ctx("c"));
    }

    @Test
    void timeseriesAreRestoredAsTimeseriesOrRefusedBeforeAnythingChanges() {
        Path db = tmp.resolve("ts/metrics");
        DumpFixtures.timeseries(db, "weather", DumpFixtures.buckets(6));
        DumpFixtures.collection(db, "stations", DumpFixtures.documents(3, "s"));
        MongoDatabase live = client.getDatabase("metrics");
        live.getCollection("stations").insertOne(new org.bson.Document("live", true));
        if (target.isInProcess()) {
            // mongo-java-server speaks wire version 8 (MongoDB 4.2): no time series. Refused, nothing changed, and said why.
            assertThatThrownBy(() -> mongo().database("metrics").restoreFrom(db).run(ctx("ts1")))
                    .isInstanceOf(MongoRestoreFailedException.class)
                    .hasMessageContaining("has no time series collections").hasMessageContaining("[metrics.weather]")
                    .hasMessageContaining("Nothing was changed").hasMessageContaining("nsExclude");
            assertThat(collections(live)).containsExactly("stations");
            assertThat(live.getCollection("stations").countDocuments()).isEqualTo(1);
            // leaving them out on purpose restores the rest
            RestoreResult r = mongo().database("metrics").restoreFrom(MongoBackup.at(db).nsExclude("metrics.weather")).run(ctx("ts2"));
            assertThat(r.collections()).extracting(RestoreResult.CollectionRestore::name).containsExactly("stations");
            assertThat(r.leftAside()).extracting(LeftAside::reason).containsExactly("metrics.weather is excluded by nsExclude [metrics.weather]");
            return;
        }
        RestoreResult r = mongo().database("metrics").restoreFrom(db).run(ctx("ts3"));
        assertThat(r.collections()).filteredOn(c -> c.name().equals("weather")).singleElement()
                .satisfies(c -> assertThat(c.kind()).isEqualTo(BackupCollection.Kind.TIMESERIES));
        BsonDocument info = live.listCollections(BsonDocument.class).into(new ArrayList<>()).stream()
                .filter(i -> i.getString("name").getValue().equals("weather")).findFirst().orElseThrow();
        assertThat(info.getString("type").getValue()).isEqualTo("timeseries");
        assertThat(info.getDocument("options").getDocument("timeseries").getString("timeField").getValue()).isEqualTo("t");
        assertThat(live.getCollection("system.buckets.weather").countDocuments()).isEqualTo(6);
        assertThat(live.getCollection("weather").countDocuments()).isEqualTo(12);   // two measurements per bucket
        CheckResultAssert.passed(mongo().database("metrics").countsMatch(MongoBackup.at(db)), ctx("c"));
        CheckResultAssert.passed(mongo().database("metrics").indexesMatch(MongoBackup.at(db)), ctx("c"));
    }

    @Test
    void usersAndRolesAreRestoredOnRequestOrNamedAsNotRestored() {
        Path root = tmp.resolve("auth");
        DumpFixtures.collection(root.resolve("nextcrm"), "accounts", DumpFixtures.documents(4, "a"));
        DumpFixtures.bson(root.resolve("admin"), "system.users", DumpFixtures.users("nextcrm"), false);
        DumpFixtures.bson(root.resolve("admin"), "system.roles", DumpFixtures.roles("nextcrm"), false);
        RestoreResult plain = mongo().restoreFrom(MongoBackup.at(root)).run(ctx("u1"));
        assertThat(plain.leftAside()).filteredOn(LeftAside::blocking).extracting(LeftAside::reason)
                .anySatisfy(r -> assertThat(r).startsWith("users of every database (admin.system.users) are not restored"));
        TestStepContext named = ctx("u2");
        client.getDatabase("nextcrm").drop();
        mongo().restoreFrom(MongoBackup.at(root)).execute(named);
        assertThat(named.outputs().values()).anySatisfy(v -> assertThat(v).contains("system.users.bson: users of every database"));
        if (target.isInProcess()) {
            client.getDatabase("nextcrm").drop();
            assertThatThrownBy(() -> mongo().restoreFrom(MongoBackup.at(root).withUsersAndRoles()).run(ctx("u3")))
                    .isInstanceOf(MongoRestoreFailedException.class).hasMessageContaining("does not offer _mergeAuthzCollections")
                    .hasMessageContaining("Nothing was changed").hasMessageContaining("withoutUsersAndRoles()");
            assertThat(client.getDatabase("nextcrm").listCollectionNames().into(new ArrayList<>())).isEmpty();
            return;
        }
        // a real server: a user created, dumped with --dumpDbUsersAndRoles by the library, dropped, restored
        MongoDatabase nextcrm = client.getDatabase("nextcrm");
        nextcrm.runCommand(new org.bson.Document("createUser", "reporter").append("pwd", "s3cret-Pass").append("roles", List.of("read")));
        Path dumped = mongo().database("nextcrm").dump().withUsersAndRoles().to(tmp.resolve("withusers")).run(ctx("u4")).directory();
        nextcrm.runCommand(new org.bson.Document("dropUser", "reporter"));
        RestoreResult r = mongo().database("nextcrm").restoreFrom(MongoBackup.at(dumped).withUsersAndRoles()).run(ctx("u5"));
        assertThat(r.usersAndRoles()).contains("1 users").contains("database nextcrm");
        BsonDocument info = nextcrm.runCommand(new BsonDocument("usersInfo", new BsonString("reporter")), BsonDocument.class);
        assertThat(info.getArray("users")).hasSize(1);
    }

    @Test
    void nothingIsLeftAsideSilently() throws IOException {
        Path root = tmp.resolve("odd");
        DumpFixtures.collection(root.resolve("crm"), "accounts", DumpFixtures.documents(6, "a"));
        DumpFixtures.bson(root.resolve("crm"), "nometa", DumpFixtures.documents(2, "n"), false);
        DumpFixtures.bson(root, "oplog", DumpFixtures.oplog(9, 1_700_000_000), false);
        DumpFixtures.bson(root.resolve("crm"), "system.profile", DumpFixtures.documents(1, "p"), false);
        BackupSource backup = MongoBackup.at(root);
        CheckResult aside = CheckResultAssert.run(backup.nothingLeftAside(), ctx("c"));
        assertThat(aside.isPassed()).isFalse();
        assertThat(aside.message()).contains("oplog.bson: 9 oplog entries from 2023-11-14T22:13:20Z to 2023-11-14T22:13:28Z")
                .contains("the indexes and options of crm.nometa are not in the backup").doesNotContain("system.profile");
        CheckResult readable = CheckResultAssert.run(backup.readable(), ctx("c"));
        assertThat(readable.isPassed()).isFalse();
        assertThat(readable.message()).contains("crm.nometa");
        // acknowledged by the plan: the checks pass, the restore goes on and reports everything
        BackupSource accepted = backup.withoutMetadata().withoutOplog();
        CheckResultAssert.passed(accepted.nothingLeftAside(), ctx("c"));
        CheckResultAssert.passed(accepted.readable(), ctx("c"));
        RollbackPlan plan = Rollback.plan("nothing-silent")
                .precheck(accepted.nothingLeftAside())
                .capture(mongo().database("crm").dump())
                .restore(mongo().restoreFrom(accepted))
                .verify(mongo().countsMatch(accepted))
                .build();
        dev.rollback.core.journal.FileJournal journal = dev.rollback.core.journal.FileJournal.in(tmp.resolve("journal"));
        RunReport run = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(run.isSuccess()).as(String.valueOf(run.failureIfAny())).isTrue();
        assertThat(run.outputs()).containsEntry("mongo.dataLoss.oplog", "9 oplog entries from 2023-11-14T22:13:20Z to 2023-11-14T22:13:28Z in "
                + root.resolve("oplog.bson") + " (not replayed)");
        assertThat(run.outputs().get("mongo.restore.leftAside")).isEqualTo("3 files or entries not restored (see mongo.restore.leftAside.1...3)");
        String report = Files.readString(run.runDirectory().resolve("incident-report.md"));
        assertThat(report).contains("oplog entries").contains("system.profile").contains("crm.nometa");
        String journalText = Files.readString(journal.file(plan.name(), run.runId()));
        assertThat(journalText).contains("mongo.restore.leftAside.1");
        // an empty backup is not readable
        Path empty = Files.createDirectories(tmp.resolve("empty/crm"));
        CheckResult none = CheckResultAssert.run(MongoBackup.at(empty).readable(), ctx("c"));
        assertThat(none.isPassed()).isFalse();
        assertThat(none.measured()).isEqualTo("0 collections");
        assertThat(none.message()).contains("holds no collection");
    }

    @Test
    void indexKeysAreRestoredAsMongoToolsRestoresThem() throws IOException {
        Path db = tmp.resolve("keys/crm");
        DumpFixtures.bson(db, "people", DumpFixtures.documents(3, "p"), false);
        new CollectionMetadata(new BsonDocument(), List.of(
                BsonDocument.parse("{\"v\": 2, \"key\": {\"a\": 2}, \"name\": \"a_2\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"b\": 1.0}, \"name\": \"b_1.0\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"c\": {\"$numberDecimal\": \"-1\"}}, \"name\": \"c_-1\"}"),
                BsonDocument.parse("{\"v\": 1, \"key\": {\"d\": 1}, \"name\": \"d_1\"}"),
                BsonDocument.parse("{\"v\": 1, \"key\": {\"d\": 0}, \"name\": \"d_0\"}")), "", "people", "collection")
                .write(db.resolve("people.metadata.json"));
        RestoreResult r = mongo().database("crm").restoreFrom(db).run(ctx("k1"));
        assertThat(r.collections().get(0).indexesCreated()).containsExactly("a_2", "b_1.0", "c_-1", "d_1");
        assertThat(r.collections().get(0).skippedIndexes()).singleElement().satisfies(x -> assertThat(x).startsWith("d_0"));
        Map<String, BsonDocument> keys = new java.util.HashMap<>();
        client.getDatabase("crm").getCollection("people").listIndexes(BsonDocument.class).forEach(i -> keys.put(i.getString("name").getValue(), i.getDocument("key")));
        assertThat(keys.get("a_2").toJson()).isEqualTo("{\"a\": 2}");
        assertThat(keys.get("b_1.0").get("b").isDouble()).isTrue();
        assertThat(keys.get("c_-1").get("c").isDecimal128()).isTrue();
        // the metadata lists no _id index: the server's own is not an "extra" one
        CheckResultAssert.passed(mongo().database("crm").indexesMatch(MongoBackup.at(db)), ctx("c"));
        client.getDatabase("crm").getCollection("people").dropIndex("b_1.0");
        client.getDatabase("crm").getCollection("people").createIndex(new org.bson.Document("b", 1), new IndexOptions().name("b_1.0"));
        CheckResult changed = CheckResultAssert.run(mongo().database("crm").indexesMatch(MongoBackup.at(db)), ctx("c"));
        assertThat(changed.isPassed()).isFalse();
        assertThat(changed.message()).contains("index b_1.0 is {\"b\": 1}, backup has {\"b\": 1.0}");
    }

    @Test
    void aDocumentThatIsNotBsonInsideAnArchiveIsFoundBeforeTheSwap() throws IOException {
        List<BsonDocument> docs = DumpFixtures.documents(400, "ok");
        Path f = tmp.resolve("bad.archive");
        try (var w = dev.rollback.mongo.internal.ArchiveWriter.create(f, false, new dev.rollback.mongo.internal.ArchiveReader.Header(1, "0.1", "7.0.0", "test"))) {
            w.announce(new dev.rollback.mongo.internal.ArchiveReader.PreludeEntry("crm", "accounts", DumpFixtures.collectionMetadata("accounts").toJson(), 0, "collection"));
            for (int i = 0; i < docs.size(); i++) {
                org.bson.RawBsonDocument raw = DumpFixtures.raw(docs.get(i));
                if (i == 333) {
                    byte[] b = java.util.Arrays.copyOf(raw.getByteBuffer().array(), raw.getByteBuffer().remaining());
                    b[b.length - 6] = (byte) 0x7f;   // inside the last string value: its length now runs past the document
                    b[b.length - 5] = (byte) 0x7f;
                    raw = new org.bson.RawBsonDocument(b);
                }
                w.write("crm", "accounts", raw);
            }
            w.end("crm", "accounts");
        }
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("accounts").insertOne(new org.bson.Document("live", true));
        assertThatThrownBy(() -> mongo().database("crm").restoreFrom(f).batchSize(50).run(ctx("bad1")))
                .isInstanceOf(MongoRestoreFailedException.class).hasMessageContaining("bad.archive is corrupt at offset")
                .hasMessageContaining("not valid BSON").hasMessageContaining("crm.accounts")
                .hasMessageContaining("live collections are untouched");
        assertThat(collections(db)).containsExactly("accounts");
        assertThat(db.getCollection("accounts").countDocuments()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- issue 18: prepare while the application serves, swap in

    /** A real client of the live collection: inserts documents with new ObjectIds, one after another, until stopped. */
    private static final class AppWriter {
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final Thread thread;

        AppWriter(MongoCollection<org.bson.Document> collection) {
            thread = new Thread(() -> {
                while (running.get()) {
                    collection.insertOne(new org.bson.Document("_id", new ObjectId()).append("app", "writes"));
                    written.incrementAndGet();
                }
            }, "app-writer");
            thread.start();
        }

        /** The application's stop: no write after this returns. */
        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    @Test
    void prepareWhileAClientKeepsWritingThenSwapInReportsWhatWasWrittenMeanwhile() throws Exception {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(500));
        db.getCollection("orders", BsonDocument.class).insertMany(richDocuments(200));
        Path backup = mongo().database("crm").dump().to(tmp.resolve("nightly")).run(ctx("n1")).directory();
        List<BsonDocument> backupUsers = all(db, "users");
        List<BsonDocument> backupOrders = all(db, "orders");

        // the application keeps writing while the restore is prepared
        AppWriter app = new AppWriter(client.getDatabase("crm").getCollection("users"));
        MongoDb crm = mongo().database("crm");
        MongoPrepare prepare = crm.prepare(MongoBackup.at(backup)).batchSize(100);
        RollbackPlan plan = Rollback.plan("prepare-then-swap")
                .step(prepare)
                .step("stop the app", c -> app.stop())
                .restore(crm.swapIn(prepare))
                .verify(crm.countsMatch(MongoBackup.at(backup)))
                .withoutCapture("test: the swap keeps the replaced collections")
                .build();
        RunReport r = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(r.isSuccess()).as(String.valueOf(r.failureIfAny())).isTrue();
        assertThat(app.written.get()).as("the application wrote while the restore was prepared").isPositive();
        // the swap brought the backup in; the old collections are kept, with what the application wrote
        assertThat(all(db, "users")).isEqualTo(backupUsers);
        assertThat(all(db, "orders")).isEqualTo(backupOrders);
        String keptUsers = r.outputs().get("kept.mongo.before.crm.users").split(" ")[1].substring("crm.".length());
        assertThat(db.getCollection(keptUsers).countDocuments()).isEqualTo(500 + app.written.get());
        // the data-loss window, measured at the swap: every document written after the backup
        assertThat(r.outputs().get("mongo.dataLoss.crm.users")).startsWith(app.written.get() + " documents written to the live collection after the backup");
        assertThat(r.outputs().get("mongo.dataLoss.crm.orders")).startsWith("0 documents");
        assertThat(r.outputs().get("mongo.prepared.crm.summary")).startsWith("2 collections, 700 documents loaded and verified in crm.rbtmp_");
        assertThat(collections(db)).noneMatch(n -> n.startsWith("rbtmp_"));
        // the prepare changed nothing live and needed no approval
        assertThat(prepare.destructive()).isFalse();
        assertThat(crm.swapIn(prepare).destructive()).isTrue();
    }

    @Test
    void aDataLossWindowCountedAfterTheStartOnTheKeptCollectionsIsTheOneAtTheSwap() throws Exception {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(400));
        db.getCollection("orders", BsonDocument.class).insertMany(richDocuments(100));
        Path backup = mongo().database("crm").dump().to(tmp.resolve("nightly")).run(ctx("n1")).directory();
        List<BsonDocument> backupUsers = all(db, "users");

        // a real client keeps writing to the live collection while the restore is prepared, until the stop
        AppWriter app = new AppWriter(client.getDatabase("crm").getCollection("users"));
        MongoDb crm = mongo().database("crm");
        MongoPrepare prepare = crm.prepare(MongoBackup.at(backup)).batchSize(100);
        MongoSwapIn swap = crm.swapIn(prepare).countDataLossLater();
        java.util.concurrent.atomic.AtomicReference<String> beforeTheCount = new java.util.concurrent.atomic.AtomicReference<>();
        RollbackPlan plan = Rollback.plan("prepare-swap-count-later")
                .step(prepare)
                .step("stop the app", c -> app.stop())
                .restore(swap)
                .step("start the app: it writes to the restored collection", c -> {
                    beforeTheCount.set(c.output("mongo.dataLoss.crm.users").orElse(null));
                    for (int i = 0; i < 37; i++) {
                        client.getDatabase("crm").getCollection("users").insertOne(new org.bson.Document("_id", new ObjectId()).append("app", "again"));
                    }
                })
                .step(swap.dataLossWindow())
                .withoutCapture("test: the swap keeps the replaced collections")
                .build();
        RunReport r = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(r.isSuccess()).as(String.valueOf(r.failureIfAny())).isTrue();
        assertThat(app.written.get()).as("the application wrote while the restore was prepared").isPositive();
        // until the count, the report says where it will be taken
        assertThat(beforeTheCount.get()).startsWith("not counted yet: the documents written after the backup are counted in crm.users_before_")
                .contains("by step 'data-loss window of MongoDB database crm at the swap' once the app is healthy");
        // the count after the start is what the client wrote up to the stop, not what it wrote after the start
        String keptUsers = r.outputs().get("kept.mongo.before.crm.users").split(" ")[1].substring("crm.".length());
        assertThat(r.outputs().get("mongo.dataLoss.crm.users")).isEqualTo(app.written.get() + " documents written to the live collection after "
                + "the backup, replaced by the restore (kept in crm." + keptUsers + "); counted after the swap on the kept collection, which "
                + "nobody writes since: the figure as at the swap");
        assertThat(r.outputs().get("mongo.dataLoss.crm.orders")).startsWith("0 documents");
        assertThat(db.getCollection(keptUsers).countDocuments()).isEqualTo(400 + app.written.get());
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(backupUsers.size() + 37L);
        assertThat(r.outputs().get("mongo.prepared.crm.swapped")).contains("crm.users=" + keptUsers).contains("crm.orders=orders_before_");
    }

    @Test
    void aDataLossCountWithoutItsSwapOrWithItsKeptCollectionGoneSaysSo() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(20));
        Path backup = mongo().database("crm").dump().to(tmp.resolve("nightly")).run(ctx("n1")).directory();
        MongoDb crm = mongo().database("crm");
        MongoPrepare prepare = crm.prepare(MongoBackup.at(backup));
        MongoSwapIn swap = crm.swapIn(prepare).countDataLossLater();
        TestStepContext run = ctx("count-without-swap");
        prepare.execute(run);
        assertThatThrownBy(() -> swap.dataLossWindow().execute(run.forStep("count"))).isInstanceOf(MongoRestoreFailedException.class)
                .hasMessageContaining("step 'swap in restored MongoDB database crm' has not swapped crm in")
                .hasMessageContaining("Nothing was changed");
        TestStepContext swapped = run.forStep("swap");
        swap.execute(swapped);
        String kept = swapped.outputs().get("mongo.prepared.crm.swapped").split("=")[1];
        db.getCollection(kept).drop();
        TestStepContext count = swapped.forStep("count");
        swap.dataLossWindow().execute(count);
        assertThat(count.outputs().get("mongo.dataLoss.crm.users")).isEqualTo("not counted: the kept collection crm." + kept
                + " is gone (dropped by hand?); its documents written after the backup cannot be counted any more");
    }

    @Test
    void aResumedPrepareDoesNotPrepareTwiceAndSwapInWithoutAPrepareSaysSo() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(50));
        Path backup = mongo().database("crm").dump().to(tmp.resolve("nightly")).run(ctx("n2")).directory();
        MongoPrepare prepare = mongo().database("crm").prepare(MongoBackup.at(backup));
        TestStepContext run = ctx("run-prepare-once");
        prepare.execute(run);
        TestStepContext again = run.resumed();
        prepare.execute(again);
        assertThat(again.progress()).anySatisfy(p -> assertThat(p).contains("already prepared in this run").contains("not preparing it twice"));
        assertThat(again.outputs().get("mongo.prepared.crm")).isEqualTo(run.outputs().get("mongo.prepared.crm"));
        MongoSwapIn swap = mongo().database("crm").swapIn(prepare);
        assertThatThrownBy(() -> swap.execute(ctx("no-prepare"))).isInstanceOf(dev.rollback.core.MissingOutputException.class)
                .hasMessageContaining("mongo.prepared.crm");
        assertThatThrownBy(() -> mongo().database("other").swapIn(prepare)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prepare of database crm");
        swap.execute(again.forStep("swap in"));
        assertThat(collections(db)).noneMatch(n -> n.startsWith("rbtmp_"));
    }

    @Test
    void abandoningARunDropsItsUnswappedPreparedCollections() {
        MongoDatabase db = client.getDatabase("crm");
        db.getCollection("users", BsonDocument.class).insertMany(richDocuments(30));
        Path backup = mongo().database("crm").dump().to(tmp.resolve("nightly")).run(ctx("n3")).directory();
        MongoDb crm = mongo().database("crm");
        MongoPrepare prepare = crm.prepare(MongoBackup.at(backup));
        RollbackPlan plan = Rollback.plan("prepare-then-abandon")
                .step(prepare)
                .step("stop the app", c -> {
                    throw new IllegalStateException("the app does not stop");
                })
                .restore(crm.swapIn(prepare))
                .withoutCapture("test")
                .build();
        dev.rollback.core.journal.FileJournal journal = dev.rollback.core.journal.FileJournal.in(tmp.resolve("journal"));
        RunReport failed = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ops")).run(plan);
        assertThat(failed.isSuccess()).isFalse();
        assertThat(collections(db)).anyMatch(n -> n.startsWith("rbtmp_"));
        dev.rollback.core.AbandonReport abandoned = Rollback.runner().journal(journal).abandon(plan, failed.runId(), "the app cannot be stopped today");
        assertThat(abandoned.isClean()).isTrue();
        assertThat(abandoned.steps()).flatExtracting(dev.rollback.core.AbandonReport.CleanedStep::removed)
                .containsExactly("collection crm." + dev.rollback.mongo.internal.TempNames.temp(dev.rollback.mongo.internal.TempNames.tag(failed.runId()), "users"));
        assertThat(collections(db)).containsExactly("users");
        assertThat(db.getCollection("users").countDocuments()).isEqualTo(30);
    }
}
