/**
 * PostgreSQL dump, restore, snapshots, connection control and integrity checks, from
 * {@link dev.rollback.postgres.Postgres#at(String)}. The default restore goes
 * into a new database, is checked there and swapped in by rename, keeping the old database.
 */
package dev.rollback.postgres;
