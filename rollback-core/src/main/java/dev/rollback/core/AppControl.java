package dev.rollback.core;

/**
 * Stops and starts the application: a systemd unit, a pm2 app, a compose project, a Kubernetes
 * deployment, a fleet of hosts. Used by {@link PlanBuilder#stopApp(AppControl)} and
 * {@link PlanBuilder#startApp(AppControl)}.
 *
 * <p>Implementations check their own result: after {@code stop} returns, the application is
 * really down; after {@code start} returns, it is really up. Both must be safe to call again.
 */
public interface AppControl {

    /** A short name for plans and reports: "systemd unit nextcrm". */
    String name();

    /**
     * Stops the application and returns once it is down.
     *
     * @param context the step's context (it can publish outputs, such as the replica count it found)
     * @throws Exception when it cannot be stopped
     */
    void stop(StepContext context) throws Exception;

    /**
     * Starts the application and returns once it is up.
     *
     * @param context the step's context
     * @throws Exception when it cannot be started
     */
    void start(StepContext context) throws Exception;

    /**
     * Describes what stop does (commands included) for dry runs.
     *
     * @return the description
     */
    default StepDescription describeStop() {
        return StepDescription.of("stop " + name());
    }

    /**
     * Describes what start does (commands included) for dry runs.
     *
     * @return the description
     */
    default StepDescription describeStart() {
        return StepDescription.of("start " + name());
    }
}
