package dev.rollback.mongo;

import dev.rollback.mongo.internal.NamespaceRules;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cases of mongo-tools' {@code mongorestore/ns/ns_test.go}, against our port. */
class NamespaceRulesTest {

    private static NamespaceRules renames(String... pairs) {
        List<String[]> list = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new String[]{pairs[i], pairs[i + 1]});
        }
        return NamespaceRules.of(List.of(), List.of(), list);
    }

    @Test
    void renamesWithVariablesAndEscapedWildcards() {
        NamespaceRules r = renames("$db$.user$$", "test.user$$_$db$", "pr\\*d\\\\.*", "st\\*g\\\\ing.*");
        assertThat(r.rename("stuff.user")).isEqualTo("test.user_stuff");
        assertThat(r.rename("stuff.users")).isEqualTo("test.users_stuff");
        assertThat(r.rename("pr*d\\.users")).isEqualTo("st*g\\ing.users");
        assertThat(r.rename("pr*d\\.turbo.encabulators")).isEqualTo("st*g\\ing.turbo.encabulators");
        assertThat(r.rename("st*g\\ing.turbo.encabulators")).isEqualTo("st*g\\ing.turbo.encabulators");
    }

    @Test
    void regexCharactersAreLiteral() {
        NamespaceRules r = renames("$:)*$.us(?:2)er$?$", "test.us(?:2)er$?$_$:)*$");
        assertThat(r.rename("stuff.us(?:2)er")).isEqualTo("test.us(?:2)er_stuff");
        assertThat(r.rename("stuff.us(?:2)ers")).isEqualTo("test.us(?:2)ers_stuff");
    }

    @Test
    void wildcardsPairInOrder() {
        NamespaceRules r = renames("*.*", "*_test.*");
        assertThat(r.rename("stuff.user")).isEqualTo("stuff_test.user");
        assertThat(r.rename("prod.turbo.encabulators")).isEqualTo("prod_test.turbo.encabulators");
        assertThat(renames("restaurants.cafés", "ÿœp.tāx", "ÿœz.tāx", "yes.tax").rename("restaurants.cafés")).isEqualTo("ÿœp.tāx");
        // the pair given last wins
        assertThat(renames("crm.*", "a.*", "crm.*", "b.*").rename("crm.users")).isEqualTo("b.users");
    }

    @Test
    void invalidRenamesAreRefused() {
        assertThatThrownBy(() -> renames("$db$.user$db$", "test.user-$db$")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than once");
        assertThatThrownBy(() -> renames("$db$.us$er$table$", "test.user$table$_$db$")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> renames("crm.*", "crm")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("asterisks");
    }

    @Test
    void matchers() {
        NamespaceRules m = NamespaceRules.of(List.of("*.user*", "pr\\*d\\.*"), List.of(), List.of());
        assertThat(m.included("stuff.user")).isTrue();
        assertThat(m.included("stuff.users")).isTrue();
        assertThat(m.included("pr*d.users")).isTrue();
        assertThat(m.included("pr*d\\.magic")).isFalse();
        assertThat(m.included("prod.magic")).isFalse();
        assertThat(m.included("pr*d.turbo.encabulators")).isTrue();
        NamespaceRules all = NamespaceRules.of(List.of("*.*"), List.of(), List.of());
        assertThat(all.included("stuff")).isFalse();
        assertThat(all.included("prod.turbo.encabulators")).isTrue();
        assertThat(NamespaceRules.of(List.of("*"), List.of(), List.of()).included("test.\n")).isTrue();
        assertThat(NamespaceRules.of(List.of(), List.of("crm.sessions"), List.of()).excluded("crm.sessions")).isTrue();
        assertThatThrownBy(() -> NamespaceRules.checkPattern("*.user$")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MongoBackup.at(java.nio.file.Path.of("x")).nsInclude("$.user$")).isInstanceOf(IllegalArgumentException.class);
    }
}
