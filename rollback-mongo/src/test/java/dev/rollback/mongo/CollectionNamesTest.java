package dev.rollback.mongo;

import dev.rollback.mongo.internal.CollectionNames;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollectionNamesTest {

    @Test
    void escapesLikeGoPathEscape() {
        assertThat(CollectionNames.pathEscape("cafés")).isEqualTo("caf%C3%A9s");
        assertThat(CollectionNames.pathEscape("a/b c;d,e?f")).isEqualTo("a%2Fb%20c%3Bd%2Ce%3Ff");
        assertThat(CollectionNames.pathEscape("keep-_.~$&+:=@")).isEqualTo("keep-_.~$&+:=@");
        assertThat(CollectionNames.pathEscape("emoji😀")).isEqualTo("emoji%F0%9F%98%80");
    }

    @Test
    void unescapeInvertsEscape() {
        for (String s : new String[]{"cafés", "a/b c", "plain", "emoji😀", "x%y", "100%"}) {
            assertThat(CollectionNames.pathUnescape(CollectionNames.pathEscape(s))).isEqualTo(s);
        }
        assertThat(CollectionNames.pathUnescape("caf%c3%a9s")).isEqualTo("cafés");
    }

    @Test
    void malformedEscapesAreRejected() {
        assertThatThrownBy(() -> CollectionNames.pathUnescape("abc%4")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 3");
        assertThatThrownBy(() -> CollectionNames.pathUnescape("abc%zz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shortNamesAreNotShortened() {
        assertThat(CollectionNames.fileBaseName("users")).isEqualTo("users");
        assertThat(CollectionNames.isTruncated("users")).isFalse();
        String longName = "x".repeat(300);
        String base = CollectionNames.fileBaseName(longName);
        assertThat(base).hasSize(238).startsWith("x".repeat(208) + "%24");
        assertThat(CollectionNames.isTruncated(base)).isTrue();
    }
}
