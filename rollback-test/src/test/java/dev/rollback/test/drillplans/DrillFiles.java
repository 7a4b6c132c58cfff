package dev.rollback.test.drillplans;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/** File effects of the drill plans, each forced to disk, and the state probe over them. */
public final class DrillFiles {
    /** The system property naming the folder the drill plans write into. */
    public static final String DIR_PROPERTY = "drill.dir";

    private DrillFiles() {
    }

    /** @return the folder named by {@value #DIR_PROPERTY} */
    public static Path dir() {
        String d = System.getProperty(DIR_PROPERTY);
        if (d == null) {
            throw new IllegalStateException("system property " + DIR_PROPERTY + " is not set");
        }
        return Path.of(d);
    }

    /** Replaces a file's contents atomically: safe to re-run. */
    public static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            c.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Appends a line, forced to disk: NOT safe to re-run. */
    public static void append(Path file, String line) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            c.force(true);
        }
    }

    /** Appends a line unless the file already holds it: safe to re-run. */
    public static void appendOnce(Path file, String line) throws IOException {
        if (!Files.exists(file) || !Files.readAllLines(file).contains(line)) {
            append(file, line);
        }
    }

    /** @return every file of the folder with its contents, sorted: the state the plans leave */
    public static String state(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            StringBuilder b = new StringBuilder();
            for (Path f : files.sorted().toList()) {
                b.append("== ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
            return b.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes every file of the folder. */
    public static void clear(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
