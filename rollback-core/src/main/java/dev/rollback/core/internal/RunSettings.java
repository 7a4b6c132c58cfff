package dev.rollback.core.internal;

import dev.rollback.core.Confirmations;
import dev.rollback.core.RunListener;
import dev.rollback.core.journal.Journal;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a runner runs plans, as {@code RollbackRunner} was configured: one value instead of a
 * constructor argument each. Not public API.
 *
 * @param journal          where runs are recorded
 * @param confirmations    how destructive steps are approved
 * @param listeners        who is told about the run
 * @param operator         who runs it
 * @param reason           why
 * @param clock            the clock of journal times
 * @param resumeCommand    renders the call that resumes a run, from its id
 * @param approvalsUpFront ask for every destructive step before the first step runs
 * @param waivers          waivable prechecks and captures the operator skips: step name to why
 */
public record RunSettings(Journal journal, Confirmations confirmations, List<RunListener> listeners, String operator,
                          String reason, Clock clock, Function<String, String> resumeCommand, boolean approvalsUpFront,
                          Map<String, String> waivers) {

    /** Validates the fields and copies the listeners. */
    public RunSettings {
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(confirmations, "confirmations");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(resumeCommand, "resumeCommand");
        waivers = Collections.unmodifiableMap(new LinkedHashMap<>(waivers));
    }
}
