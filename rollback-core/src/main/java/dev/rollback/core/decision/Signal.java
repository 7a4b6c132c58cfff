package dev.rollback.core.decision;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named source of numbers the decision rules look at: an error rate, a latency ratio, an
 * integrity ratio, "health is failing". Read by the {@link Watchdog} on each poll.
 *
 * <pre>{@code
 * Signal errorRate = Signal.of("error.rate", () -> metrics.errorRate());
 * Signal healthFailing = Signal.failing("health.failing", Http.get(healthUrl).expectStatus(200));
 * }</pre>
 */
public interface Signal {

    /** @return the signal's name, as rules refer to it */
    String name();

    /**
     * Reads the current value.
     *
     * @return the value
     * @throws Exception when it cannot be read; the watchdog reports it, and never takes it for healthy
     */
    double read() throws Exception;

    /**
     * @param name     the name
     * @param supplier reads the value
     * @return a signal
     */
    static Signal of(String name, ValueSupplier supplier) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(supplier, "supplier");
        return new Signal() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double read() throws Exception {
                return supplier.get();
            }
        };
    }

    /**
     * A signal that is 1 while a check fails (or cannot be evaluated: a refused connection is a
     * failing health check) and 0 while it passes.
     *
     * @param name  the name, for example {@code "health.failing"}
     * @param check the check, for example an HTTP health check
     * @return a signal
     */
    static Signal failing(String name, Check check) {
        Objects.requireNonNull(check, "check");
        return of(name, () -> {
            try {
                return check.check(SignalContext.INSTANCE).isPassed() ? 0.0 : 1.0;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                return 1.0;
            }
        });
    }

    /**
     * A signal whose value is what a check measured (a row count, a ratio), parsed as a number.
     *
     * @param name  the name
     * @param check the check
     * @return a signal; reading fails when the measured value is not a number
     */
    static Signal measured(String name, Check check) {
        Objects.requireNonNull(check, "check");
        return of(name, () -> {
            CheckResult r = check.check(SignalContext.INSTANCE);
            try {
                return Double.parseDouble(r.measured().trim().split("\\s+")[0]);
            } catch (NumberFormatException e) {
                throw new IllegalStateException("check '" + r.name() + "' measured '" + Redactor.redact(r.measured()) + "', not a number");
            }
        });
    }

    /** Reads a value. */
    @FunctionalInterface
    interface ValueSupplier {
        /**
         * @return the value
         * @throws Exception when it cannot be read
         */
        double get() throws Exception;
    }

    /** The context checks see when they are read as signals, outside any run. */
    final class SignalContext implements StepContext {
        static final SignalContext INSTANCE = new SignalContext();

        private SignalContext() {
        }

        @Override
        public String runId() {
            return "watchdog";
        }

        @Override
        public String planName() {
            return "watchdog";
        }

        @Override
        public String stepName() {
            return "signal";
        }

        @Override
        public Path runDirectory() {
            return Path.of(System.getProperty("java.io.tmpdir"));
        }

        @Override
        public void output(String key, String value) {
            // signals publish nothing
        }

        @Override
        public Optional<String> output(String key) {
            return Optional.empty();
        }

        @Override
        public Map<String, String> outputs() {
            return Map.of();
        }

        @Override
        public void remember(String key, String value) {
            // a signal is read afresh at every poll: nothing to remember
        }

        @Override
        public Optional<String> recall(String key) {
            return Optional.empty();
        }

        @Override
        public Map<String, String> memory() {
            return Map.of();
        }

        @Override
        public void progress(String message) {
            // signals report nothing
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }
    }
}
