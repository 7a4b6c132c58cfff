package dev.rollback.core;

import dev.rollback.core.journal.JournalEvent;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How long a run kept the application down, read from its journal: from the moment a
 * {@link StepKind#STOP_APP stop-app} step began to the first {@link StepKind#VERIFY verify} step
 * that passed after a {@link StepKind#START_APP start-app} step finished (the app verified
 * healthy). This is what users wait for, as opposed to the run's total time: a restore prepared
 * while the application serves is total time, not downtime.
 *
 * <p>Across a crash and a resume the figure is wall time: the application stays down while no
 * process runs, so the time between the processes is counted, and reported apart as
 * {@link #betweenProcesses()}. A stop while the application is already down (a resume stopping it
 * again) continues the same window; a later stop after it was verified healthy opens a new one.
 *
 * <pre>{@code
 * RunReport run = Rollback.runner().run(plan);
 * run.downtime().total();      // e.g. PT3.2S: stop began -> health check passed
 * run.downtime().summary();    // "3.2 s (app stopped 03:00:01.100 -> healthy 03:00:04.300)"
 * }</pre>
 *
 * @param windows each time the application was down, in order; empty when no step stopped it
 */
public record Downtime(List<Window> windows) {
    /** A run that never stopped the application. */
    public static final Downtime NONE = new Downtime(List.of());
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** Copies the list. */
    public Downtime {
        windows = List.copyOf(windows);
    }

    /** How a downtime window ended. */
    public enum End {
        /** A verify step passed after the application was started: it was verified healthy. */
        HEALTHY,
        /**
         * The application was started, and no verify step ran after that in the run: the window
         * ends at the start, unverified.
         */
        STARTED_UNCHECKED,
        /**
         * When the journal ends, the application is still down: not started again, or started and
         * no check after the start passed (the window is counted up to the journal's last event).
         */
        DOWN
    }

    /**
     * One stretch of downtime.
     *
     * @param stopped          when the stop-app step began
     * @param stopStep         that step's name
     * @param started          when a start-app step finished starting the app, or null if none did
     * @param startStep        that step's name, or null
     * @param until            where the window ends: the passing check, the start, or the journal's last event
     * @param untilStep        the verify step that passed, or null
     * @param end              how it ended
     * @param betweenProcesses the part of it when no process was running the run (a crash or a stop, then a resume)
     */
    public record Window(Instant stopped, String stopStep, Instant started, String startStep, Instant until, String untilStep,
                         End end, Duration betweenProcesses) {
        /** Checks the fields. */
        public Window {
            Objects.requireNonNull(stopped, "stopped");
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(betweenProcesses, "betweenProcesses");
        }

        /** @return how long the application was down in this window, wall time, gaps between processes included */
        public Duration duration() {
            return Duration.between(stopped, until);
        }
    }

    /** @return the downtime of all windows, wall time, gaps between processes included */
    public Duration total() {
        return windows.stream().map(Window::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /** @return the part of {@link #total()} when no process was running the run (the application stayed down meanwhile) */
    public Duration betweenProcesses() {
        return windows.stream().map(Window::betweenProcesses).reduce(Duration.ZERO, Duration::plus);
    }

    /** @return whether no step stopped the application */
    public boolean isNone() {
        return windows.isEmpty();
    }

    /** @return whether the application is still down (or not verified) when the journal ends */
    public boolean stillDown() {
        return !windows.isEmpty() && windows.get(windows.size() - 1).end() == End.DOWN;
    }

    /**
     * @return one line for people: {@code "3.2 s (app stopped 03:00:01.100 -> healthy 03:00:04.300)"}, with what
     *         was between processes and whether it is still down; {@code "none (the app was not stopped)"}
     */
    public String summary() {
        if (windows.isEmpty()) {
            return "none (the app was not stopped)";
        }
        StringBuilder b = new StringBuilder(Durations.human(total()));
        List<String> parts = new ArrayList<>();
        for (Window w : windows) {
            parts.add("app stopped " + clock(w.stopped()) + " -> " + switch (w.end()) {
                case HEALTHY -> "healthy " + clock(w.until());
                case STARTED_UNCHECKED -> "started " + clock(w.until()) + ", no health check after it";
                case DOWN -> (w.started() == null ? "still down" : "started " + clock(w.started()) + ", no health check passed")
                        + " at " + clock(w.until());
            });
        }
        b.append(" (").append(String.join("; ", parts)).append(')');
        if (windows.size() > 1) {
            b.append(", ").append(windows.size()).append(" times");
        }
        if (!betweenProcesses().isZero()) {
            b.append(", ").append(Durations.human(betweenProcesses()))
                    .append(" of it between processes (the app stayed down while no process ran the run)");
        }
        if (stillDown()) {
            b.append("; STILL DOWN or unverified when the journal ends, so this is a lower bound");
        }
        return b.toString();
    }

    private static String clock(Instant t) {
        return CLOCK.format(t);
    }

    /**
     * Reads the downtime from a run's events (all its processes', as {@link dev.rollback.core.journal.Journal#read}
     * returns them).
     *
     * @param events the run's journal, in order
     * @return its downtime; {@link #NONE} when no step stopped the application
     */
    public static Downtime of(List<JournalEvent> events) {
        List<Window> windows = new ArrayList<>();
        Instant stopped = null;
        String stopStep = null;
        Instant started = null;
        String startStep = null;
        boolean checkedAfterStart = false;
        Duration gaps = Duration.ZERO;
        Instant lastSeen = null;
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.RunResumed && stopped != null && lastSeen != null && e.time().isAfter(lastSeen)) {
                gaps = gaps.plus(Duration.between(lastSeen, e.time()));
            }
            lastSeen = e.time();
            StepKind kind = kindOf(e);
            if (kind == StepKind.STOP_APP) {
                if (stopped == null) {
                    stopped = e instanceof JournalEvent.StepStarted ? e.time() : e.time().minusMillis(durationOf(e));
                    stopStep = stepOf(e);
                    gaps = Duration.ZERO;
                }
                started = null;            // stopped again before it was verified: the same window goes on
                startStep = null;
                checkedAfterStart = false;
            } else if (stopped != null && kind == StepKind.START_APP && e instanceof JournalEvent.StepFinished f) {
                started = f.time();
                startStep = f.step();
                checkedAfterStart = false;
            } else if (stopped != null && started != null && kind == StepKind.VERIFY) {
                checkedAfterStart = true;
                if (e instanceof JournalEvent.StepFinished f) {
                    windows.add(new Window(stopped, stopStep, started, startStep, f.time(), f.step(), End.HEALTHY, gaps));
                    stopped = null;
                    started = null;
                }
            }
        }
        if (stopped != null) {
            boolean unchecked = started != null && !checkedAfterStart;
            windows.add(new Window(stopped, stopStep, started, startStep, unchecked ? started : lastSeen, null,
                    unchecked ? End.STARTED_UNCHECKED : End.DOWN, gaps));
        }
        return new Downtime(windows);
    }

    private static StepKind kindOf(JournalEvent e) {
        if (e instanceof JournalEvent.StepStarted s) {
            return s.kind();
        } else if (e instanceof JournalEvent.StepFinished f) {
            return f.kind();
        } else if (e instanceof JournalEvent.StepFailed f) {
            return f.kind();
        }
        return null;
    }

    private static String stepOf(JournalEvent e) {
        if (e instanceof JournalEvent.StepStarted s) {
            return s.step();
        } else if (e instanceof JournalEvent.StepFinished f) {
            return f.step();
        }
        return ((JournalEvent.StepFailed) e).step();
    }

    private static long durationOf(JournalEvent e) {
        if (e instanceof JournalEvent.StepFinished f) {
            return f.durationMillis();
        } else if (e instanceof JournalEvent.StepFailed f) {
            return f.durationMillis();
        }
        return 0;
    }
}
