package dev.rollback.postgres;

import dev.rollback.core.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact row counts of every table, recorded when a dump or snapshot is taken, so that a restore
 * can be verified against them with {@link Postgres#rowCountsMatch(Path)}. Stored as a small
 * text file: one {@code schema.table<TAB>count} line per table.
 *
 * <pre>{@code
 * RowCountManifest m = RowCountManifest.read(RowCountManifest.forDump(Path.of("/backups/crm.dump")));
 * long users = m.counts().get("public.users");
 * }</pre>
 *
 * @param counts {@code schema.table} to row count
 */
public record RowCountManifest(Map<String, Long> counts) {

    /** Copies the map, keeping its order. */
    public RowCountManifest {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /**
     * Where a dump step records the manifest of a dump: next to it, named
     * {@code <dump>.rowcounts.tsv}.
     *
     * @param dump the dump file or directory
     * @return the manifest's path
     */
    public static Path forDump(Path dump) {
        Path abs = dump.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".rowcounts.tsv");
    }

    /**
     * Reads a manifest.
     *
     * @param file the file
     * @return the manifest
     * @throws BackupInvalidException when it is missing or malformed
     */
    public static RowCountManifest read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackupInvalidException(file, "Cannot read the row-count manifest " + file + ": " + e
                    + ". It is written next to a dump by Postgres.dump(...) or by Postgres.recordRowCounts(...); check the path.");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            try {
                counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1).trim()));
            } catch (RuntimeException e) {
                throw new BackupInvalidException(file, "Row-count manifest " + file + " line " + n + " is not 'schema.table<TAB>count': '"
                        + line + "'. Record it again with Postgres.recordRowCounts(...).");
            }
        }
        return new RowCountManifest(counts);
    }

    /**
     * Writes the manifest, replacing the file.
     *
     * @param file where
     * @throws PostgresException when it cannot be written
     */
    public void write(Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("# rollback row-count manifest: schema.table<TAB>rows");
        counts.forEach((t, c) -> lines.add(t + "\t" + c));
        try {
            OwnerOnlyFiles.writeLines(file, lines);
        } catch (IOException e) {
            throw new PostgresOperationException("Cannot write the row-count manifest " + file + ": " + e + ". Check the directory and its permissions.", e);
        }
    }

    /** @return the total number of rows over all tables */
    public long totalRows() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
