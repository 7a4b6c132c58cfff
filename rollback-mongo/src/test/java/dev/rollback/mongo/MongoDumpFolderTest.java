package dev.rollback.mongo;

import dev.rollback.mongo.internal.CollectionNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MongoDumpFolderTest {
    @TempDir
    Path tmp;

    @Test
    void unescapesFileNames() {
        MongoDumpFolder f = MongoDumpFolder.open(TestData.dump("specialcharacter/db1"));
        assertThat(f.collectionNames()).containsExactly("cafés");
        assertThat(f.collection("cafés").orElseThrow().metadata()).isPresent();
    }

    @Test
    void takesShortenedLongNamesFromMetadata() {
        MongoDumpFolder f = MongoDumpFolder.open(TestData.dump("longcollectionname/db1"));
        assertThat(f.collectionNames()).containsExactly(MongoRestoreIT.LONG_NAME);
        // and our writer shortens the name exactly as mongodump did (same 208-byte prefix, same SHA-1 suffix)
        String file = f.collections().get(0).dataFile().getFileName().toString();
        assertThat(CollectionNames.fileBaseName(MongoRestoreIT.LONG_NAME) + ".bson").isEqualTo(file);
    }

    @Test
    void shortenedNameWithoutMetadataIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Path stray = TestData.dump("longcollectionname").resolve(
                "aVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryVeryLongCollectionNameConsistingOfE%24someMadeUpInvalidHashString.bson");
        // the stray file at the root of longcollectionname/ has the shape of a shortened name but no metadata
        Files.copy(stray, dir.resolve(stray.getFileName()));
        assertThatThrownBy(() -> MongoDumpFolder.open(dir)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("someMadeUpInvalidHashString.bson")
                .hasMessageContaining("shortened long collection name").hasMessageContaining("no metadata file");
    }

    @Test
    void testdirsOdditiesAreListedWithReasons() {
        Path root = TestData.dump("testdirs");
        MongoDumpFolder db1 = MongoDumpFolder.open(root.resolve("db1"));
        assertThat(db1.collectionNames()).containsExactly("c1", "c2", "c3", "c4");
        assertThat(db1.collection("c2").orElseThrow().metadataFile()).isEmpty();
        assertThat(db1.collection("c3").orElseThrow().metadataFile()).isPresent();
        assertThat(db1.collection("c3").orElseThrow().metadata()).isEmpty();
        assertThat(db1.ignored()).extracting(i -> i.path().getFileName().toString() + ": " + i.reason())
                .anySatisfy(s -> assertThat(s).startsWith("baddir: a folder"))
                .anySatisfy(s -> assertThat(s).startsWith("c3.metadata.json: empty metadata file"));
        MongoDumpFolder db2 = MongoDumpFolder.open(root.resolve("db2"));
        assertThat(db2.collections()).isEmpty();
        assertThat(db2.ignored()).hasSize(2).allSatisfy(i -> assertThat(i.reason()).contains("not a .bson"));
        MongoDumpFolder asDb = MongoDumpFolder.open(root);
        assertThat(asDb.collections()).isEmpty();
        assertThat(asDb.ignored()).extracting(i -> i.path().getFileName().toString() + ": " + i.reason())
                .anySatisfy(s -> assertThat(s).startsWith("oplog.bson: an oplog dump"))
                .anySatisfy(s -> assertThat(s).startsWith("badfile.txt: not a .bson"));
    }

    @Test
    void gzipDumpIsRecognisedAndPreludeLeftAside() {
        MongoDumpFolder f = MongoDumpFolder.open(TestData.dump("prelude_gzip/test"));
        assertThat(f.collections()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("foo");
            assertThat(c.gzip()).isTrue();
            assertThat(c.metadata().orElseThrow().indexes()).hasSize(1);
        });
        MongoDumpFolder root = MongoDumpFolder.open(TestData.dump("prelude_gzip"));
        assertThat(root.ignored()).anySatisfy(i -> assertThat(i.reason()).contains("prelude"));
    }

    @Test
    void singleCollectionOutsideADatabaseFolder() {
        MongoDumpFolder f = MongoDumpFolder.open(TestData.dump("single"));
        assertThat(f.collectionNames()).containsExactly("hashedIndexes");
        assertThat(f.collections().get(0).metadata().orElseThrow().indexes()).hasSize(4);
    }

    @Test
    void missingFolderAndFileInsteadOfFolder() throws IOException {
        assertThatThrownBy(() -> MongoDumpFolder.open(tmp.resolve("nope"))).isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining("nope").hasMessageContaining("does not exist");
        Path file = Files.createFile(tmp.resolve("f.bson"));
        assertThatThrownBy(() -> MongoDumpFolder.open(file)).isInstanceOf(BackupNotFoundException.class).hasMessageContaining("is a file");
        assertThatThrownBy(() -> MongoDumpFolder.databases(tmp.resolve("nope"))).isInstanceOf(BackupNotFoundException.class);
    }

    @Test
    void gzipAndPlainForOneCollectionIsAmbiguous() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Files.createFile(dir.resolve("a.bson"));
        Files.createFile(dir.resolve("a.bson.gz"));
        assertThatThrownBy(() -> MongoDumpFolder.open(dir)).isInstanceOf(CorruptBackupException.class).hasMessageContaining("either gzip or plain");
    }

    @Test
    void malformedEscapeIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Files.createFile(dir.resolve("bad%zzname.bson"));
        assertThatThrownBy(() -> MongoDumpFolder.open(dir)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("bad%zzname.bson").hasMessageContaining("cannot be decoded");
    }
}
