package dev.rollback.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
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
 */
public interface Confirmations {

    /**
     * Asks for approval of one destructive step.
     *
     * @param request the plan, run and step
     * @return the decision
     */
    Approval request(ApprovalRequest request);

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
        return request -> {
            String target = request.step().confirmationTarget();
            out.println();
            out.println("DESTRUCTIVE STEP " + request.step().index() + ": " + request.step().name());
            out.println("  " + request.step().description().summary());
            request.step().description().commands().forEach(c -> out.println("  $ " + c));
            out.print("Type '" + target + "' to go on, anything else to stop: ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                line = null;
            }
            if (line == null) {
                out.println();
                return Approval.unavailable("console", "standard input is closed, so no one can approve '" + request.step().name()
                        + "'; run at a terminal, or approve with a named approver (--yes NAME)");
            }
            if (line.trim().equals(target)) {
                return Approval.approved(operator, "console");
            }
            return Approval.refused("console", "the operator typed '" + line.trim() + "' instead of '" + target + "'");
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
     */
    record ApprovalRequest(String planName, String runId, PlannedStep step) {
    }

    /**
     * A decision about one step.
     *
     * @param decision approved, refused, or no one could be asked
     * @param approver who approved, or null
     * @param method   how it was asked ("console", "auto-approve", "none")
     * @param reason   why it was not approved, or null
     */
    record Approval(Decision decision, String approver, String method, String reason) {
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
