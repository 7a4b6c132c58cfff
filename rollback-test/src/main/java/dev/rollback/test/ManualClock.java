package dev.rollback.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until a test moves it: {@link #advance(Duration)} and
 * {@link #set(Instant)}. Thread-safe; clocks made by {@link #withZone(ZoneId)} share its time.
 * Give it to the runner ({@code Rollback.runner().clock(clock)}) to get journal times a test
 * can predict.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.at(Instant.parse("2026-11-25T02:00:00Z"));
 * clock.advance(Duration.ofMinutes(5));
 * clock.instant();   // 2026-11-25T02:05:00Z
 * }</pre>
 */
public final class ManualClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * @param start the time it shows until moved
     * @return a clock in UTC
     */
    public static ManualClock at(Instant start) {
        return new ManualClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /** @return a clock at 2026-01-01T00:00:00Z, in UTC */
    public static ManualClock atDefaultStart() {
        return at(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far; not negative
     * @return the new time
     */
    public Instant advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a manual clock only moves forward with advance(); advance(" + amount
                    + ") was asked. Use set(instant) to move it back on purpose");
        }
        return now.updateAndGet(t -> t.plus(amount));
    }

    /**
     * Sets the clock to a time, earlier or later.
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new ManualClock(now, Objects.requireNonNull(zone, "zone"));
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + ", " + zone + "]";
    }
}
