package dev.rollback.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import dev.rollback.core.StepContext;
import dev.rollback.mongo.BackupCollection;
import dev.rollback.mongo.BackupCollection.Kind;
import dev.rollback.mongo.MongoBackupContents;
import dev.rollback.mongo.MongoServerException;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Restores users and roles as mongorestore does ({@code mongorestore/metadata.go RestoreUsersOrRoles}):
 * the documents go into temporary collections of {@code admin}, then the server's
 * {@code _mergeAuthzCollections} merges them into {@code admin.system.users} / {@code system.roles}
 * (the only way: those collections take no direct writes), for one database or, for the
 * {@code admin} dump of a full backup, for every database; the temporary collections are dropped.
 */
final class UsersAndRoles {
    private static final Logger LOG = LoggerFactory.getLogger(UsersAndRoles.class);

    private UsersAndRoles() {
    }

    static String merge(MongoClient client, MongoBackupContents contents, String targetDb, String tag, boolean drop, StepContext ctx,
                        Consumer<String> progress) {
        List<BackupCollection> all = contents.usersAndRoles();
        // A full backup's admin.system.users covers every database; a database dump's $admin.system.users only its own.
        List<BackupCollection> chosen = all.stream().filter(c -> c.database().equals("admin")).toList();
        String dbFilter;
        if (!chosen.isEmpty()) {
            dbFilter = targetDb == null || targetDb.equals("admin") ? "" : targetDb;
        } else {
            chosen = all.stream().filter(c -> targetDb == null || c.database().equals(targetDb)).toList();
            List<String> dbs = chosen.stream().map(BackupCollection::database).distinct().toList();
            if (dbs.size() > 1) {
                throw new IllegalArgumentException("The backup holds users and roles of several databases " + dbs + " as $admin files; "
                        + "mongorestore restores one database's at a time. Nothing more was changed. Fix: restore each database with "
                        + "mongo.database(name).restoreFrom(...).withUsersAndRoles().");
            }
            dbFilter = dbs.isEmpty() ? "" : dbs.get(0);
        }
        if (chosen.isEmpty()) {
            return "";
        }
        MongoDatabase admin = client.getDatabase("admin");
        BsonDocument command = new BsonDocument("_mergeAuthzCollections", new BsonInt32(1));
        List<String> temps = new ArrayList<>();
        List<String> counted = new ArrayList<>();
        try {
            for (BackupCollection c : chosen) {
                String temp = TempNames.tempPrefix(tag) + (c.kind() == Kind.USERS ? "users" : "roles");
                admin.getCollection(temp).drop();
                temps.add(temp);
                List<RawBsonDocument> docs = documents(contents, c);
                counted.add(docs.size() + " " + (c.kind() == Kind.USERS ? "users" : "roles"));
                if (docs.isEmpty()) {
                    continue;   // as mongorestore: an empty file merges nothing (and the server refuses a missing temporary collection)
                }
                admin.getCollection(temp, RawBsonDocument.class).insertMany(docs);
                command.append(c.kind() == Kind.USERS ? "tempUsersCollection" : "tempRolesCollection", new BsonString("admin." + temp));
            }
            command.append("drop", BsonBoolean.valueOf(drop)).append("db", new BsonString(dbFilter))
                    .append("writeConcern", new BsonDocument("w", new BsonString("majority")));
            if (command.containsKey("tempUsersCollection") || command.containsKey("tempRolesCollection")) {
                admin.runCommand(command);
            }
        } catch (MongoException e) {
            throw new MongoServerException("Restoring users and roles (" + String.join(", ", counted) + ") with _mergeAuthzCollections failed: "
                    + e.getMessage() + ". The collections were restored; admin.system.users and roles are as the server left them. "
                    + "Fix: check the restoring user's privileges (the restore role) and re-run the step; the merge is repeatable.", e);
        } finally {
            for (String t : temps) {
                try {
                    admin.getCollection(t).drop();
                } catch (MongoException e) {
                    LOG.warn("Could not drop temporary collection admin.{}: {}", t, e.getMessage());
                }
            }
        }
        String summary = String.join(" and ", counted) + " of " + (dbFilter.isEmpty() ? "every database" : "database " + dbFilter)
                + " merged into admin.system.users / system.roles (_mergeAuthzCollections, drop=" + drop + ")";
        ctx.remember(RestoreEngine.MEMORY_USERS, summary);
        progress.accept(summary);
        return summary;
    }

    private static List<RawBsonDocument> documents(MongoBackupContents contents, BackupCollection c) {
        List<RawBsonDocument> docs = new ArrayList<>();
        if (c.dataFile().isPresent()) {
            try (BsonFileReader r = BsonFileReader.open(c.dataFile().get(), true)) {
                RawBsonDocument d;
                while ((d = r.next()) != null) {
                    docs.add(d);
                }
            }
        } else if (contents.format().isArchive()) {
            Path archive = contents.location();
            String ns = c.location().substring(c.location().lastIndexOf(" namespace ") + " namespace ".length());
            try (ArchiveReader a = ArchiveReader.open(archive, true)) {
                a.readBody((namespace, document) -> {
                    if (namespace.equals(ns)) {
                        docs.add(document);
                    }
                });
            }
        }
        return docs;
    }
}
