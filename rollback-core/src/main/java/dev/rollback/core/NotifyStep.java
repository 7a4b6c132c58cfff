package dev.rollback.core;

import dev.rollback.core.spi.DescribedStep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Sends a notification with the run's variables expanded: {@code ${plan}}, {@code ${runId}},
 * {@code ${<output key>}}, and in a handler that runs after a failure {@code ${failure.step}},
 * {@code ${failure.code}}, {@code ${failure.message}} and {@code ${failure.state}} (the state left
 * behind). Also where the builders make the steps of {@link AppControl}s.
 */
record NotifyStep(Notifier notifier, String message, Map<String, String> byFailureCode) implements Step {

    NotifyStep {
        Objects.requireNonNull(notifier, "notifier");
        Objects.requireNonNull(message, "message");
        byFailureCode = Collections.unmodifiableMap(new LinkedHashMap<>(byFailureCode));
    }

    NotifyStep(Notifier notifier, String message) {
        this(notifier, message, Map.of());
    }

    /** The step that stops an application. */
    static Step stopping(AppControl app) {
        Objects.requireNonNull(app, "app");
        return DescribedStep.of("stop " + app.name(), app.describeStop(), app::stop);
    }

    /** The step that starts an application. */
    static Step starting(AppControl app) {
        Objects.requireNonNull(app, "app");
        return DescribedStep.of("start " + app.name(), app.describeStart(), app::start);
    }

    @Override
    public String name() {
        return "notify " + notifier.name() + ": " + abbreviate(message);
    }

    @Override
    public void execute(StepContext context) throws Exception {
        RunReport.Failure failure = context.failure().orElse(null);
        String template = failure == null ? message : byFailureCode.getOrDefault(failure.code(), message);
        String text = template.replace("${plan}", context.planName()).replace("${runId}", context.runId());
        text = text.replace("${failure.step}", failure == null ? "" : failure.step())
                .replace("${failure.code}", failure == null ? "" : failure.code())
                .replace("${failure.message}", failure == null ? "" : failure.message())
                .replace("${failure.state}", failure == null ? "" : failure.stateLeftBehind());
        for (Map.Entry<String, String> out : context.outputs().entrySet()) {
            text = text.replace("${" + out.getKey() + "}", out.getValue());
        }
        String sent = Redactor.redact(text);
        context.output(Notifier.SENT_MESSAGE_OUTPUT, sent);   // the report shows what was sent, not the template
        notifier.send(new Notifier.Notification(context.planName(), context.runId(), sent));
    }

    @Override
    public StepDescription describe() {
        StepDescription d = StepDescription.of("notify " + notifier.name()).param("message", message);
        for (Map.Entry<String, String> e : byFailureCode.entrySet()) {
            d = d.param("message on " + e.getKey(), e.getValue());
        }
        return d;
    }

    private static String abbreviate(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() <= 40 ? line : line.substring(0, 37) + "...";
    }
}
