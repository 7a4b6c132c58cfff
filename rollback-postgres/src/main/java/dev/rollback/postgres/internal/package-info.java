/**
 * Implementation of the PostgreSQL steps: tools, SQL, server administration. Not public API.
 */
package dev.rollback.postgres.internal;
