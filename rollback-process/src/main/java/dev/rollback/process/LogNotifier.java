package dev.rollback.process;

import dev.rollback.core.Notifier;
import dev.rollback.core.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Writes notifications to the SLF4J log (logger {@code dev.rollback.notifications}, level INFO):
 * for runs where the log is the channel, and as a companion to a webhook.
 *
 * <p>A notification must reach someone: when the program has no SLF4J binding (SLF4J then drops
 * every line), sending fails with what to add, so that the notify step is a warning in the run's
 * outcome and its report rather than a message that went nowhere. (A logging configuration that
 * turns INFO off for {@code dev.rollback.notifications} is the operator's choice and is obeyed.)
 *
 * <pre>{@code
 * plan.notify(LogNotifier.create(), "Rollback ${plan} finished");
 * }</pre>
 */
public final class LogNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.notifications");

    private LogNotifier() {
    }

    /** @return the notifier */
    public static LogNotifier create() {
        return new LogNotifier();
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void send(Notification notification) {
        if (LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory) {
            throw new IllegalStateException("the notification went nowhere: this program has no SLF4J binding, so SLF4J drops every log line. "
                    + "Add one to the program (org.slf4j:slf4j-simple, or logback-classic), or notify through a webhook");
        }
        LOG.info("[{} {}] {}", notification.planName(), notification.runId(), Redactor.redact(notification.message()));
    }
}
