package dev.rollback.postgres.internal;

import java.nio.charset.StandardCharsets;

/** Quoting of SQL identifiers and literals; every name that reaches SQL text goes through here. */
public final class Sql {
    /** PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1). */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private Sql() {
    }

    /**
     * @param name an identifier, such as a database name with quotes and spaces
     * @return it double-quoted, inner quotes doubled
     */
    public static String ident(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("An SQL identifier cannot contain a NUL character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Quotes a possibly schema-qualified table name: {@code crm.accounts} becomes
     * {@code "crm"."accounts"}; a name without a dot is left to the search path.
     *
     * @param table table name, optionally {@code schema.table}
     * @return the quoted name
     */
    public static String table(String table) {
        int dot = table.indexOf('.');
        if (dot > 0 && dot < table.length() - 1) {
            return ident(table.substring(0, dot)) + "." + ident(table.substring(dot + 1));
        }
        return ident(table);
    }

    /**
     * @param value a value
     * @return it as a SQL string literal
     */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("A SQL literal cannot contain a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * Checks that a database name fits PostgreSQL's identifier limit (longer names are silently
     * truncated by the server, which could make two names collide).
     *
     * @param name the name
     * @return the name
     */
    public static String checkLength(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("A database name cannot be empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("Database name '" + name + "' is " + bytes + " bytes; PostgreSQL names are at most "
                    + MAX_IDENTIFIER_BYTES + " bytes and longer ones are truncated; choose a shorter name");
        }
        return name;
    }

    /**
     * Builds {@code base + suffix}, cutting {@code base} so that the result fits in 63 bytes.
     *
     * @param base   the live database's name
     * @param suffix the suffix, such as {@code _rollback_20250101_120000}
     * @return the name
     */
    public static String derivedName(String base, String suffix) {
        String b = base;
        while ((b + suffix).getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            b = b.substring(0, b.offsetByCodePoints(b.length(), -1));
        }
        return b + suffix;
    }
}
