package dev.rollback.mongo;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanDescriptionTest {
    static final String URI = "mongodb://ops:Plan-s3cret-99@db.internal:27017/nextcrm?authSource=admin";

    RollbackPlan plan() {
        Mongo mongo = Mongo.at(Secret.of(URI)).serverSelectionTimeout(Duration.ofSeconds(3));
        MongoDb crm = mongo.database("nextcrm");
        MongoBackup.Latest backup = MongoBackup.in(Path.of("/backups")).matching("production-*").databaseFolder("mongodb-backup/nextcrm").latest();
        return Rollback.plan("nextcrm-back-to-mongo")
                .precheck(mongo.ping())
                .precheck(backup.collectionsAtLeast(26))
                .capture(crm.dump().gzip())
                .restore(crm.restoreFrom(backup).parallelCollections(4))
                .step(crm.dropDatabase())
                .verify(crm.countsMatch(backup))
                .verify(crm.indexesMatch(backup))
                .verify(crm.findOne("users", "{\"email\": \"admin@example.com\"}"))
                .build();
    }

    @Test
    void descriptionsAreDeterministicSoTheFingerprintIsStable() {
        assertThat(plan().fingerprint()).isEqualTo(plan().fingerprint());
        assertThat(plan().describe()).isEqualTo(plan().describe());
    }

    @Test
    void dryRunShowsWhatWillHappenWithoutTheSecret() {
        String text = plan().describe();
        assertThat(text).doesNotContain("Plan-s3cret-99")
                .contains("server: ******")   // a Secret is masked whole
                .contains("SAFE_SWAP")
                .contains("renameCollection")
                .contains("newest folder matching 'production-*' in /backups")
                .contains("dropDatabase()");
        // a plain string keeps host and database readable; only the password is masked
        assertThat(Mongo.at(URI.replace("Plan-s3cret-99", "Other-s3cret-77")).database("nextcrm").dropDatabase().describe().toString())
                .contains("mongodb://ops:******@db.internal:27017/nextcrm").doesNotContain("Other-s3cret-77");
        RunReport dry = Rollback.runner().journal(InMemoryJournal.create()).dryRun(plan());
        assertThat(dry.toString()).doesNotContain("Plan-s3cret-99");
    }

    @Test
    void restoreAndDropAreDestructiveAndAskForTheDatabaseName() {
        RollbackPlan p = plan();
        assertThat(p.step("restore MongoDB database nextcrm").orElseThrow().destructive()).isTrue();
        assertThat(p.step("drop MongoDB database nextcrm").orElseThrow().destructive()).isTrue();
        assertThat(p.step("drop MongoDB database nextcrm").orElseThrow().confirmationTarget()).isEqualTo("nextcrm");
        assertThat(p.step("dump MongoDB database nextcrm").orElseThrow().destructive()).isFalse();
    }

    @Test
    void destructiveStepWithoutApprovalFailsFastBeforeTouchingTheServer() {
        // the server does not exist: the run must stop at the approval, not at a connection attempt
        Mongo nowhere = Mongo.at("mongodb://127.0.0.1:9").serverSelectionTimeout(Duration.ofMillis(300));
        RollbackPlan p = Rollback.plan("drop").withoutCapture("test").step(nowhere.database("nextcrm").dropDatabase()).build();
        RunReport r = Rollback.runner().journal(InMemoryJournal.create()).confirmations(Confirmations.none()).run(p);
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.failureIfAny().orElseThrow().message()).doesNotContain("Could not reach");
    }

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        assertThatThrownBy(() -> Mongo.at("postgres://nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a valid MongoDB connection string");
        assertThatThrownBy(() -> Mongo.at("mongodb://u:Very-secret-1@h").serverSelectionTimeout(Duration.ZERO))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> Mongo.at("mongodb://h").database("bad/name")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a valid MongoDB database name");
        MongoDb db = Mongo.at("mongodb://h").database("x");
        assertThatThrownBy(() -> db.restoreFrom(Path.of("/b")).batchSize(0)).hasMessageContaining("batchSize must be 1 to 100000");
        assertThatThrownBy(() -> db.restoreFrom(Path.of("/b")).parallelCollections(0)).hasMessageContaining("parallelCollections");
        assertThatThrownBy(() -> db.restoreFrom(Path.of("/b")).collections()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> db.countAtLeast("c", -1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> db.dump().collections("a", "b").usingMongodump("mongodump")).hasMessageContaining("one collection");
    }
}
