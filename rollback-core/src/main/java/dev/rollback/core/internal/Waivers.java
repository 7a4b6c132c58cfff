package dev.rollback.core.internal;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.WaiverRefusedException;

import java.util.Map;

/** Checks the waivers an operator asked for against the plan, before anything runs or is journaled. */
final class Waivers {
    private Waivers() {
    }

    /**
     * @param plan    the plan
     * @param waivers step name to the reason it is waived
     * @throws WaiverRefusedException naming the first waiver the plan does not allow, and the fix
     */
    static void check(RollbackPlan plan, Map<String, String> waivers) {
        waivers.forEach((name, reason) -> {
            PlannedStep step = plan.step(name).orElseThrow(() -> new WaiverRefusedException(name, "--waive '" + name
                    + "': the plan has no step of that name; the waivable ones are " + waivable(plan) + ". Nothing was run"));
            if (reason == null || reason.isBlank()) {
                throw new WaiverRefusedException(name, "--waive '" + name + "' needs --reason TEXT: why it may be skipped, for the journal "
                        + "and the incident report. Nothing was run");
            }
            if (!step.options().waivable() || (step.kind() != StepKind.PRECHECK && step.kind() != StepKind.CAPTURE)) {
                throw new WaiverRefusedException(name, "step '" + name + "' may not be waived: only prechecks and captures the plan marks "
                        + "StepOptions.waivable(true) may; the waivable ones are " + waivable(plan) + ". Nothing was run");
            }
            if (step.kind() == StepKind.CAPTURE && plan.captureWaiverReason().isEmpty()) {
                plan.steps().stream().filter(s -> s.index() > step.index() && s.destructive()).findFirst().ifPresent(d -> {
                    throw new WaiverRefusedException(name, "capture '" + name + "' may not be waived: destructive step '" + d.name()
                            + "' depends on it (nothing is destroyed before it is captured), and the plan does not allow waiving "
                            + "captures (PlanBuilder.allowWaivingCaptures(why)). Nothing was run");
                });
            }
        });
    }

    private static String waivable(RollbackPlan plan) {
        String names = String.join(", ", plan.steps().stream().filter(s -> s.options().waivable()).map(s -> "'" + s.name() + "'").toList());
        return names.isEmpty() ? "none" : names;
    }
}
