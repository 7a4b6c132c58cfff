package dev.rollback.test;

import dev.rollback.core.Notifier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Notifier} that keeps every message it is asked to send, and can be told to fail the
 * next N sends (a Slack outage). Thread-safe.
 *
 * <pre>{@code
 * RecordingNotifier slack = RecordingNotifier.named("slack").failTimes(1);
 * RunReport report = runner.run(Rollback.plan("p").notify(slack, "Rollback of ${plan} started").step("x", c -> { }).build());
 * // a failing notification does not stop the run by default
 * assertThat(report).hasOutcome(RunOutcome.SUCCEEDED_WITH_WARNINGS);
 * assertThat(slack.attempts()).isEqualTo(1);
 * assertThat(slack.messages()).isEmpty();
 * }</pre>
 */
public final class RecordingNotifier implements Notifier {
    private final String name;
    private final List<Notification> delivered = new ArrayList<>();
    private int attempts;
    private int failuresLeft;

    private RecordingNotifier(String name) {
        this.name = name;
    }

    /**
     * @param name the notifier's name, as plans and reports show it
     * @return a notifier that delivers everything
     */
    public static RecordingNotifier named(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a recording notifier needs a name; notify steps are named after it");
        }
        return new RecordingNotifier(name);
    }

    /**
     * Makes the next {@code n} sends fail (and not record their message); later sends succeed.
     *
     * @param n how many sends fail, 0 or more
     * @return this notifier
     */
    public synchronized RecordingNotifier failTimes(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("failTimes needs 0 or more, not " + n);
        }
        this.failuresLeft = n;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void send(Notification notification) throws Exception {
        attempts++;
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new IOException("recording notifier '" + name + "' fails as told (attempt " + attempts + ")");
        }
        delivered.add(notification);
    }

    /** @return the delivered messages' text, in order */
    public synchronized List<String> messages() {
        return delivered.stream().map(Notification::message).toList();
    }

    /** @return the delivered notifications, in order */
    public synchronized List<Notification> notifications() {
        return List.copyOf(delivered);
    }

    /** @return how many sends were attempted, failed ones included */
    public synchronized int attempts() {
        return attempts;
    }

    @Override
    public synchronized String toString() {
        return "RecordingNotifier[" + name + ", " + delivered.size() + " delivered, " + attempts + " attempts]";
    }
}
