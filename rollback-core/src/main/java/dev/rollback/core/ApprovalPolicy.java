package dev.rollback.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who must approve a plan's destructive steps. By default one person does ({@link #single()}),
 * as the console or {@code --yes NAME} always did. A runbook that asks for more names them:
 *
 * <pre>{@code
 * Rollback.plan("phase-4-migration-rollback")
 *     .approvals(ApprovalPolicy.roles("Migration Lead", "DBA").or(ApprovalPolicy.roles("CTO")))   // "Migration Lead + DBA, or CTO"
 *
 * Rollback.plan("nextcrm-back-to-mongo")
 *     .approvals(ApprovalPolicy.distinct(2))                                                      // any two people
 * }</pre>
 *
 * <p>Under a policy of more than one person, or with roles, every approver must be a different
 * person and none may be the operator who runs the plan (self-approval is refused). Each approval
 * is journaled with its role. Immutable.
 */
public final class ApprovalPolicy {
    private static final ApprovalPolicy SINGLE = new ApprovalPolicy(List.of(new Alternative(1, List.of())));

    /** One way to satisfy the policy: this many distinct people, one in each of these roles. */
    private record Alternative(int people, List<String> roles) {
        boolean satisfiedBy(List<Approver> approvers) {
            if (approvers.size() < people) {
                return false;
            }
            Set<Approver> used = new HashSet<>();
            for (String role : roles) {
                Approver match = approvers.stream().filter(a -> !used.contains(a) && a.role() != null
                        && a.role().toLowerCase(Locale.ROOT).equals(role.toLowerCase(Locale.ROOT))).findFirst().orElse(null);
                if (match == null) {
                    return false;
                }
                used.add(match);
            }
            return true;
        }

        String describe() {
            return roles.isEmpty() ? (people == 1 ? "one approver" : people + " distinct approvers") : String.join(" + ", roles);
        }
    }

    private final List<Alternative> alternatives;

    private ApprovalPolicy(List<Alternative> alternatives) {
        this.alternatives = List.copyOf(alternatives);
    }

    /** @return one approver, who may be the operator (the default) */
    public static ApprovalPolicy single() {
        return SINGLE;
    }

    /**
     * @param people how many different people must approve, at least 1
     * @return the policy; none of them may be the operator
     */
    public static ApprovalPolicy distinct(int people) {
        if (people < 1) {
            throw new IllegalArgumentException("an approval policy needs at least one approver, got " + people);
        }
        return new ApprovalPolicy(List.of(new Alternative(people, List.of())));
    }

    /**
     * @param roles the roles that must each approve, each by a different person, such as
     *              {@code "Migration Lead", "DBA"}
     * @return the policy; none of them may be the operator
     */
    public static ApprovalPolicy roles(String... roles) {
        List<String> list = new ArrayList<>();
        for (String r : roles) {
            if (r == null || r.isBlank()) {
                throw new IllegalArgumentException("a role of an approval policy is blank");
            }
            list.add(r.strip());
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("ApprovalPolicy.roles needs at least one role");
        }
        return new ApprovalPolicy(List.of(new Alternative(list.size(), list)));
    }

    /**
     * @param other another way to approve
     * @return a policy satisfied by either: {@code roles("Migration Lead", "DBA").or(roles("CTO"))}
     */
    public ApprovalPolicy or(ApprovalPolicy other) {
        List<Alternative> all = new ArrayList<>(alternatives);
        all.addAll(Objects.requireNonNull(other, "other").alternatives);
        return new ApprovalPolicy(all);
    }

    /** @return whether one approver, who may be the operator, is enough (the default) */
    public boolean isSingle() {
        return alternatives.equals(SINGLE.alternatives);
    }

    /** @return whether the policy names roles, so that approvers are asked for theirs */
    public boolean asksForRoles() {
        return alternatives.stream().anyMatch(a -> !a.roles().isEmpty());
    }

    /** @return the most approvers any one way of satisfying the policy needs */
    public int mostApprovers() {
        return alternatives.stream().mapToInt(Alternative::people).max().orElse(1);
    }

    /**
     * @param approvers distinct approvers
     * @return whether they satisfy one of the policy's alternatives
     */
    public boolean isSatisfiedBy(List<Approver> approvers) {
        return alternatives.stream().anyMatch(a -> a.satisfiedBy(approvers));
    }

    /** @return the policy in words, such as {@code Migration Lead + DBA, or CTO} */
    public String describe() {
        return alternatives.stream().map(Alternative::describe).collect(Collectors.joining(", or "));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApprovalPolicy p && p.alternatives.equals(alternatives);
    }

    @Override
    public int hashCode() {
        return alternatives.hashCode();
    }

    @Override
    public String toString() {
        return "ApprovalPolicy[" + describe() + "]";
    }
}
