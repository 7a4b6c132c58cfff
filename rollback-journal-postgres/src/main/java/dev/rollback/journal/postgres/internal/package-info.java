/** Internals of the PostgreSQL journal: URL parsing, password lookup, SQL. Not public API. */
package dev.rollback.journal.postgres.internal;
