package dev.rollback.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Asks for approval before a destructive step. Three strategies, as the seeds use them:
 * <ul>
 *   <li>{@link #console()}: the operator types the target's name (the database) to go on;</li>
 *   <li>{@link #autoApprove(String)}: a named approver approves everything (the seeds' {@code --force});</li>
 *   <li>{@link #none()}: no one can be asked; a destructive step fails at once with a clear message.</li>
 * </ul>
 * A run never waits forever: at the end of standard input the console strategy answers that no
 * one can be asked.
 *
 * <p>When the plan asks for more than one approver ({@link ApprovalPolicy}), the runner calls
 * {@link #requestEach(ApprovalRequest)}: the console asks each approver in turn for their name,
 * their role and the target; {@link #approvers(List)} answers with the people named by
 * {@code --approve NAME:ROLE}. The runner then checks the answers against the policy.
 */
public interface Confirmations {

    /**
     * Asks for approval of one destructive step.
     *
     * @param request the plan, run and step
     * @return the decision
     */
    Approval request(ApprovalRequest request);

    /**
     * Asks every approver the request's policy needs, in turn, for one destructive step. The
     * default asks once, through {@link #request(ApprovalRequest)}; the runner refuses the step when
     * the answers do not satisfy the policy.
     *
     * @param request the plan, run, step, policy and operator
     * @return one answer per approver asked, in order; a refusal ends the list
     */
    default List<Approval> requestEach(ApprovalRequest request) {
        return List.of(request(request));
    }

    /** @return the console strategy on {@code System.in} and {@code System.err} */
    static Confirmations console() {
        return console(new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())), System.err);
    }

    /**
     * @param in  where answers are read
     * @param out where prompts are written
     * @return the console strategy on these streams
     */
    static Confirmations console(BufferedReader in, PrintStream out) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        String operator = System.getProperty("user.name", "operator");
        return new Confirmations() {
            @Override
            public Approval request(ApprovalRequest request) {
                ConsolePrompts.describe(request, out);
                return ConsolePrompts.confirm(request, Approver.named(operator), in, out, "");
            }

            @Override
            public List<Approval> requestEach(ApprovalRequest request) {
                if (request.policy().isSingle()) {
                    return List.of(request(request));
                }
                ConsolePrompts.describe(request, out);
                out.println("  Needs approval by " + request.policy().describe() + ", each a different person"
                        + (request.operator() == null ? "" : ", not the operator (" + request.operator() + ")") + ".");
                List<Approval> answers = new ArrayList<>();
                List<Approver> approvers = new ArrayList<>();
                for (int i = 1; i <= request.policy().mostApprovers() && !request.policy().isSatisfiedBy(approvers); i++) {
                    String name = ConsolePrompts.ask(in, out, "Approver " + i + ", your name (empty to stop): ");
                    if (name == null) {
                        answers.add(ConsolePrompts.closed(request));
                        return answers;
                    }
                    if (name.isBlank()) {
                        break;
                    }
                    String role = null;
                    if (request.policy().asksForRoles()) {
                        role = ConsolePrompts.ask(in, out, "  " + name.strip() + ", your role: ");
                        if (role == null) {
                            answers.add(ConsolePrompts.closed(request));
                            return answers;
                        }
                    }
                    Approver approver = new Approver(name, role);
                    Approval answer = ConsolePrompts.confirm(request, approver, in, out, "  ");
                    answers.add(answer);
                    if (!answer.isApproved()) {
                        return answers;
                    }
                    approvers.add(approver);
                }
                return answers;
            }
        };
    }

    /**
     * @param approver who takes responsibility, recorded in the journal and the report
     * @return a strategy that approves every step in that name
     */
    static Confirmations autoApprove(String approver) {
        if (approver == null || approver.isBlank()) {
            throw new IllegalArgumentException("autoApprove needs the approver's name, for the journal and the incident report");
        }
        return request -> Approval.approved(approver, "auto-approve");
    }

    /**
     * The approvers named on the command line ({@code --approve NAME:ROLE}, repeated): each approves
     * every destructive step in their role. Under the default policy the first one approves.
     *
     * @param approvers who approves, in order
     * @return the strategy
     */
    static Confirmations approvers(List<Approver> approvers) {
        List<Approver> named = List.copyOf(approvers);
        if (named.isEmpty()) {
            throw new IllegalArgumentException("Confirmations.approvers needs at least one approver (--approve NAME:ROLE)");
        }
        return new Confirmations() {
            @Override
            public Approval request(ApprovalRequest request) {
                return Approval.approved(named.get(0), "--approve");
            }

            @Override
            public List<Approval> requestEach(ApprovalRequest request) {
                return named.stream().map(a -> Approval.approved(a, "--approve")).toList();
            }
        };
    }

    /** @return a strategy with no one to ask: destructive steps fail at once */
    static Confirmations none() {
        return request -> Approval.unavailable("none", "step '" + request.step().name()
                + "' is destructive and this run has no way to ask for approval; approve it with a named approver "
                + "(Confirmations.autoApprove(name), or --yes NAME) or run with console confirmations");
    }

    /**
     * A request for approval.
     *
     * @param planName the plan
     * @param runId    the run
     * @param step     the destructive step
     * @param policy   who must approve it
     * @param operator who runs the plan (not an approver under a policy of more than one person), or null
     */
    record ApprovalRequest(String planName, String runId, PlannedStep step, ApprovalPolicy policy, String operator) {
        /** Validates the policy. */
        public ApprovalRequest {
            Objects.requireNonNull(policy, "policy");
        }

        /**
         * A request under the default policy: one approver.
         *
         * @param planName the plan
         * @param runId    the run
         * @param step     the destructive step
         */
        public ApprovalRequest(String planName, String runId, PlannedStep step) {
            this(planName, runId, step, ApprovalPolicy.single(), null);
        }
    }

    /**
     * A decision about one step.
     *
     * @param decision approved, refused, or no one could be asked
     * @param approver who approved, or null
     * @param method   how it was asked ("console", "auto-approve", "none")
     * @param reason   why it was not approved, or null
     * @param role     the role the approver approved in, or null
     */
    record Approval(Decision decision, String approver, String method, String reason, String role) {
        /**
         * A decision with no role.
         *
         * @param decision approved, refused, or no one could be asked
         * @param approver who approved, or null
         * @param method   how it was asked
         * @param reason   why it was not approved, or null
         */
        public Approval(Decision decision, String approver, String method, String reason) {
            this(decision, approver, method, reason, null);
        }

        /**
         * @param approver who, in which role
         * @param method   how
         * @return an approval
         */
        public static Approval approved(Approver approver, String method) {
            return new Approval(Decision.APPROVED, approver.name(), method, null, approver.role());
        }

        /**
         * @param approver who
         * @param method   how
         * @return an approval
         */
        public static Approval approved(String approver, String method) {
            return new Approval(Decision.APPROVED, approver, method, null);
        }

        /**
         * @param method how it was asked
         * @param reason why not
         * @return a refusal by the operator
         */
        public static Approval refused(String method, String reason) {
            return new Approval(Decision.REFUSED, null, method, reason);
        }

        /**
         * @param method how it would have been asked
         * @param reason why no one could be asked
         * @return a decision that no one was there to make
         */
        public static Approval unavailable(String method, String reason) {
            return new Approval(Decision.UNAVAILABLE, null, method, reason);
        }

        /** @return whether the step may run */
        public boolean isApproved() {
            return decision == Decision.APPROVED;
        }
    }

    /** The decisions. */
    enum Decision {
        /** Go on. */
        APPROVED,
        /** The operator said no. */
        REFUSED,
        /** No one could be asked (no console, closed standard input, no strategy). */
        UNAVAILABLE
    }
}
