package dev.rollback.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that only moves when a test (or a step it runs) says so, as if the step took that long:
 * the runner's times, durations and downtime are then exact. Safe to move from a step's thread.
 */
public final class StepClock extends Clock {
    private Instant now;

    private StepClock(Instant start) {
        this.now = start;
    }

    /**
     * @param start the time it shows until it is moved
     * @return the clock
     */
    public static StepClock at(Instant start) {
        return new StepClock(start);
    }

    /** @param d how far to move it */
    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }
}
