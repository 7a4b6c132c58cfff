package dev.rollback.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each approval policy accepts and refuses, and how it describes itself to the operator. */
class ApprovalPolicyTest {
    private static final Approver ALICE_LEAD = new Approver("alice", "Migration Lead");
    private static final Approver BOB_DBA = new Approver("bob", "DBA");
    private static final Approver CAROL_CTO = new Approver("carol", "CTO");
    private static final Approver DAVE = Approver.named("dave");

    @Test
    void theDefaultIsOneApproverOfAnyKind() {
        ApprovalPolicy p = ApprovalPolicy.single();
        assertThat(p.isSingle()).isTrue();
        assertThat(p.asksForRoles()).isFalse();
        assertThat(p.mostApprovers()).isEqualTo(1);
        assertThat(p.isSatisfiedBy(List.of(DAVE))).isTrue();
        assertThat(p.isSatisfiedBy(List.of())).isFalse();
        assertThat(p.describe()).isEqualTo("one approver");
        assertThat(p).hasToString("ApprovalPolicy[one approver]");
        assertThat(ApprovalPolicy.distinct(1)).isEqualTo(p).hasSameHashCodeAs(p);
        assertThat(ApprovalPolicy.distinct(1).isSingle()).isTrue();
    }

    @Test
    void distinctCountsPeopleRegardlessOfRole() {
        ApprovalPolicy two = ApprovalPolicy.distinct(2);
        assertThat(two.isSingle()).isFalse();
        assertThat(two.asksForRoles()).isFalse();
        assertThat(two.mostApprovers()).isEqualTo(2);
        assertThat(two.isSatisfiedBy(List.of(DAVE))).isFalse();
        assertThat(two.isSatisfiedBy(List.of(DAVE, ALICE_LEAD))).isTrue();
        assertThat(two.isSatisfiedBy(List.of(DAVE, ALICE_LEAD, BOB_DBA))).isTrue();
        assertThat(two.describe()).isEqualTo("2 distinct approvers");
    }

    @Test
    void distinctRefusesFewerThanOnePerson() {
        assertThatThrownBy(() -> ApprovalPolicy.distinct(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an approval policy needs at least one approver, got 0");
        assertThatThrownBy(() -> ApprovalPolicy.distinct(-3)).hasMessageContaining("got -3");
    }

    @Test
    void rolesNeedOneDifferentPersonInEachRoleCaseInsensitively() {
        ApprovalPolicy p = ApprovalPolicy.roles(" Migration Lead ", "DBA");
        assertThat(p.isSingle()).isFalse();
        assertThat(p.asksForRoles()).isTrue();
        assertThat(p.mostApprovers()).isEqualTo(2);
        assertThat(p.describe()).isEqualTo("Migration Lead + DBA");
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD, BOB_DBA))).isTrue();
        assertThat(p.isSatisfiedBy(List.of(BOB_DBA, ALICE_LEAD))).isTrue();
        assertThat(p.isSatisfiedBy(List.of(new Approver("alice", "migration lead"), new Approver("bob", "dba")))).isTrue();
        // two people, but nobody in the DBA role
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD, CAROL_CTO))).isFalse();
        // a role-less approver fills no role
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD, DAVE))).isFalse();
        // one approver cannot fill two roles, even one that matches both by count
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD))).isFalse();
    }

    @Test
    void theSameRoleTwiceNeedsTwoPeopleInIt() {
        ApprovalPolicy p = ApprovalPolicy.roles("DBA", "DBA");
        Approver erin = new Approver("erin", "DBA");
        assertThat(p.isSatisfiedBy(List.of(BOB_DBA, ALICE_LEAD))).isFalse();
        assertThat(p.isSatisfiedBy(List.of(BOB_DBA, ALICE_LEAD, DAVE))).isFalse();
        assertThat(p.isSatisfiedBy(List.of(BOB_DBA, erin))).isTrue();
    }

    @Test
    void rolesRefuseBlankOrMissingRoles() {
        assertThatThrownBy(() -> ApprovalPolicy.roles()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ApprovalPolicy.roles needs at least one role");
        assertThatThrownBy(() -> ApprovalPolicy.roles("DBA", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a role of an approval policy is blank");
        assertThatThrownBy(() -> ApprovalPolicy.roles("DBA", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a role of an approval policy is blank");
    }

    @Test
    void orIsSatisfiedByEitherAlternative() {
        ApprovalPolicy p = ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO"));
        assertThat(p.describe()).isEqualTo("Migration Lead + DBA, or CTO");
        assertThat(p).hasToString("ApprovalPolicy[Migration Lead + DBA, or CTO]");
        assertThat(p.mostApprovers()).isEqualTo(2);
        assertThat(ApprovalPolicy.roles("CTO").or(ApprovalPolicy.distinct(3)).mostApprovers()).isEqualTo(3);
        assertThat(p.asksForRoles()).isTrue();
        assertThat(ApprovalPolicy.distinct(2).or(ApprovalPolicy.roles("CTO")).asksForRoles()).isTrue();
        assertThat(p.isSatisfiedBy(List.of(CAROL_CTO))).isTrue();
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD, BOB_DBA))).isTrue();
        assertThat(p.isSatisfiedBy(List.of(ALICE_LEAD, DAVE))).isFalse();
        assertThat(p.isSingle()).isFalse();
        assertThat(ApprovalPolicy.single().or(ApprovalPolicy.single()).isSingle()).isFalse();
        assertThatThrownBy(() -> p.or(null)).isInstanceOf(NullPointerException.class).hasMessage("other");
    }

    @Test
    void equalPoliciesAreThoseWithTheSameAlternatives() {
        ApprovalPolicy a = ApprovalPolicy.roles("DBA", "CTO");
        assertThat(a).isEqualTo(ApprovalPolicy.roles("DBA", "CTO")).hasSameHashCodeAs(ApprovalPolicy.roles("DBA", "CTO"));
        assertThat(a).isNotEqualTo(ApprovalPolicy.roles("CTO", "DBA"));
        assertThat(a).isNotEqualTo(ApprovalPolicy.distinct(2));
        assertThat(a).isNotEqualTo("DBA + CTO");
        assertThat(ApprovalPolicy.distinct(2)).isEqualTo(ApprovalPolicy.distinct(2)).isNotEqualTo(ApprovalPolicy.distinct(3));
        assertThat(ApprovalPolicy.distinct(2).hashCode()).isNotEqualTo(ApprovalPolicy.distinct(3).hashCode());
    }
}
