package dev.rollback.postgres.internal;

import dev.rollback.postgres.BackupInvalidException;
import dev.rollback.postgres.DumpFormat;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Reads a {@code pg_dump} archive the way {@code pg_restore} does, without needing it: the header
 * ({@code PGDMP}, format version, integer and offset sizes, compression, creation time, database,
 * server and pg_dump versions), the table of contents (every entry with its dependencies and data
 * position), and, when asked, every data block: in a custom archive each block's chunks (their
 * lengths, and for gzip the zlib stream to its end), in a directory archive each data file (for
 * gzip to its CRC and length trailer). A plain dump is read as SQL text: no binary bytes, and when
 * it carries pg_dump's opening line, its closing "dump complete" line too.
 *
 * <p>Format as in PostgreSQL's {@code src/bin/pg_dump/pg_backup_archiver.c} (ReadHead, ReadToc,
 * ReadInt, ReadStr, ReadOffset) and {@code pg_backup_custom.c} / {@code pg_backup_directory.c};
 * archive versions 1.0 to 1.16 (pg_dump 7.x to 18) are understood.
 */
public final class DumpArchive {
    private static final int K_VERS_1_2 = version(1, 2, 0);
    private static final int K_VERS_1_3 = version(1, 3, 0);
    private static final int K_VERS_1_4 = version(1, 4, 0);
    private static final int K_VERS_1_5 = version(1, 5, 0);
    private static final int K_VERS_1_6 = version(1, 6, 0);
    private static final int K_VERS_1_7 = version(1, 7, 0);
    private static final int K_VERS_1_8 = version(1, 8, 0);
    private static final int K_VERS_1_9 = version(1, 9, 0);
    private static final int K_VERS_1_10 = version(1, 10, 0);
    private static final int K_VERS_1_11 = version(1, 11, 0);
    private static final int K_VERS_1_14 = version(1, 14, 0);
    private static final int K_VERS_1_15 = version(1, 15, 0);
    private static final int K_VERS_1_16 = version(1, 16, 0);
    private static final int K_VERS_MAX = version(1, 16, 255);
    private static final int BLK_DATA = 1;
    private static final int BLK_BLOBS = 3;
    private static final int K_OFFSET_POS_NOT_SET = 1;
    private static final int K_OFFSET_POS_SET = 2;
    private static final int K_OFFSET_NO_DATA = 3;
    private static final String PLAIN_HEADER = "-- PostgreSQL database dump";
    private static final String PLAIN_TRAILER = "-- PostgreSQL database dump complete";

    private DumpArchive() {
    }

    private static int version(int major, int minor, int rev) {
        return (major * 256 + minor) * 256 + rev;
    }

    /** How much of the archive to read. */
    public enum Depth {
        /** The header and the table of contents (plain dumps: the first and last kilobytes). */
        TABLE_OF_CONTENTS,
        /** Everything, including every data block (plain dumps: every byte). */
        EVERYTHING
    }

    /**
     * What the archive holds.
     *
     * @param format      custom, directory or plain
     * @param version     the archive format version, such as {@code 1.14}, or "sql" for plain dumps
     * @param compression none, gzip, lz4 or zstd
     * @param database    the database it was dumped from, if recorded
     * @param dumpedBy    the pg_dump version, if recorded
     * @param entries     table-of-contents entries
     * @param dataEntries entries with data (tables, large objects)
     * @param dataBytes   bytes of data read (uncompressed; 0 when the data was not read)
     * @param notes       what could not be checked fully (lz4 or zstd data is framed but not decompressed)
     */
    public record Contents(DumpFormat format, String version, String compression, String database, String dumpedBy,
                           int entries, int dataEntries, long dataBytes, List<String> notes) {
        /** @return a one-line summary for a check's measured value */
        public String summary() {
            if (format == DumpFormat.PLAIN) {
                return "plain SQL dump" + (dumpedBy == null ? "" : " by pg_dump") + ", " + dataBytes + " bytes of SQL read";
            }
            return format.flag() + " archive " + version + (database == null ? "" : " of " + database)
                    + (dumpedBy == null ? "" : " by pg_dump " + dumpedBy) + ", " + compression + ", " + entries + " entries, "
                    + dataEntries + " with data" + (dataBytes > 0 ? ", " + dataBytes + " bytes of data read" : "");
        }
    }

    /**
     * One entry of an archive's table of contents, as {@code pg_restore --list} shows it, with
     * what it depends on.
     *
     * @param dumpId       its id, the number a {@code --use-list} file names
     * @param desc         its kind: {@code TABLE}, {@code TABLE DATA}, {@code CONSTRAINT}, {@code FK CONSTRAINT}, {@code INDEX} ...
     * @param namespace    its schema, or null
     * @param tag          its name; for constraints, defaults and triggers {@code "<table> <name>"}
     * @param definition   the SQL that creates it, or null
     * @param dependencies the ids of the entries it depends on
     */
    public record TocEntry(int dumpId, String desc, String namespace, String tag, String definition, List<Integer> dependencies) {
        /** @return {@code "<dumpId>; <desc> <namespace> <tag>"}, a line of a {@code --use-list} file */
        public String listLine() {
            return dumpId + "; " + desc + " " + (namespace == null ? "-" : namespace) + " " + tag;
        }
    }

    /**
     * Reads an archive's table of contents, for choosing entries to restore with {@code --use-list}.
     *
     * @param dump a custom-format file or a directory-format folder
     * @return its entries, in the archive's (restore) order
     * @throws BackupInvalidException when it is missing, not an archive, or its header or table of contents is damaged
     */
    public static List<TocEntry> tableOfContents(Path dump) {
        DumpFormat format = read(dump, Depth.TABLE_OF_CONTENTS).format();
        if (format == DumpFormat.PLAIN) {
            throw invalid(dump, "Backup " + dump + " is a plain SQL dump; choosing tables and their constraints needs a custom or "
                    + "directory archive (pg_dump --format=custom or --format=directory). Nothing was changed.");
        }
        Path file = format == DumpFormat.DIRECTORY ? dump.resolve("toc.dat") : dump;
        try (Reader r = new Reader(new BufferedInputStream(Files.newInputStream(file), 1 << 16), file, Files.size(file))) {
            r.readFully(5, "the PGDMP signature");
            Header h = readHeader(r, file, "");
            return readToc(r, h, file, format == DumpFormat.DIRECTORY).stream()
                    .map(e -> new TocEntry(e.dumpId(), e.desc(), e.namespace(), e.tag(), e.definition(), e.dependencies())).toList();
        } catch (IOException e) {
            throw invalid(dump, "Cannot read backup " + dump + ": " + e + "; nothing was changed. Check its permissions.");
        }
    }

    /** One table-of-contents entry. */
    private record Entry(int dumpId, boolean hadDumper, String tag, String desc, String namespace, int dataState, long dataPos,
                         String filename, String definition, List<Integer> dependencies) {
        String describe() {
            return desc + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + ".") + tag + " (entry " + dumpId + ")";
        }

        boolean hasData() {
            return dataState == K_OFFSET_POS_SET || dataState == K_OFFSET_POS_NOT_SET;
        }
    }

    /** The archive's header fields that reading the rest depends on. */
    private static final class Header {
        int version;
        int intSize;
        int offSize;
        int format;
        String compression = "none";
        String database;
        String dumpedBy;
    }

    /**
     * Reads a dump and fails, naming what is wrong and where, unless it is a complete pg_dump
     * archive or SQL text.
     *
     * @param dump  a custom-format file, a directory-format folder or a plain SQL file
     * @param depth how much to read
     * @return what it holds
     * @throws BackupInvalidException when it is missing, empty, not a dump, truncated or corrupt
     */
    public static Contents read(Path dump, Depth depth) {
        if (!Files.exists(dump)) {
            throw invalid(dump, "Backup " + dump + " does not exist; nothing was changed. Check the path and that the backup job ran.");
        }
        try {
            if (Files.isDirectory(dump)) {
                return readDirectory(dump, depth);
            }
            long size = Files.size(dump);
            if (size == 0) {
                throw invalid(dump, "Backup " + dump + " is empty (0 bytes); nothing was changed. The backup job probably failed; use an earlier backup.");
            }
            byte[] head = new byte[5];
            try (InputStream in = Files.newInputStream(dump)) {
                int n = in.readNBytes(head, 0, 5);
                if (n == 5 && new String(head, StandardCharsets.US_ASCII).equals("PGDMP")) {
                    return readCustom(dump, size, depth);
                }
            }
            return readPlain(dump, size, depth);
        } catch (IOException e) {
            throw invalid(dump, "Cannot read backup " + dump + ": " + e + "; nothing was changed. Check its permissions.");
        }
    }

    // ------------------------------------------------------------------ custom format

    private static Contents readCustom(Path dump, long size, Depth depth) throws IOException {
        try (Reader r = new Reader(new BufferedInputStream(Files.newInputStream(dump), 1 << 16), dump, size)) {
            r.readFully(5, "the PGDMP signature");
            Header h = readHeader(r, dump, "");
            if (h.format != 1) {
                throw invalid(dump, "Backup " + dump + " starts like a pg_dump archive but its header names format " + h.format
                        + ", not the custom format (1); it is corrupt. Nothing was changed; use an earlier backup.");
            }
            List<Entry> toc = readToc(r, h, dump, false);
            List<Entry> withData = toc.stream().filter(Entry::hasData).toList();
            if (depth == Depth.TABLE_OF_CONTENTS) {
                return new Contents(DumpFormat.CUSTOM, versionText(h.version), h.compression, h.database, h.dumpedBy, toc.size(),
                        withData.size(), 0, List.of());
            }
            Map<Integer, Entry> byId = new LinkedHashMap<>();
            toc.forEach(e -> byId.put(e.dumpId(), e));
            Set<Integer> seen = new HashSet<>();
            long bytes = 0;
            List<String> notes = new ArrayList<>();
            while (true) {
                long blockStart = r.position();
                int type = r.readByteOrEof();
                if (type < 0) {
                    break;
                }
                if (h.version < K_VERS_1_3) {
                    throw invalid(dump, "Backup " + dump + " is a pg_dump archive of version " + versionText(h.version)
                            + ", older than this check reads; nothing was changed. Check it with pg_restore --list.");
                }
                int id = r.readInt(h, "the entry id of the data block at byte " + blockStart);
                Entry e = byId.get(id);
                if (type != BLK_DATA && type != BLK_BLOBS || e == null) {
                    throw invalid(dump, "Backup " + dump + " is corrupt: at byte " + blockStart + ", where a data block should start, it holds "
                            + (e == null ? "a block for entry " + id + ", which the table of contents does not have" : "block type " + type)
                            + ". Nothing was changed; use an earlier backup.");
                }
                if (e.dataState() == K_OFFSET_POS_SET && e.dataPos() != blockStart) {
                    throw invalid(dump, "Backup " + dump + " is corrupt: the data of " + e.describe() + " starts at byte " + blockStart
                            + " but the table of contents says " + e.dataPos() + ". Nothing was changed; use an earlier backup.");
                }
                if (!seen.add(id)) {
                    throw invalid(dump, "Backup " + dump + " is corrupt: the data of " + e.describe() + " appears twice. Nothing was changed; use an earlier backup.");
                }
                if (type == BLK_DATA) {
                    bytes += readChunks(r, h, dump, e, notes);
                } else {
                    for (int oid = r.readInt(h, "a large object's oid in " + e.describe()); oid != 0;
                         oid = r.readInt(h, "a large object's oid in " + e.describe())) {
                        bytes += readChunks(r, h, dump, e, notes);
                    }
                }
            }
            List<String> missing = withData.stream().filter(e -> !seen.contains(e.dumpId())).map(Entry::describe).toList();
            if (!missing.isEmpty()) {
                throw invalid(dump, "Backup " + dump + " is truncated: the file ends (at byte " + size + ") before the data of " + missing.size()
                        + " of its " + withData.size() + " tables and large objects (first missing: " + missing.get(0)
                        + "). Nothing was changed; the backup job probably stopped early; use an earlier backup.");
            }
            return new Contents(DumpFormat.CUSTOM, versionText(h.version), h.compression, h.database, h.dumpedBy, toc.size(), withData.size(),
                    bytes, List.copyOf(new LinkedHashSet<>(notes)));
        }
    }

    // One block's chunks: an int length, that many bytes, ..., a zero length. Gzip data must form
    // one complete zlib stream.
    private static long readChunks(Reader r, Header h, Path dump, Entry e, List<String> notes) throws IOException {
        boolean gzip = h.compression.equals("gzip");
        if (h.compression.equals("lz4") || h.compression.equals("zstd")) {
            notes.add(h.compression + " data is checked for complete chunks, not decompressed");
        }
        Inflater inflater = gzip ? new Inflater() : null;
        byte[] out = new byte[1 << 16];
        long total = 0;
        try {
            while (true) {
                long at = r.position();
                int len = r.readInt(h, "a chunk length in the data of " + e.describe());
                if (len == 0) {
                    break;
                }
                if (len < 0 || len > 1 << 30) {
                    throw invalid(dump, "Backup " + dump + " is corrupt: the data of " + e.describe() + " has a chunk of " + len
                            + " bytes at byte " + at + ". Nothing was changed; use an earlier backup.");
                }
                byte[] chunk = r.readFully(len, "a " + len + "-byte chunk of the data of " + e.describe());
                if (inflater == null) {
                    total += len;
                    continue;
                }
                inflater.setInput(chunk);
                while (!inflater.needsInput() && !inflater.finished()) {
                    total += inflater.inflate(out);
                }
            }
            if (inflater != null) {
                while (!inflater.finished() && !inflater.needsInput()) {
                    total += inflater.inflate(out);
                }
                if (!inflater.finished()) {
                    throw invalid(dump, "Backup " + dump + " is corrupt: the compressed data of " + e.describe()
                            + " stops before the end of its zlib stream. Nothing was changed; use an earlier backup.");
                }
            }
        } catch (DataFormatException ex) {
            throw invalid(dump, "Backup " + dump + " is corrupt: the compressed data of " + e.describe() + " does not decompress ("
                    + ex.getMessage() + "). Nothing was changed; use an earlier backup.");
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ directory format

    private static Contents readDirectory(Path dir, Depth depth) throws IOException {
        Path tocFile = dir.resolve("toc.dat");
        if (!Files.isRegularFile(tocFile) || Files.size(tocFile) == 0) {
            throw invalid(dir, "Backup directory " + dir + " is not a PostgreSQL dump: it has no toc.dat (or it is empty), so it is not "
                    + "a pg_dump directory-format dump. Nothing was changed. Check the path.");
        }
        Header h;
        List<Entry> toc;
        try (Reader r = new Reader(new BufferedInputStream(Files.newInputStream(tocFile), 1 << 16), tocFile, Files.size(tocFile))) {
            byte[] magic = r.readFully(5, "the PGDMP signature");
            if (!new String(magic, StandardCharsets.US_ASCII).equals("PGDMP")) {
                throw invalid(dir, "Backup directory " + dir + " is not a PostgreSQL dump: its toc.dat does not start with PGDMP. "
                        + "Nothing was changed. Check the path.");
            }
            h = readHeader(r, tocFile, "toc.dat of ");
            if (h.format != 3 && h.format != 5) {
                throw invalid(dir, "Backup directory " + dir + " is corrupt: its toc.dat names archive format " + h.format
                        + ", not the directory format. Nothing was changed; use an earlier backup.");
            }
            toc = readToc(r, h, tocFile, true);
            if (r.readByteOrEof() >= 0) {
                throw invalid(dir, "Backup directory " + dir + " is corrupt: its toc.dat has bytes after the table of contents. "
                        + "Nothing was changed; use an earlier backup.");
            }
        }
        List<Entry> withData = toc.stream().filter(e -> e.filename() != null).toList();
        long bytes = 0;
        List<String> notes = new ArrayList<>();
        for (Entry e : withData) {
            Path file = dataFile(dir, e.filename());
            if (file == null) {
                throw invalid(dir, "Backup directory " + dir + " is incomplete: the data file of " + e.describe() + " (" + e.filename()
                        + ", .gz, .lz4 or .zst) is missing. Nothing was changed; use an earlier backup.");
            }
            if (depth == Depth.EVERYTHING) {
                if (e.desc().equals("BLOBS")) {
                    bytes += readBlobs(dir, file, e, notes);
                } else {
                    bytes += readDataFile(dir, file, e, notes);
                }
            }
        }
        return new Contents(DumpFormat.DIRECTORY, versionText(h.version), h.compression, h.database, h.dumpedBy, toc.size(), withData.size(),
                bytes, List.copyOf(new LinkedHashSet<>(notes)));
    }

    private static Path dataFile(Path dir, String name) {
        for (String suffix : new String[] {"", ".gz", ".lz4", ".zst"}) {
            Path p = dir.resolve(name + suffix);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static long readBlobs(Path dir, Path blobToc, Entry e, List<String> notes) throws IOException {
        long bytes = readDataFile(dir, blobToc, e, notes);
        String listing = blobToc.getFileName().toString().endsWith(".gz")
                ? new String(new GZIPInputStream(Files.newInputStream(blobToc)).readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(blobToc, StandardCharsets.UTF_8);
        for (String line : listing.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split(" ", 2);
            Path file = parts.length == 2 ? dataFile(dir, parts[1]) : null;
            if (file == null) {
                throw invalid(dir, "Backup directory " + dir + " is incomplete: the large object listed as '" + line.trim() + "' in "
                        + blobToc.getFileName() + " has no data file. Nothing was changed; use an earlier backup.");
            }
            bytes += readDataFile(dir, file, e, notes);
        }
        return bytes;
    }

    private static long readDataFile(Path dir, Path file, Entry e, List<String> notes) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".lz4") || name.endsWith(".zst")) {
            notes.add(name.substring(name.lastIndexOf('.') + 1) + " data files are checked for presence and size, not decompressed");
            if (Files.size(file) == 0) {
                throw invalid(dir, "Backup directory " + dir + " is corrupt: " + name + ", the data of " + e.describe() + ", is empty. "
                        + "Nothing was changed; use an earlier backup.");
            }
            return 0;
        }
        if (name.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
                return in.transferTo(OutputStream.nullOutputStream());
            } catch (EOFException | ZipException ex) {
                throw invalid(dir, "Backup directory " + dir + " is corrupt: " + name + ", the data of " + e.describe() + ", is "
                        + (ex instanceof EOFException ? "truncated (its gzip stream ends early)" : "not valid gzip (" + ex.getMessage() + ")")
                        + ". Nothing was changed; use an earlier backup.");
            }
        }
        long size = Files.size(file);
        if (size > 0) {
            // Uncompressed COPY data ends with a newline; a file cut short usually does not.
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                raf.seek(size - 1);
                if (raf.read() != '\n') {
                    throw invalid(dir, "Backup directory " + dir + " is truncated: " + name + ", the data of " + e.describe()
                            + ", ends in the middle of a line. Nothing was changed; use an earlier backup.");
                }
            }
        }
        return size;
    }

    // ------------------------------------------------------------------ header and TOC

    private static Header readHeader(Reader r, Path file, String where) throws IOException {
        Header h = new Header();
        int vmaj = r.readByte("the format version");
        int vmin = r.readByte("the format version");
        int vrev = vmaj > 1 || vmaj == 1 && vmin > 2 ? r.readByte("the format version") : 0;
        h.version = version(vmaj, vmin, vrev);
        if (vmaj != 1 || h.version > K_VERS_MAX) {
            throw invalid(file, "Backup " + where + file + " names archive format version " + vmaj + "." + vmin + "." + vrev
                    + ", which is " + (vmaj == 1 ? "newer than this check reads (up to 1.16, pg_dump 18); check it with a matching "
                    + "pg_restore --list" : "not a pg_dump archive version: the file is corrupt") + ". Nothing was changed.");
        }
        h.intSize = r.readByte("the integer size");
        if (h.intSize < 1 || h.intSize > 8) {
            throw invalid(file, "Backup " + where + file + " is corrupt: its header gives an integer size of " + h.intSize
                    + " bytes. Nothing was changed; use an earlier backup.");
        }
        h.offSize = h.version >= K_VERS_1_7 ? r.readByte("the offset size") : h.intSize;
        if (h.offSize < 1 || h.offSize > 8) {
            throw invalid(file, "Backup " + where + file + " is corrupt: its header gives an offset size of " + h.offSize
                    + " bytes. Nothing was changed; use an earlier backup.");
        }
        h.format = r.readByte("the archive format");
        if (h.version >= K_VERS_1_15) {
            int algorithm = r.readByte("the compression algorithm");
            h.compression = switch (algorithm) {
                case 0 -> "none";
                case 1 -> "gzip";
                case 2 -> "lz4";
                case 3 -> "zstd";
                default -> throw invalid(file, "Backup " + where + file + " is corrupt: unknown compression algorithm " + algorithm
                        + " in its header. Nothing was changed; use an earlier backup.");
            };
        } else if (h.version >= K_VERS_1_2) {
            int level = h.version < K_VERS_1_4 ? r.readByte("the compression level") : r.readInt(h, "the compression level");
            h.compression = level == 0 ? "none" : "gzip";
        } else {
            h.compression = "gzip";
        }
        if (h.version >= K_VERS_1_4) {
            for (int i = 0; i < 7; i++) {
                r.readInt(h, "the creation time");
            }
            h.database = r.readStr(h, "the database name");
        }
        if (h.version >= K_VERS_1_10) {
            r.readStr(h, "the server version");
            h.dumpedBy = r.readStr(h, "the pg_dump version");
        }
        return h;
    }

    private static List<Entry> readToc(Reader r, Header h, Path file, boolean directory) throws IOException {
        int count = r.readInt(h, "the number of table-of-contents entries");
        if (count < 0 || count > 10_000_000) {
            throw invalid(file, "Backup " + file + " is corrupt: its table of contents claims " + count
                    + " entries. Nothing was changed; use an earlier backup.");
        }
        List<Entry> entries = new ArrayList<>(Math.min(count, 100_000));
        for (int i = 0; i < count; i++) {
            String what = "table-of-contents entry " + (i + 1) + " of " + count;
            int dumpId = r.readInt(h, what);
            if (dumpId <= 0) {
                throw invalid(file, "Backup " + file + " is corrupt: " + what + " has id " + dumpId + ". Nothing was changed; use an earlier backup.");
            }
            boolean hadDumper = r.readInt(h, what) != 0;
            if (h.version >= K_VERS_1_8) {
                r.readStr(h, what);
            }
            r.readStr(h, what);
            String tag = r.readStr(h, what);
            String desc = r.readStr(h, what);
            if (h.version >= K_VERS_1_11) {
                r.readInt(h, what);
            }
            String definition = r.readStr(h, what);
            r.readStr(h, what);                 // drop statement
            if (h.version >= K_VERS_1_3) {
                r.readStr(h, what);             // copy statement
            }
            String namespace = h.version >= K_VERS_1_6 ? r.readStr(h, what) : null;
            if (h.version >= K_VERS_1_10) {
                r.readStr(h, what);             // tablespace
            }
            if (h.version >= K_VERS_1_14) {
                r.readStr(h, what);             // table access method
            }
            if (h.version >= K_VERS_1_16) {
                r.readInt(h, what);             // relkind
            }
            r.readStr(h, what);                 // owner
            if (h.version >= K_VERS_1_9) {
                r.readStr(h, what);             // with oids
            }
            List<Integer> dependencies = new ArrayList<>();
            if (h.version >= K_VERS_1_5) {
                int deps = 0;
                for (String dep = r.readStr(h, what); dep != null; dep = r.readStr(h, what)) {
                    try {
                        dependencies.add(Integer.parseInt(dep.trim()));
                    } catch (NumberFormatException ex) {
                        throw invalid(file, "Backup " + file + " is corrupt: " + what + " depends on '" + dep + "', not an entry id. "
                                + "Nothing was changed; use an earlier backup.");
                    }
                    if (++deps > 1_000_000) {
                        throw invalid(file, "Backup " + file + " is corrupt: " + what + " has no end to its dependency list. "
                                + "Nothing was changed; use an earlier backup.");
                    }
                }
            }
            int dataState = K_OFFSET_NO_DATA;
            long dataPos = 0;
            String filename = null;
            if (directory) {
                String f = r.readStr(h, what);
                filename = f == null || f.isEmpty() ? null : f;
            } else {
                long[] pos = new long[1];
                dataState = r.readOffset(h, pos, what);
                dataPos = pos[0];
                if (h.version < K_VERS_1_7) {
                    r.readInt(h, what);
                }
            }
            if (tag == null || desc == null) {
                throw invalid(file, "Backup " + file + " is corrupt: " + what + " has no " + (tag == null ? "name" : "type")
                        + ". Nothing was changed; use an earlier backup.");
            }
            entries.add(new Entry(dumpId, hadDumper, tag, desc, namespace, dataState, dataPos, filename, definition, List.copyOf(dependencies)));
        }
        return entries;
    }

    private static String versionText(int v) {
        return (v >> 16) + "." + ((v >> 8) & 0xff);
    }

    private static BackupInvalidException invalid(Path dump, String message) {
        return new BackupInvalidException(dump, message);
    }

    /** Reads the archive's primitive values, counting bytes, and turns an early end into a clear failure. */
    private static final class Reader implements AutoCloseable {
        private final InputStream in;
        private final Path file;
        private final long size;
        private long pos;

        Reader(InputStream in, Path file, long size) {
            this.in = in;
            this.file = file;
            this.size = size;
        }

        long position() {
            return pos;
        }

        int readByteOrEof() throws IOException {
            int b = in.read();
            if (b >= 0) {
                pos++;
            }
            return b;
        }

        int readByte(String what) throws IOException {
            int b = readByteOrEof();
            if (b < 0) {
                throw truncated(what);
            }
            return b;
        }

        // ReadInt: a sign byte (from 1.0 on), then intSize bytes, least significant first.
        int readInt(Header h, String what) throws IOException {
            boolean negative = readByte(what) != 0;
            long value = 0;
            for (int i = 0; i < h.intSize; i++) {
                long b = readByte(what);
                if (i < 4) {
                    value |= b << (8 * i);
                } else if (b != 0) {
                    throw invalid(file, "Backup " + file + " is corrupt: " + what + " at byte " + (pos - 1)
                            + " does not fit in 32 bits. Nothing was changed; use an earlier backup.");
                }
            }
            int v = (int) value;
            return negative ? -v : v;
        }

        // ReadStr: an int length, -1 for NULL, then that many bytes.
        String readStr(Header h, String what) throws IOException {
            long at = pos;
            int len = readInt(h, what);
            if (len < 0) {
                return null;
            }
            if (len > size - pos) {
                throw truncatedOrCorrupt(what, at, len);
            }
            return new String(readFully(len, what), StandardCharsets.UTF_8);
        }

        int readOffset(Header h, long[] out, String what) throws IOException {
            if (h.version < K_VERS_1_7) {
                int i = readInt(h, what);
                out[0] = Math.max(i, 0);
                return i < 0 ? K_OFFSET_POS_NOT_SET : i == 0 ? K_OFFSET_NO_DATA : K_OFFSET_POS_SET;
            }
            int flag = readByte(what);
            if (flag != K_OFFSET_POS_NOT_SET && flag != K_OFFSET_POS_SET && flag != K_OFFSET_NO_DATA) {
                throw invalid(file, "Backup " + file + " is corrupt: " + what + " has data-position flag " + flag + " at byte " + (pos - 1)
                        + ". Nothing was changed; use an earlier backup.");
            }
            long o = 0;
            for (int i = 0; i < h.offSize; i++) {
                long b = readByte(what);
                if (i < 8) {
                    o |= b << (8 * i);
                }
            }
            out[0] = o;
            return flag;
        }

        byte[] readFully(int len, String what) throws IOException {
            byte[] b = in.readNBytes(len);
            pos += b.length;
            if (b.length < len) {
                throw truncated(what);
            }
            return b;
        }

        private BackupInvalidException truncated(String what) {
            return invalid(file, "Backup " + file + " is truncated: it ends at byte " + pos + " in the middle of " + what
                    + ". Nothing was changed; the backup job probably stopped early or the copy was cut; use an earlier backup.");
        }

        private BackupInvalidException truncatedOrCorrupt(String what, long at, int len) {
            return invalid(file, "Backup " + file + " is truncated or corrupt: " + what + " at byte " + at + " claims " + len
                    + " bytes, but only " + (size - pos) + " remain. Nothing was changed; use an earlier backup.");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    // ------------------------------------------------------------------ plain format

    private static Contents readPlain(Path dump, long size, Depth depth) throws IOException {
        // Text: nothing below 0x20 but tab, newline, carriage return and form feed. Random or binary
        // bytes fail here, which is why psql's "invalid command \J" is never the first thing said.
        long checked = 0;
        String first;
        String last;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(dump), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            long limit = depth == Depth.EVERYTHING ? Long.MAX_VALUE : 1 << 16;
            int n;
            StringBuilder head = new StringBuilder();
            while (checked < limit && (n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    int b = buf[i] & 0xff;
                    if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' || b == 0x7f) {
                        throw invalid(dump, "Backup " + dump + " is not a PostgreSQL dump: it does not start with PGDMP (a custom-format "
                                + "archive), it is not a directory with toc.dat (a directory-format archive), and it is not SQL text (byte "
                                + (checked + i) + " is 0x" + String.format("%02x", b) + ", a binary value). Nothing was changed. "
                                + "Check the path: it should name the file pg_dump wrote.");
                    }
                }
                if (head.length() < 4096) {
                    head.append(new String(buf, 0, Math.min(n, 4096), StandardCharsets.UTF_8));
                }
                checked += n;
            }
            first = head.toString();
        }
        try (RandomAccessFile raf = new RandomAccessFile(dump.toFile(), "r")) {
            int tail = (int) Math.min(size, 4096);
            byte[] b = new byte[tail];
            raf.seek(size - tail);
            raf.readFully(b);
            last = new String(b, StandardCharsets.UTF_8);
        }
        boolean byPgDump = first.stripLeading().startsWith("--") && first.contains(PLAIN_HEADER);
        if (byPgDump && !last.contains(PLAIN_TRAILER)) {
            throw invalid(dump, "Backup " + dump + " is truncated: it is a plain SQL dump by pg_dump but does not end with pg_dump's closing "
                    + "line '" + PLAIN_TRAILER + "' (the last bytes are: " + oneLine(last) + "). Nothing was changed; the backup job "
                    + "probably stopped early; use an earlier backup.");
        }
        if (first.isBlank()) {
            throw invalid(dump, "Backup " + dump + " is not a PostgreSQL dump: it holds only white space. Nothing was changed. Check the path.");
        }
        return new Contents(DumpFormat.PLAIN, "sql", "none", null, byPgDump ? "pg_dump" : null, 0, 0, checked, List.of());
    }

    private static String oneLine(String s) {
        String t = s.strip().replace("\n", "\\n");
        return "'" + (t.length() > 120 ? "..." + t.substring(t.length() - 120) : t) + "'";
    }
}
