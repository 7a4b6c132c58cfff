package dev.rollback.core.internal;

import dev.rollback.core.CheckFailedException;
import dev.rollback.core.Redactor;
import dev.rollback.core.RollbackException;
import dev.rollback.core.StepFailedException;

/** How the runner describes a step's failure: its redacted message, its exception and its type. Not public API. */
public final class Failures {
    private static final int MAX_CAUSES = 4;

    private Failures() {
    }

    /**
     * The exception a step failed with, as a report carries it: the library's own exceptions as
     * they are, any other wrapped once in a {@link StepFailedException} with a redacted message.
     *
     * @param t what the step threw
     * @return the failure's exception
     */
    public static RollbackException of(Throwable t) {
        return t instanceof RollbackException r ? r : new StepFailedException(describe(t), t);
    }

    /**
     * @param e a failure's exception
     * @return the type the step threw: the wrapped exception's for a {@link StepFailedException}
     */
    public static String errorType(RollbackException e) {
        Throwable own = e instanceof StepFailedException && e.getCause() != null ? e.getCause() : e;
        return own.getClass().getName();
    }

    /**
     * @param t    an exception
     * @param type a type
     * @return whether the exception or one of its causes is of the type
     */
    public static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Renders a failure for people: the message chain, redacted, without repeating a message a
     * wrapper already holds.
     *
     * @param t the failure
     * @return one line
     */
    public static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        Throwable c = t;
        int depth = 0;
        while (c != null && depth < MAX_CAUSES) {
            String msg = c.getMessage();
            String part = c instanceof StepFailedException ? null
                    : c instanceof RollbackException || c instanceof CheckFailedException ? msg
                    : c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
            if (part != null && (b.length() == 0 || !b.toString().contains(part))) {
                if (b.length() > 0) {
                    b.append(" <- caused by ");
                }
                b.append(part);
            }
            c = c.getCause() == c ? null : c.getCause();
            depth++;
        }
        return Redactor.redact(b.toString());
    }
}
