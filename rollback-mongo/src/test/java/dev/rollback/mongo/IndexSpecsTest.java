package dev.rollback.mongo;

import dev.rollback.mongo.internal.IndexSpecs;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IndexSpecsTest {

    @Test
    void specsAreSentLikeMongorestoreSendsThem() {
        BsonDocument legacy = BsonDocument.parse("{\"v\": {\"$numberInt\": \"1\"}, \"key\": {\"a\": {\"$numberDouble\": \"1.0\"}, \"b\": true, "
                + "\"c\": {\"$numberDecimal\": \"0\"}, \"d\": \"\", \"e\": {\"$numberLong\": \"-1\"}, \"f\": \"hashed\"}, "
                + "\"name\": \"a_1_b_true\", \"ns\": \"indextest.test_collection\", \"safe\": true, \"unique\": true}");
        BsonDocument sent = IndexSpecs.forCreate(legacy);
        assertThat(sent.keySet()).containsExactly("key", "name", "unique");
        assertThat(sent.getDocument("key").toJson()).isEqualTo("{\"a\": 1, \"b\": 1, \"c\": 1, \"d\": 1, \"e\": -1, \"f\": \"hashed\"}");
        assertThat(IndexSpecs.isIdIndex(BsonDocument.parse("{\"key\": {\"_id\": 1}, \"name\": \"_id_\"}"))).isTrue();
    }

    @Test
    void differencesNameWhatIsMissingChangedOrExtra() {
        List<BsonDocument> backup = List.of(BsonDocument.parse("{\"key\": {\"_id\": 1}, \"name\": \"_id_\"}"),
                BsonDocument.parse("{\"key\": {\"email\": 1}, \"name\": \"email_1\", \"unique\": true}"),
                BsonDocument.parse("{\"key\": {\"at\": -1}, \"name\": \"at_-1\"}"));
        List<BsonDocument> live = List.of(BsonDocument.parse("{\"v\": 2, \"key\": {\"_id\": 1}, \"name\": \"_id_\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"email\": 1}, \"name\": \"email_1\"}"),
                BsonDocument.parse("{\"v\": 2, \"key\": {\"x\": 1}, \"name\": \"x_1\"}"));
        assertThat(IndexSpecs.differences(backup, live)).containsExactlyInAnyOrder(
                "index email_1 is {\"email\": 1}, backup has {\"email\": 1} unique",
                "missing index at_-1 {\"at\": -1}",
                "extra index x_1 {\"x\": 1}");
        assertThat(IndexSpecs.differences(backup, backup)).isEmpty();
    }
}
