package dev.rollback.postgres.internal;

import dev.rollback.postgres.BackupInvalidException;
import dev.rollback.postgres.PostgresOperationException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A restore of chosen tables <em>with</em> what belongs to them, which {@code pg_restore --table}
 * leaves out: their primary keys, unique and check constraints, indexes, foreign keys, column
 * defaults, owned sequences and their values, triggers, comments and grants. The entries are picked
 * from the archive's table of contents by their dependencies (a foreign key by the table that owns
 * it) and handed to {@code pg_restore --use-list} in the archive's order.
 *
 * <p>Foreign keys <em>of other tables</em> that point at a chosen table ({@code sale_items} →
 * {@code sales} when only {@code sales} is restored) would block dropping it; they are read from the
 * live database, dropped before the restore and added back after it (as {@code NOT VALID}, named in
 * the step's outputs, when the restored rows no longer satisfy them).
 */
public final class TableRestore {
    /** Kinds that belong to a table when they depend on it. */
    private static final Set<String> OWNED = Set.of("TABLE DATA", "DEFAULT", "SEQUENCE", "CONSTRAINT", "CHECK CONSTRAINT", "INDEX",
            "TRIGGER", "RULE", "POLICY", "ROW SECURITY", "STATISTICS", "INDEX ATTACH", "COMMENT", "ACL", "SECURITY LABEL");
    /** Kinds that belong to whatever they depend on (a sequence's owner and value, an index's comment). */
    private static final Set<String> ATTACHED = Set.of("SEQUENCE OWNED BY", "SEQUENCE SET", "COMMENT", "ACL", "SECURITY LABEL", "INDEX ATTACH");

    private TableRestore() {
    }

    /**
     * Picks the entries of the chosen tables.
     *
     * @param dump   the archive (for messages)
     * @param toc    its table of contents
     * @param tables {@code table} or {@code schema.table}
     * @return the entries to restore, in the archive's order
     * @throws BackupInvalidException naming a table the archive does not hold
     */
    public static List<DumpArchive.TocEntry> entries(Path dump, List<DumpArchive.TocEntry> toc, List<String> tables) {
        Set<Integer> chosenTables = new HashSet<>();
        Set<String> owners = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String t : tables) {
            int dot = t.indexOf('.');
            String schema = dot > 0 ? t.substring(0, dot) : null;
            String name = dot > 0 ? t.substring(dot + 1) : t;
            List<DumpArchive.TocEntry> found = toc.stream().filter(e -> e.desc().equals("TABLE") && e.tag().equals(name)
                    && (schema == null || schema.equals(e.namespace()))).toList();
            if (found.isEmpty()) {
                missing.add(t);
            }
            for (DumpArchive.TocEntry e : found) {
                chosenTables.add(e.dumpId());
                owners.add(e.namespace() + "." + e.tag());
            }
        }
        if (!missing.isEmpty()) {
            throw new BackupInvalidException(dump, "Backup " + dump + " has no table " + String.join(", ", missing)
                    + "; nothing was changed. Check the table names (pg_restore --list " + dump.getFileName() + " shows what it holds).");
        }
        Set<Integer> selected = new LinkedHashSet<>(chosenTables);
        for (DumpArchive.TocEntry e : toc) {
            if (e.desc().equals("FK CONSTRAINT")) {
                // A foreign key depends on both its tables: it belongs to the one named first in its tag.
                String owner = e.namespace() + "." + e.tag().split(" ", 2)[0];
                if (owners.contains(owner)) {
                    selected.add(e.dumpId());
                }
            } else if (OWNED.contains(e.desc()) && e.dependencies().stream().anyMatch(chosenTables::contains)) {
                selected.add(e.dumpId());
            }
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (DumpArchive.TocEntry e : toc) {
                if (!selected.contains(e.dumpId()) && ATTACHED.contains(e.desc()) && !e.dependencies().isEmpty()
                        && e.dependencies().stream().anyMatch(selected::contains)
                        && e.dependencies().stream().noneMatch(d -> !selected.contains(d) && isTable(toc, d))) {
                    selected.add(e.dumpId());
                    grew = true;
                }
            }
        }
        return toc.stream().filter(e -> selected.contains(e.dumpId())).toList();
    }

    private static boolean isTable(List<DumpArchive.TocEntry> toc, int id) {
        return toc.stream().anyMatch(e -> e.dumpId() == id && e.desc().equals("TABLE"));
    }

    /**
     * A foreign key of another table that points at a restored one.
     *
     * @param table      the table that owns it, quoted and schema-qualified
     * @param name       its name
     * @param definition {@code FOREIGN KEY (...) REFERENCES ...}
     */
    public record ForeignKey(String table, String name, String definition) {
        String line() {
            return table + "\t" + name + "\t" + definition;
        }

        static ForeignKey parse(String line) {
            String[] p = line.split("\t", 3);
            return new ForeignKey(p[0], p[1], p[2]);
        }

        /** @return {@code table.name}, for messages */
        public String describe() {
            return table + "." + Sql.ident(name);
        }
    }

    /**
     * @param c      a connection to the live database
     * @param tables the restored tables ({@code table} or {@code schema.table}); ones that do not exist are skipped
     * @return the foreign keys of other tables that point at them
     */
    public static List<ForeignKey> incoming(Connection c, List<String> tables) throws SQLException {
        List<Long> oids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)::oid")) {
            for (String t : tables) {
                ps.setString(1, Sql.table(t));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getObject(1) != null) {
                        oids.add(rs.getLong(1));
                    }
                }
            }
        }
        if (oids.isEmpty()) {
            return List.of();
        }
        String in = String.join(",", oids.stream().map(String::valueOf).toList());
        List<ForeignKey> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT format('%I.%I', n.nspname, r.relname), k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
                        + "JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace "
                        + "WHERE k.contype = 'f' AND k.confrelid IN (" + in + ") AND k.conrelid NOT IN (" + in + ") ORDER BY 1, 2")) {
            while (rs.next()) {
                out.add(new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    /**
     * @param keys foreign keys
     * @return them as text for the step's memory
     */
    public static String serialize(List<ForeignKey> keys) {
        return String.join("\n", keys.stream().map(ForeignKey::line).toList());
    }

    /**
     * @param text what {@link #serialize(List)} wrote
     * @return the foreign keys
     */
    public static List<ForeignKey> parse(String text) {
        return text.isEmpty() ? List.of() : text.lines().map(ForeignKey::parse).toList();
    }

    /**
     * Drops the foreign keys, in one transaction.
     *
     * @param c    a connection to the live database
     * @param keys the keys
     */
    public static void drop(Connection c, List<ForeignKey> keys) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (ForeignKey k : keys) {
                s.execute("ALTER TABLE " + k.table() + " DROP CONSTRAINT IF EXISTS " + Sql.ident(k.name()));
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Adds the foreign keys back; one the restored rows violate is added {@code NOT VALID} (it
     * holds for new rows, the old orphans are left to fix).
     *
     * @param c    a connection to the live database
     * @param keys the keys
     * @return the keys added {@code NOT VALID}
     */
    public static List<ForeignKey> addBack(Connection c, List<ForeignKey> keys) throws SQLException {
        List<ForeignKey> notValid = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (ForeignKey k : keys) {
                try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?")) {
                    exists.setString(1, k.table());
                    exists.setString(2, k.name());
                    try (ResultSet rs = exists.executeQuery()) {
                        if (rs.next()) {
                            continue;     // a resume after it was added back
                        }
                    }
                }
                String add = "ALTER TABLE " + k.table() + " ADD CONSTRAINT " + Sql.ident(k.name()) + " " + k.definition();
                try {
                    s.execute(add);
                } catch (SQLException e) {
                    if (!"23503".equals(e.getSQLState())) {
                        throw new PostgresOperationException("Adding back the foreign key " + k.describe() + " (" + k.definition() + ") after the "
                                + "restore failed: " + e.getMessage() + ". Add it by hand: " + add, e);
                    }
                    s.execute(add.endsWith(" NOT VALID") ? add : add + " NOT VALID");
                    notValid.add(k);
                }
            }
        }
        return notValid;
    }
}
