package dev.rollback.mongo;

import dev.rollback.mongo.internal.IndexSpecs;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IndexSpecsTest {

    @Test
    void keyValuesAreConvertedExactlyAsMongoToolsConvertsThem() {
        // bsonutil.ConvertLegacyIndexKeyValue: only 0 (any numeric type, a double within 1e-9), Decimal128 zero, "" and
        // non-number non-string values change; 2, 1.0, -3 (long), Decimal128 -1 and "hashed" stay as they are.
        BsonDocument key = BsonDocument.parse("{\"a\": 0, \"b\": {\"$numberLong\": \"0\"}, \"c\": 0.0, \"d\": {\"$numberDouble\": \"-1e-10\"}, "
                + "\"e\": {\"$numberDecimal\": \"0.00\"}, \"f\": \"\", \"g\": true, \"h\": null, "
                + "\"i\": 2, \"j\": 1.0, \"k\": {\"$numberLong\": \"-3\"}, \"l\": {\"$numberDecimal\": \"-1\"}, \"m\": \"hashed\", \"n\": -1.1}");
        BsonDocument converted = IndexSpecs.convertKey(key);
        assertThat(converted.toJson()).isEqualTo(BsonDocument.parse("{\"a\": 1, \"b\": 1, \"c\": 1, \"d\": -1, \"e\": 1, \"f\": 1, \"g\": 1, \"h\": 1, "
                + "\"i\": 2, \"j\": 1.0, \"k\": {\"$numberLong\": \"-3\"}, \"l\": {\"$numberDecimal\": \"-1\"}, \"m\": \"hashed\", \"n\": -1.1}").toJson());
        assertThat(converted.get("j").isDouble()).isTrue();
        assertThat(converted.get("l").isDecimal128()).isTrue();
    }

    @Test
    void specsAreSentLikeMongorestoreSendsThem() {
        BsonDocument legacy = BsonDocument.parse("{\"v\": {\"$numberInt\": \"1\"}, \"key\": {\"a\": {\"$numberDouble\": \"1.0\"}, \"b\": true, "
                + "\"c\": {\"$numberDecimal\": \"0\"}, \"d\": \"\", \"e\": {\"$numberLong\": \"-1\"}, \"f\": \"hashed\"}, "
                + "\"name\": \"a_1_b_true\", \"ns\": \"indextest.test_collection\", \"unique\": true}");
        BsonDocument sent = IndexSpecs.forCreate(legacy);
        assertThat(sent.keySet()).containsExactly("key", "name", "unique");
        assertThat(sent.getDocument("key").toJson()).isEqualTo("{\"a\": 1.0, \"b\": 1, \"c\": 1, \"d\": 1, \"e\": -1, \"f\": \"hashed\"}");
    }

    @Test
    void duplicateKeysAfterConversionAreSkippedButValidDuplicatesKept() {
        List<BsonDocument> meta = List.of(BsonDocument.parse("{\"v\": 1, \"key\": {\"_id\": 1}, \"name\": \"_id_\", \"ns\": \"x.y\"}"),
                BsonDocument.parse("{\"key\": {\"a\": 1}, \"name\": \"a_1\"}"),
                BsonDocument.parse("{\"key\": {\"a\": true}, \"name\": \"a_true\"}"),
                BsonDocument.parse("{\"key\": {\"b\": 1}, \"name\": \"b_1\"}"),
                BsonDocument.parse("{\"key\": {\"b\": 1}, \"name\": \"b_1_fr\", \"collation\": {\"locale\": \"fr\"}}"));
        IndexSpecs.Plan plan = IndexSpecs.plan(meta, false);
        assertThat(plan.create()).extracting(IndexSpecs::name).containsExactly("a_1", "b_1", "b_1_fr");
        assertThat(plan.skipped()).singleElement().satisfies(s -> assertThat(s).startsWith("a_true (key {\"a\": true} equals the key"));
        assertThat(plan.idIndex().toJson()).isEqualTo("{\"key\": {\"_id\": 1}, \"name\": \"_id_\"}");
        assertThat(plan.expected()).extracting(IndexSpecs::name).containsExactly("_id_", "a_1", "b_1", "b_1_fr");
    }

    @Test
    void theServersIdIndexIsExpectedWhenTheMetadataDoesNotListIt() {
        IndexSpecs.Plan plan = IndexSpecs.plan(List.of(BsonDocument.parse("{\"key\": {\"email\": 1}, \"name\": \"email_1\", \"unique\": true}")), false);
        assertThat(plan.idIndex()).isNull();
        List<BsonDocument> live = List.of(BsonDocument.parse("{\"v\": 2, \"key\": {\"_id\": 1}, \"name\": \"_id_\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"email\": 1}, \"name\": \"email_1\", \"unique\": true}"));
        assertThat(IndexSpecs.differences(plan.expected(), live)).isEmpty();
        assertThat(IndexSpecs.plan(List.of(), true).expected()).isEmpty();
    }

    @Test
    void differencesSeeKeyTypesAndOptions() {
        List<BsonDocument> backup = List.of(BsonDocument.parse("{\"key\": {\"_id\": 1}, \"name\": \"_id_\"}"),
                BsonDocument.parse("{\"key\": {\"email\": 1}, \"name\": \"email_1\", \"unique\": true}"),
                BsonDocument.parse("{\"key\": {\"at\": -1}, \"name\": \"at_-1\"}"),
                BsonDocument.parse("{\"key\": {\"n\": 1.0}, \"name\": \"n_1\"}"));
        List<BsonDocument> live = List.of(BsonDocument.parse("{\"v\": 2, \"key\": {\"_id\": 1}, \"name\": \"_id_\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"email\": 1}, \"name\": \"email_1\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"n\": 1}, \"name\": \"n_1\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"x\": 1}, \"name\": \"x_1\"}"));
        assertThat(IndexSpecs.differences(backup, live)).containsExactlyInAnyOrder(
                "index email_1 is {\"email\": 1}, backup has {\"email\": 1} unique",
                "missing index at_-1 {\"at\": -1}",
                "index n_1 is {\"n\": 1}, backup has {\"n\": 1.0}",
                "extra index x_1 {\"x\": 1}");
        assertThat(IndexSpecs.differences(backup, backup)).isEmpty();
    }
}
