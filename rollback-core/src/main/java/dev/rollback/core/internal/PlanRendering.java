package dev.rollback.core.internal;

import dev.rollback.core.Durations;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.Phase;
import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** Renders a plan for people (dry run) and hashes it (fingerprint). Not public API. */
public final class PlanRendering {
    private PlanRendering() {
    }

    /**
     * @param plan the plan
     * @return its dry-run description
     */
    public static String describe(RollbackPlan plan) {
        StringBuilder b = new StringBuilder();
        b.append("Plan '").append(plan.name()).append("' (fingerprint ").append(plan.fingerprint()).append(", ")
                .append(plan.steps().size()).append(" steps)\n");
        if (!plan.description().isEmpty()) {
            b.append("  ").append(plan.description()).append('\n');
        }
        plan.withoutCaptureReason().ifPresent(r -> b.append("  Destroys without capture first: ").append(r).append('\n'));
        if (!plan.approvalPolicy().isSingle()) {
            b.append("  Destructive steps need approval by ").append(plan.approvalPolicy().describe())
                    .append(", each a different person and not the operator\n");
        }
        b.append("  After a success, a new run needs --again --reason TEXT").append(plan.newRunAllowedAfter()
                .map(w -> " for " + Durations.human(w) + ", then runs as usual").orElse("")).append('\n');
        String phase = null;
        int width = String.valueOf(plan.steps().size() + plan.handlers().size()).length();
        for (PlannedStep s : plan.steps()) {
            if (s.phase() != null && !s.phase().equals(phase)) {
                if (phase != null) {
                    handlersOf(b, plan, phase, width);
                }
                Phase p = plan.phases().stream().filter(x -> x.name().equals(s.phase())).findFirst().orElseThrow();
                b.append("\n  ").append(p.name()).append(" (budget ").append(Durations.human(p.budget())).append(")\n");
            } else if (s.phase() == null && phase != null) {
                handlersOf(b, plan, phase, width);
                b.append('\n');
            }
            phase = s.phase();
            step(b, s, width);
        }
        if (phase != null) {
            handlersOf(b, plan, phase, width);
        }
        if (plan.handlers().stream().anyMatch(h -> h.step().phase() == null)) {
            b.append("\n  When the plan ends\n");
            handlersOf(b, plan, null, width);
        }
        return b.toString();
    }

    /** The handlers of a phase, under its steps; with null, the plan's own. */
    private static void handlersOf(StringBuilder b, RollbackPlan plan, String phase, int width) {
        for (RollbackPlan.Handler.When when : RollbackPlan.Handler.When.values()) {
            for (PlannedStep h : plan.handlers(phase, when)) {
                step(b, h, width);
            }
        }
    }

    private static void step(StringBuilder b, PlannedStep s, int width) {
        b.append("  ").append(String.format("%" + width + "d", s.index())).append(". [")
                .append(s.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append("] ").append(s.name());
        if (s.destructive()) {
            b.append("  DESTRUCTIVE, approval: type '").append(s.confirmationTarget()).append('\'');
        }
        if (s.options().waivable()) {
            b.append("  waivable (--waive '").append(s.name()).append("' --reason TEXT)");
        }
        b.append('\n');
        String indent = " ".repeat(width + 6);
        if (!s.description().summary().equals(s.name())) {
            b.append(indent).append(s.description().summary()).append('\n');
        }
        for (Map.Entry<String, String> p : s.description().parameters().entrySet()) {
            b.append(indent).append(p.getKey()).append(": ").append(p.getValue()).append('\n');
        }
        for (String c : s.description().commands()) {
            b.append(indent).append("$ ").append(c).append('\n');
        }
        String opts = options(s.options());
        if (!opts.isEmpty()) {
            b.append(indent).append(opts).append('\n');
        }
    }

    /**
     * @param plan the plan
     * @return 16 hex digits of SHA-256 over everything that defines what the plan does
     */
    public static String fingerprint(RollbackPlan plan) {
        StringBuilder b = new StringBuilder("rollback-plan-v1\n").append(plan.name()).append('\n');
        // Handlers are hashed after the steps, so that a plan without handlers keeps the fingerprint it always had.
        for (PlannedStep s : plan.stepsAndHandlers()) {
            b.append(s.index()).append('|').append(s.name()).append('|').append(s.kind()).append('|').append(s.destructive())
                    .append('|').append(s.phase()).append('|').append(options(s.options())).append('|')
                    .append(s.description().summary()).append('|').append(s.description().parameters()).append('|')
                    .append(s.description().commands()).append('\n');
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String options(StepOptions o) {
        StringBuilder b = new StringBuilder();
        if (o.timeout() != null) {
            b.append("timeout ").append(Durations.human(o.timeout()));
        }
        if (o.retry().attempts() > 1) {
            b.append(b.length() > 0 ? ", " : "").append("retry ").append(o.retry());
        }
        if (o.onFailure() != FailurePolicy.ABORT) {
            b.append(b.length() > 0 ? ", " : "").append("on failure ").append(o.onFailure().name().toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
