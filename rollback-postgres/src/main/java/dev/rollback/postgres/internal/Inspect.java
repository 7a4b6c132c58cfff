package dev.rollback.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only queries behind the checks: row counts, orphans, catalog lookups. */
public final class Inspect {
    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
            + "AND n.nspname NOT LIKE 'pg\\_temp%'";

    private Inspect() {
    }

    /**
     * Exact row counts of every table in user schemas.
     *
     * @param c a connection
     * @return {@code schema.table} to row count, sorted by name
     */
    public static Map<String, Long> rowCounts(Connection c) throws SQLException {
        List<String[]> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n.nspname, cl.relname FROM pg_class cl "
                + "JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE cl.relkind IN ('r', 'p') AND " + USER_SCHEMAS
                + " ORDER BY 1, 2")) {
            while (rs.next()) {
                tables.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (String[] t : tables) {
            out.put(t[0] + "." + t[1], count(c, Sql.ident(t[0]) + "." + Sql.ident(t[1])));
        }
        return out;
    }

    /**
     * @param c           a connection
     * @param quotedTable an already quoted table name
     * @return its exact row count
     */
    public static long count(Connection c, String quotedTable) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quotedTable)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @param c  a connection
     * @param db a database on its server
     * @return the database's size on disk in bytes ({@code pg_database_size})
     * @throws SQLException when it cannot be read
     */
    public static long databaseSize(Connection c, String db) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_database_size(?)")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * @param c           a connection
     * @param quotedTable an already quoted table
     * @param column      the timestamp column
     * @param since       the instant
     * @return rows whose column is after the instant
     */
    public static long countAfter(Connection c, String quotedTable, String column, Instant since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + quotedTable + " WHERE " + Sql.ident(column) + " > ?")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Orphans of one foreign key.
     *
     * @param constraint the constraint's name
     * @param table      the referencing table
     * @param references the referenced table
     * @param orphans    rows whose key matches no referenced row
     */
    public record FkOrphans(String constraint, String table, String references, long orphans) {
    }

    /**
     * Counts, for every foreign key in user schemas, the rows that reference nothing (possible
     * after NOT VALID constraints, disabled triggers or a partial restore).
     *
     * @param c a connection
     * @return one entry per constraint
     */
    public static List<FkOrphans> foreignKeyOrphans(Connection c) throws SQLException {
        String sql = "SELECT con.conname, con.conrelid::regclass::text, con.confrelid::regclass::text, "
                + "array(SELECT quote_ident(a.attname) FROM unnest(con.conkey) WITH ORDINALITY k(n, i) "
                + "     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i), "
                + "array(SELECT quote_ident(a.attname) FROM unnest(con.confkey) WITH ORDINALITY k(n, i) "
                + "     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) "
                + "FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace "
                + "WHERE con.contype = 'f' AND " + USER_SCHEMAS + " ORDER BY 2, 1";
        List<Object[]> fks = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                fks.add(new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), strings(rs.getArray(4)), strings(rs.getArray(5))});
            }
        }
        List<FkOrphans> out = new ArrayList<>();
        for (Object[] fk : fks) {
            String[] cols = (String[]) fk[3];
            String[] refCols = (String[]) fk[4];
            StringBuilder notNull = new StringBuilder();
            StringBuilder join = new StringBuilder();
            for (int i = 0; i < cols.length; i++) {
                notNull.append(i == 0 ? "" : " AND ").append("c.").append(cols[i]).append(" IS NOT NULL");
                join.append(i == 0 ? "" : " AND ").append("p.").append(refCols[i]).append(" = c.").append(cols[i]);
            }
            String q = "SELECT count(*) FROM " + fk[1] + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM " + fk[2]
                    + " p WHERE " + join + ")";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
                rs.next();
                out.add(new FkOrphans((String) fk[0], (String) fk[1], (String) fk[2], rs.getLong(1)));
            }
        }
        return out;
    }

    private static String[] strings(Array a) throws SQLException {
        return (String[]) a.getArray();
    }

    /**
     * @param c     a connection
     * @param table the table name, optionally schema-qualified, unquoted
     * @return its columns, or an empty list when the table does not exist
     */
    public static List<String> columns(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) "
                + "AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, Sql.table(table));
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /**
     * @param c a connection
     * @return names of views in user schemas
     */
    public static List<String> views(Connection c) throws SQLException {
        return names(c, "SELECT schemaname || '.' || viewname FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
    }

    /**
     * @param c a connection
     * @return names of indexes in user schemas, unqualified
     */
    public static List<String> indexes(Connection c) throws SQLException {
        return names(c, "SELECT indexname FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
