package dev.rollback.core.decision;

import java.time.Instant;
import java.util.Objects;

/**
 * One reading of a signal: a value, or the error that kept it from being read. An error is never
 * taken for a healthy value.
 *
 * @param signal the signal's name
 * @param time   when it was read
 * @param value  the value, or {@code Double.NaN} when the read failed
 * @param error  why the read failed, or null
 */
public record Sample(String signal, Instant time, double value, String error) {
    /** Validates the fields. */
    public Sample {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(time, "time");
    }

    /**
     * @param signal name
     * @param time   when
     * @param value  value
     * @return a sample with a value
     */
    public static Sample of(String signal, Instant time, double value) {
        return new Sample(signal, time, value, null);
    }

    /**
     * @param signal name
     * @param time   when
     * @param error  why no value could be read
     * @return a failed sample
     */
    public static Sample failed(String signal, Instant time, String error) {
        return new Sample(signal, time, Double.NaN, error == null ? "unknown error" : error);
    }

    /** @return whether a value was read */
    public boolean isValue() {
        return error == null;
    }
}
