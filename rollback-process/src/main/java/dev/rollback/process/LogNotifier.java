package dev.rollback.process;

import dev.rollback.core.Notifier;
import dev.rollback.core.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes notifications to the SLF4J log (logger {@code dev.rollback.notifications}, level INFO):
 * for runs where the log is the channel, and as a companion to a webhook.
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
        LOG.info("[{} {}] {}", notification.planName(), notification.runId(), Redactor.redact(notification.message()));
    }
}
