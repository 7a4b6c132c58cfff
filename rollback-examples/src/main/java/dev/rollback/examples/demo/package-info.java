/**
 * The embedded demo: a whole rollback against an embedded PostgreSQL, an in-process MongoDB
 * server, a temporary git repository and a real app process.
 */
package dev.rollback.examples.demo;
