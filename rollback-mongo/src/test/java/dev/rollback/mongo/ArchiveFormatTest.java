package dev.rollback.mongo;

import dev.rollback.mongo.internal.ArchiveReader;
import dev.rollback.mongo.internal.Crc64;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The archive format, byte by byte as mongo-tools' common/archive reads and writes it. */
class ArchiveFormatTest {
    @TempDir
    Path tmp;

    @Test
    void crc64IsGoEcma() {
        // Go: crc64.Checksum([]byte("123456789"), crc64.MakeTable(crc64.ECMA)) == 0x995dc9bbdf1939fa (CRC-64/XZ)
        Crc64 c = new Crc64();
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        c.update(b, 0, 4);
        c.update(b, 4, 5);
        assertThat(c.value()).isEqualTo(0x995dc9bbdf1939faL);
    }

    @Test
    void layoutIsMagicHeaderPreludeTerminatorThenBlocks() throws IOException {
        Path f = DumpFixtures.archive(tmp.resolve("a.archive"), false, false, List.of(
                new DumpFixtures.Entry("crm", "users", "collection", DumpFixtures.collectionMetadata("users"), DumpFixtures.documents(2, "u")),
                new DumpFixtures.Entry("crm", "empty", "collection", DumpFixtures.collectionMetadata("empty"), List.of())));
        byte[] b = Files.readAllBytes(f);
        assertThat(new byte[]{b[0], b[1], b[2], b[3]}).containsExactly(0x6d, 0xe2, 0x99, 0x81);
        int headerLen = le(b, 4);
        BsonDocument header = new RawBsonDocument(b, 4, headerLen).decode(new org.bson.codecs.BsonDocumentCodec());
        assertThat(header.keySet()).containsExactly("concurrent_collections", "version", "server_version", "tool_version");
        assertThat(header.getString("version").getValue()).isEqualTo("0.1");
        int pos = 4 + headerLen;
        List<String> prelude = new ArrayList<>();
        while (le(b, pos) != -1) {
            int len = le(b, pos);
            BsonDocument d = new RawBsonDocument(b, pos, len).decode(new org.bson.codecs.BsonDocumentCodec());
            assertThat(d.keySet()).containsExactly("db", "collection", "metadata", "size", "type");
            prelude.add(d.getString("collection").getValue());
            pos += len;
        }
        assertThat(prelude).containsExactly("users", "empty");
        pos += 4;
        BsonDocument nsHeader = new RawBsonDocument(b, pos, le(b, pos)).decode(new org.bson.codecs.BsonDocumentCodec());
        assertThat(nsHeader.keySet()).containsExactly("db", "collection", "EOF", "CRC");
        assertThat(nsHeader.getBoolean("EOF").getValue()).isFalse();
        try (ArchiveReader r = ArchiveReader.open(f, true)) {
            assertThat(r.header().serverVersion()).isEqualTo("7.0.0");
            Map<String, Long> ends = new LinkedHashMap<>();
            r.readBody(new ArchiveReader.BodyConsumer() {
                @Override
                public void document(String namespace, RawBsonDocument document) {
                }

                @Override
                public void end(String namespace, long documents) {
                    ends.put(namespace, documents);
                }
            });
            assertThat(ends).containsExactly(Map.entry("crm.users", 2L), Map.entry("crm.empty", 0L));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void interleavedNamespacesAreDemultiplexed(boolean gzip) {
        Path f = DumpFixtures.archive(tmp.resolve("i.archive"), gzip, true, List.of(
                new DumpFixtures.Entry("a", "x", "collection", DumpFixtures.collectionMetadata("x"), DumpFixtures.documents(5, "x")),
                new DumpFixtures.Entry("b", "y", "collection", DumpFixtures.collectionMetadata("y"), DumpFixtures.documents(3, "y"))));
        List<String> order = new ArrayList<>();
        try (ArchiveReader r = ArchiveReader.open(f, true)) {
            assertThat(r.gzip()).isEqualTo(gzip);
            r.readBody((ns, d) -> order.add(ns + ":" + d.getString("tag").getValue()));
        }
        assertThat(order).startsWith("a.x:x", "b.y:y", "a.x:x", "b.y:y").hasSize(8);
    }

    @Test
    void damageIsFoundWithTheOffset() throws IOException {
        Path f = DumpFixtures.archive(tmp.resolve("d.archive"), false, false, List.of(
                new DumpFixtures.Entry("crm", "users", "collection", DumpFixtures.collectionMetadata("users"), DumpFixtures.documents(50, "u"))));
        byte[] b = Files.readAllBytes(f);
        Files.write(tmp.resolve("truncated.archive"), java.util.Arrays.copyOf(b, b.length - 40));
        assertThatThrownBy(() -> read(tmp.resolve("truncated.archive"))).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("truncated.archive").hasMessageContaining("offset");
        byte[] flipped = b.clone();
        // a byte inside a string value of a document: still valid BSON, but the checksum no longer matches
        int at = indexOf(flipped, new byte[]{'t', 'a', 'g', 0, 2, 0, 0, 0, 'u'}, b.length / 2) + 8;
        flipped[at] = 'v';
        Files.write(tmp.resolve("flipped.archive"), flipped);
        assertThatThrownBy(() -> read(tmp.resolve("flipped.archive"))).isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining("checksum of namespace crm.users does not match");
        Files.write(tmp.resolve("notarchive"), "hello".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> MongoBackupContents.read(tmp.resolve("notarchive"))).isInstanceOf(BackupNotFoundException.class)
                .hasMessageContaining("not a mongodump archive");
    }

    private static void read(Path f) {
        try (ArchiveReader r = ArchiveReader.open(f, true)) {
            r.readBody((ns, d) -> { });
        }
    }

    private static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i + what.length <= b.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    private static int le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
