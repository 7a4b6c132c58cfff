package dev.rollback.process;

import dev.rollback.core.Notifier;

/**
 * Sends one log notification in a JVM started by {@link NotifierIT} without an SLF4J binding, and
 * prints what happened.
 */
public final class LogNotifierWithoutBindingMain {
    private LogNotifierWithoutBindingMain() {
    }

    /**
     * @param args unused
     */
    public static void main(String[] args) {
        try {
            LogNotifier.create().send(new Notifier.Notification("plan-x", "run-y", "hello"));
            System.out.println("SENT");
        } catch (IllegalStateException e) {
            System.out.println("REFUSED: " + e.getMessage());
        }
    }
}
