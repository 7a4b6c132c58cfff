package dev.rollback.mongo;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollectionMetadataTest {
    @TempDir
    Path tmp;

    @Test
    void readsEveryRealMetadataFile() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(TestData.dump(""))) {
            s.filter(p -> p.getFileName().toString().contains(".metadata.json")).forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(9);
        for (Path f : files) {
            if (Files.size(f) == 0) {
                assertThat(CollectionMetadata.read(f)).as(f.toString()).isEmpty();
            } else {
                CollectionMetadata m = CollectionMetadata.read(f).orElseThrow();
                assertThat(m.indexes()).as(f.toString()).anySatisfy(i -> assertThat(i.getString("name").getValue()).isEqualTo("_id_"));
            }
        }
        CollectionMetadata coll = CollectionMetadata.read(TestData.dump("coll_with_index/test/foo.metadata.json")).orElseThrow();
        assertThat(coll.collectionName()).isEqualTo("foo");
        assertThat(coll.uuid()).isEqualTo("0679db720f4944de90ae27472664e94a");
        CollectionMetadata legacy = CollectionMetadata.read(TestData.dump("testdirs/db1/c1.metadata.json")).orElseThrow();
        assertThat(legacy.indexes().get(0).getString("ns").getValue()).isEqualTo("db1.c1");
    }

    @Test
    void writesTheShapeMongodumpWrites() throws IOException {
        Path realFile = TestData.dump("coll_with_index/test/foo.metadata.json");
        BsonDocument real = BsonDocument.parse(Files.readString(realFile));
        CollectionMetadata m = CollectionMetadata.read(realFile).orElseThrow();
        CollectionMetadata ours = new CollectionMetadata(m.options(), m.indexes(), m.uuid(), m.collectionName(), "collection");
        BsonDocument written = BsonDocument.parse(ours.toJson());
        // same keys in the same order, plus the type newer mongodump versions write; the same values
        assertThat(new ArrayList<>(written.keySet())).containsExactly("indexes", "uuid", "collectionName", "type");
        assertThat(new ArrayList<>(real.keySet())).containsExactly("indexes", "uuid", "collectionName");
        for (String k : real.keySet()) {
            assertThat(written.get(k)).as(k).isEqualTo(real.get(k));
        }
        // canonical extended JSON: numbers carry their BSON type, as in mongodump's files
        assertThat(ours.toJson()).contains("{\"$numberInt\": \"2\"}").contains("{\"$numberDouble\": \"1.0\"}");
        Path out = tmp.resolve("foo.metadata.json.gz");
        ours.write(out);
        assertThat(CollectionMetadata.read(out)).contains(ours);
    }

    @Test
    void optionsAreWrittenOnlyWhenPresent() {
        CollectionMetadata capped = new CollectionMetadata(BsonDocument.parse("{\"capped\": true, \"size\": {\"$numberLong\": \"4096\"}}"),
                List.of(), "", "log", "collection");
        assertThat(BsonDocument.parse(capped.toJson()).keySet()).containsExactly("options", "indexes", "collectionName", "type");
        assertThat(capped.toJson()).contains("\"size\": {\"$numberLong\": \"4096\"}");
    }

    @Test
    void corruptJsonIsNamed() throws IOException {
        Path bad = tmp.resolve("x.metadata.json");
        Files.writeString(bad, "{\"indexes\": [");
        assertThatThrownBy(() -> CollectionMetadata.read(bad)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("not valid extended JSON");
        Files.writeString(bad, "{\"indexes\": 5}");
        assertThatThrownBy(() -> CollectionMetadata.read(bad)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("'indexes' is a INT32");
        Files.writeString(bad, "{\"indexes\": [], \"collectionName\": 7}");
        assertThatThrownBy(() -> CollectionMetadata.read(bad)).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("'collectionName' is a INT32");
    }
}
