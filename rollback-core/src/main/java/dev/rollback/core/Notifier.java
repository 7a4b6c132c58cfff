package dev.rollback.core;

import java.util.Objects;

/**
 * Tells people about the run: a Slack webhook, a log line, an e-mail. Used by
 * {@link PlanBuilder#notify(Notifier, String)}. A failing notification does not fail the
 * rollback unless the plan says so.
 */
public interface Notifier {
    /**
     * The output under which a plan's notify step journals the message it sends, with the run's
     * variables expanded and secrets redacted, so that the incident report shows what was sent.
     */
    String SENT_MESSAGE_OUTPUT = "notify.message";

    /** A short name for plans and reports: "slack webhook". */
    String name();

    /**
     * Sends one notification.
     *
     * @param notification the message and the run it belongs to
     * @throws Exception when it could not be delivered
     */
    void send(Notification notification) throws Exception;

    /**
     * Makes a notifier from a name and a function, for tests and small integrations.
     *
     * @param name   a short name
     * @param sender sends one notification
     * @return the notifier
     */
    static Notifier of(String name, Sender sender) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sender, "sender");
        return new Notifier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void send(Notification notification) throws Exception {
                sender.send(notification);
            }
        };
    }

    /** The body of a notifier written as a lambda. */
    @FunctionalInterface
    interface Sender {
        /**
         * @param notification what to send
         * @throws Exception when it could not be delivered
         */
        void send(Notification notification) throws Exception;
    }

    /**
     * One message about a run.
     *
     * @param planName the plan
     * @param runId    the run
     * @param message  the text, with run variables already expanded
     */
    record Notification(String planName, String runId, String message) {
    }
}
