package dev.rollback.git.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionOrderTest {

    @Test
    void ordersNumbersAsNumbersAndPreReleasesBeforeTheirRelease() {
        List<String> tags = new ArrayList<>(List.of("v1.10.0", "v1.2.0", "v1.9.0", "v1.10.0-rc1", "v1.10.0-rc2", "v2.0.0",
                "v1.10.1", "v1.9.10", "v1.9", "v01.9.11"));
        Collections.shuffle(tags, new java.util.Random(7));
        tags.sort(VersionOrder.INSTANCE);
        assertThat(tags).containsExactly("v1.2.0", "v1.9", "v1.9.0", "v1.9.10", "v01.9.11", "v1.10.0-rc1", "v1.10.0-rc2",
                "v1.10.0", "v1.10.1", "v2.0.0");
    }

    @Test
    void isAConsistentTotalOrder() {
        List<String> tags = List.of("v1.0", "v1.0.0", "v1.0-rc1", "1.0", "release-2", "v1.0.0+build", "v1.0a", "v1.0.0.1");
        for (String a : tags) {
            assertThat(VersionOrder.INSTANCE.compare(a, a)).isZero();
            for (String b : tags) {
                assertThat(Integer.signum(VersionOrder.INSTANCE.compare(a, b)))
                        .as("%s vs %s", a, b).isEqualTo(-Integer.signum(VersionOrder.INSTANCE.compare(b, a)));
            }
        }
    }

    @Test
    void knowsPreReleases() {
        assertThat(VersionOrder.isPreRelease("v1.2.3")).isFalse();
        assertThat(VersionOrder.isPreRelease("1.2")).isFalse();
        assertThat(VersionOrder.isPreRelease("v1.2.3-rc.1")).isTrue();
        assertThat(VersionOrder.isPreRelease("v1.2.3-rollback")).isTrue();
        assertThat(VersionOrder.isPreRelease("v2.0.0beta1")).isTrue();
        assertThat(VersionOrder.isPreRelease("v2.0.0-SNAPSHOT")).isTrue();
    }

    @Test
    void globsMatchLikeGitTagList() {
        assertThat(VersionOrder.glob("v*").matcher("v1.2.3").matches()).isTrue();
        assertThat(VersionOrder.glob("v*").matcher("build-1").matches()).isFalse();
        assertThat(VersionOrder.glob("v1.?.0").matcher("v1.9.0").matches()).isTrue();
        assertThat(VersionOrder.glob("v1.?.0").matcher("v1.10.0").matches()).isFalse();
        assertThat(VersionOrder.glob("v[12].*").matcher("v2.0").matches()).isTrue();
        assertThat(VersionOrder.glob("v[!1].*").matcher("v1.0").matches()).isFalse();
        assertThat(VersionOrder.glob("a.b").matcher("axb").matches()).as("dots are literal").isFalse();
        assertThatThrownBy(() -> VersionOrder.glob("v[1")).hasMessageContaining("'[' without ']'");
    }

    @Test
    void slugsAreValidRefComponents() {
        assertThat(Repos.slug("git reset --hard HEAD~5")).isEqualTo("git-reset-hard-head-5");
        assertThat(Repos.slug("..weird..name.lock")).isEqualTo("weird.name-lock");
        assertThat(Repos.slug("***")).isEqualTo("step");
        assertThat(Repos.safetyTag("20260101-000000-abcd", "Reset Hard")).isEqualTo("rollback/safety/20260101-000000-abcd/reset-hard");
        assertThat(org.eclipse.jgit.lib.Repository.isValidRefName("refs/tags/" + Repos.safetyTag("r", "a:b~c^d?*[e\\"))).isTrue();
    }
}
