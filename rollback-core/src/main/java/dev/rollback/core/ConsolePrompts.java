package dev.rollback.core;

import dev.rollback.core.Confirmations.Approval;
import dev.rollback.core.Confirmations.ApprovalRequest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;

/** The console's prompts for {@link Confirmations#console(BufferedReader, PrintStream)}. */
final class ConsolePrompts {
    private ConsolePrompts() {
    }

    /** Prints the destructive step: its name, what it does and its commands. */
    static void describe(ApprovalRequest request, PrintStream out) {
        out.println();
        out.println("DESTRUCTIVE STEP " + request.step().index() + ": " + request.step().name());
        out.println("  " + request.step().description().summary());
        request.step().description().commands().forEach(c -> out.println("  $ " + c));
    }

    /**
     * @return the line typed, or null at the end of the input (or when it cannot be read)
     */
    static String ask(BufferedReader in, PrintStream out, String prompt) {
        out.print(prompt);
        out.flush();
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** Asks one approver to type the target's name: approved in their name and role, or refused. */
    static Approval confirm(ApprovalRequest request, Approver approver, BufferedReader in, PrintStream out, String indent) {
        String target = request.step().confirmationTarget();
        String line = ask(in, out, indent + "Type '" + target + "' to go on, anything else to stop: ");
        if (line == null) {
            out.println();
            return closed(request);
        }
        if (line.trim().equals(target)) {
            return Approval.approved(approver, "console");
        }
        return Approval.refused("console", (request.policy().isSingle() ? "the operator" : approver.toString())
                + " typed '" + line.trim() + "' instead of '" + target + "'");
    }

    /** The answer at the end of standard input: no one can approve. */
    static Approval closed(ApprovalRequest request) {
        return Approval.unavailable("console", "standard input is closed, so no one can approve '" + request.step().name()
                + "'; run at a terminal, or approve with " + (request.policy().isSingle() ? "a named approver (--yes NAME)"
                : "the named approvers (--approve NAME:ROLE, once for each)"));
    }
}
