/**
 * Implementation of the MongoDB steps: BSON files, the restore engine, checks. Not public API.
 */
package dev.rollback.mongo.internal;
