/**
 * MongoDB dump, restore and checks through the Java driver, in mongodump's formats, from
 * {@link dev.rollback.mongo.Mongo} and {@link dev.rollback.mongo.MongoBackup}. The default restore
 * loads new collections, verifies them and swaps them in by rename, keeping the old ones.
 */
package dev.rollback.mongo;
