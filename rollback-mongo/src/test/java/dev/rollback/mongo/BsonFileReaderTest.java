package dev.rollback.mongo;

import dev.rollback.mongo.internal.BsonFileReader;
import dev.rollback.mongo.internal.BsonFileWriter;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BsonFileReaderTest {
    @TempDir
    Path tmp;

    static long countIn(Path file) {
        return BsonFileReader.count(file);
    }

    static List<RawBsonDocument> readAll(Path file) {
        List<RawBsonDocument> docs = new ArrayList<>();
        try (BsonFileReader r = BsonFileReader.open(file, true)) {
            RawBsonDocument d;
            while ((d = r.next()) != null) {
                docs.add(d);
            }
        }
        return docs;
    }

    @Test
    void readsSampleEqualToItsJsonRendering() throws IOException {
        List<RawBsonDocument> docs = readAll(TestData.dump("bson/sample.bson"));
        List<String> expected = Files.readAllLines(TestData.dump("bson/sample.json")).stream().filter(l -> !l.isBlank()).toList();
        assertThat(docs).hasSize(expected.size());
        for (int i = 0; i < docs.size(); i++) {
            assertThat((BsonDocument) docs.get(i)).isEqualTo(BsonDocument.parse(expected.get(i)));
        }
    }

    @Test
    void readsEveryBsonTypeAndDeepNesting() {
        List<RawBsonDocument> all = readAll(TestData.dump("bson/all_types.bson"));
        assertThat(all).isNotEmpty();
        assertThat(all.stream().mapToInt(d -> d.getByteBuffer().remaining()).sum()).isEqualTo(1090);
        assertThat(readAll(TestData.dump("bson/deep_nested.bson"))).isNotEmpty();
    }

    @Test
    void truncatedFileNamesFileAndOffset() {
        Path partial = TestData.dump("bson/partial_file.bson");
        assertThatThrownBy(() -> readAll(partial))
                .isInstanceOf(CorruptBackupException.class)
                .hasMessageContaining(partial.toString())
                .hasMessageMatching("(?s).*corrupt at offset \\d+: the file (is truncated|ends inside a document header).*")
                .satisfies(e -> assertThat(((CorruptBackupException) e).file()).isEqualTo(partial));
    }

    @Test
    void badCstringAndRandomBytesAreRejected() {
        assertThatThrownBy(() -> readAll(TestData.dump("bson/bad_cstring.bson")))
                .isInstanceOf(CorruptBackupException.class).hasMessageContaining("bad_cstring.bson");
        assertThatThrownBy(() -> readAll(TestData.dump("bson/random_bytes.bson")))
                .isInstanceOf(CorruptBackupException.class).hasMessageContaining("random_bytes.bson").hasMessageContaining("offset 0");
    }

    @Test
    void offsetPointsAtTheDamagedDocument() throws IOException {
        byte[] sample = Files.readAllBytes(TestData.dump("bson/sample.bson"));
        Path cut = tmp.resolve("cut.bson");
        Files.write(cut, Arrays.copyOf(sample, sample.length - 10));
        List<RawBsonDocument> good = readAll(TestData.dump("bson/sample.bson"));
        long lastStart = sample.length - good.get(good.size() - 1).getByteBuffer().remaining();
        assertThatThrownBy(() -> readAll(cut)).isInstanceOf(CorruptBackupException.class)
                .satisfies(e -> assertThat(((CorruptBackupException) e).offset()).isEqualTo(lastStart))
                .hasMessageContaining("document #" + good.size());
    }

    @Test
    void truncatedGzipIsReportedAsCorrupt() throws IOException {
        byte[] sample = Files.readAllBytes(TestData.dump("bson/sample.bson"));
        Path gz = tmp.resolve("s.bson.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(sample);
        }
        byte[] zipped = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(zipped, zipped.length - 20));
        assertThatThrownBy(() -> readAll(gz)).isInstanceOf(CorruptBackupException.class).hasMessageContaining("s.bson.gz");
    }

    @Test
    void writerOutputReadsBackThroughTheDriversIndependentReader() throws IOException {
        List<RawBsonDocument> source = readAll(TestData.dump("bson/all_types.bson"));
        for (String name : List.of("w.bson", "w.bson.gz")) {
            Path out = tmp.resolve(name);
            try (BsonFileWriter w = BsonFileWriter.create(out)) {
                for (RawBsonDocument d : source) {
                    w.write(d);
                }
            }
            byte[] bytes = name.endsWith(".gz") ? new java.util.zip.GZIPInputStream(Files.newInputStream(out)).readAllBytes() : Files.readAllBytes(out);
            // Walk the concatenated file with BsonBinaryReader, one document after another, without our framing code.
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            List<BsonDocument> decoded = new ArrayList<>();
            while (buf.hasRemaining()) {
                try (BsonBinaryReader reader = new BsonBinaryReader(buf.slice())) {
                    BsonDocument d = new BsonDocumentCodec().decode(reader, DecoderContext.builder().build());
                    decoded.add(d);
                    buf.position(buf.position() + reader.getBsonInput().getPosition());
                }
            }
            assertThat(decoded).containsExactlyElementsOf(source.stream().map(d -> d.decode(new BsonDocumentCodec())).toList());
        }
    }

    @Test
    void emptyFileHasNoDocuments() throws IOException {
        Path empty = tmp.resolve("e.bson");
        Files.createFile(empty);
        assertThat(countIn(empty)).isZero();
    }

    @Test
    void oversizedLengthIsRejectedWithoutAllocatingIt() throws IOException {
        Path huge = tmp.resolve("huge.bson");
        Files.write(huge, new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0, 0});
        assertThatThrownBy(() -> countIn(huge)).isInstanceOf(CorruptBackupException.class).hasMessageContaining("invalid document length 2147483647");
    }
}
