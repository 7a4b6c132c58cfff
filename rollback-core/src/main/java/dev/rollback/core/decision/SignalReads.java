package dev.rollback.core.decision;

import dev.rollback.core.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/**
 * Reads every signal once into a history: what a {@link Watchdog} poll and a {@link Monitoring}
 * window's poll share. A read that fails is recorded as an unavailable sample, never as a value.
 */
final class SignalReads {
    private static final Logger LOG = LoggerFactory.getLogger(SignalReads.class);

    private SignalReads() {
    }

    /**
     * @param signals the signals
     * @param history where the samples go
     * @param clock   stamps each sample when its read has completed
     * @throws InterruptedException when interrupted during a read; the samples read so far stay recorded
     */
    static void readAll(List<Signal> signals, SignalHistory history, Clock clock) throws InterruptedException {
        for (Signal signal : signals) {
            try {
                // stamped when the read has completed: a slow read that saw a failure must not date it back
                // to before it began, which would make a breach look sustained for longer than it was
                double value = signal.read();
                history.record(Sample.of(signal.name(), clock.instant(), value));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                String why = Redactor.redact(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                LOG.warn("Signal {} could not be read: {}", signal.name(), why);
                history.record(Sample.failed(signal.name(), clock.instant(), why));
            }
        }
    }
}
