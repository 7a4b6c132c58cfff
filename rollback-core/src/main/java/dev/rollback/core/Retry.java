package dev.rollback.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a failed step is tried again, with exponential backoff.
 *
 * <pre>{@code
 * Retry.times(10).delay(Duration.ofSeconds(5));                   // the seeds' health loop
 * Retry.times(5).delay(Duration.ofSeconds(1)).backoff(2.0)          // 1 s, 2 s, 4 s, 8 s
 *      .maxDelay(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param attempts   total attempts, at least 1
 * @param delay      wait before the second attempt
 * @param multiplier factor applied to the delay after each attempt (1.0 for a fixed delay)
 * @param maxDelay   the longest wait between attempts
 */
public record Retry(int attempts, Duration delay, double multiplier, Duration maxDelay) {
    /** One attempt, no retry. */
    public static final Retry NONE = new Retry(1, Duration.ZERO, 1.0, Duration.ZERO);

    /** Validates the fields. */
    public Retry {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
        }
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (delay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("retry delays must not be negative");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("backoff multiplier must be at least 1.0, got " + multiplier);
        }
    }

    /**
     * @param attempts total attempts, at least 1
     * @return a retry with no delay; chain {@link #delay(Duration)}
     */
    public static Retry times(int attempts) {
        return new Retry(attempts, Duration.ZERO, 1.0, Duration.ofDays(1));
    }

    /**
     * @param delay wait before the second attempt
     * @return a copy with that delay
     */
    public Retry delay(Duration delay) {
        return new Retry(attempts, delay, multiplier, maxDelay.compareTo(delay) < 0 ? delay : maxDelay);
    }

    /**
     * @param multiplier factor applied after each attempt
     * @return a copy with exponential backoff
     */
    public Retry backoff(double multiplier) {
        return new Retry(attempts, delay, multiplier, maxDelay);
    }

    /**
     * @param maxDelay longest wait
     * @return a copy capped at that wait
     */
    public Retry maxDelay(Duration maxDelay) {
        return new Retry(attempts, delay, multiplier, maxDelay);
    }

    /**
     * @param failedAttempt the attempt that just failed, from 1
     * @return how long to wait before the next attempt
     */
    public Duration delayAfter(int failedAttempt) {
        double factor = Math.pow(multiplier, Math.max(0, failedAttempt - 1));
        double millis = delay.toMillis() * factor;
        long capped = (long) Math.min(millis, (double) maxDelay.toMillis());
        return Duration.ofMillis(capped);
    }

    @Override
    public String toString() {
        if (attempts == 1) {
            return "no retry";
        }
        return attempts + " attempts, " + delay.toMillis() + " ms apart" + (multiplier > 1.0 ? " x" + multiplier : "");
    }
}
