package dev.rollback.process;

import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.ControlSupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes deployment: stop scales it to 0 replicas after publishing the replica count it
 * found (output {@code kubernetes.<namespace>.<deployment>.replicas}); start scales it back to
 * that count and waits with {@code kubectl rollout status}. A stop run again after a resume
 * keeps the count found the first time.
 *
 * <pre>{@code
 * Kubernetes app = Kubernetes.deployment("nextcrm").namespace("prod");
 * plan.stopApp(app) ... .startApp(app);      // 3 replicas -> 0 -> 3
 * }</pre>
 */
public final class Kubernetes extends CommandAppControl<Kubernetes> {
    private final String deployment;
    private final String namespace;
    private final String kubeContext;
    private final int defaultReplicas;

    private Kubernetes(String deployment, String namespace, String kubeContext, int defaultReplicas, ControlSupport support) {
        super(support);
        this.deployment = deployment;
        this.namespace = namespace;
        this.kubeContext = kubeContext;
        this.defaultReplicas = defaultReplicas;
    }

    @Override
    Kubernetes with(ControlSupport support) {
        return new Kubernetes(deployment, namespace, kubeContext, defaultReplicas, support);
    }

    /**
     * @param name the deployment
     * @return the control, in namespace {@code default}
     */
    public static Kubernetes deployment(String name) {
        return new Kubernetes(checkName(name, "deployment"), "default", null, 1, ControlSupport.defaults());
    }

    private static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new IllegalArgumentException("Invalid Kubernetes " + what + " name '" + name
                    + "': use lower-case letters, digits, '-' and '.'");
        }
        return name;
    }

    /**
     * @param ns the namespace
     * @return a copy in that namespace
     */
    public Kubernetes namespace(String ns) {
        return new Kubernetes(deployment, checkName(ns, "namespace"), kubeContext, defaultReplicas, support);
    }

    /**
     * @param context the kubectl context to use
     * @return a copy passing {@code --context}
     */
    public Kubernetes context(String context) {
        Objects.requireNonNull(context, "context");
        return new Kubernetes(deployment, namespace, context, defaultReplicas, support);
    }

    /**
     * @param replicas the count to start with when no stop of this run recorded one (default 1)
     * @return a copy with the fallback
     */
    public Kubernetes replicasIfUnknown(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
        }
        return new Kubernetes(deployment, namespace, kubeContext, replicas, support);
    }

    /** @return the output key under which stop records the replica count it found */
    public String replicasOutputKey() {
        return "kubernetes." + namespace + "." + deployment + ".replicas";
    }

    @Override
    public String name() {
        return "kubernetes deployment " + namespace + "/" + deployment;
    }

    private Command kubectl(String... args) {
        List<String> argv = new ArrayList<>(List.of("kubectl"));
        if (kubeContext != null) {
            argv.add("--context");
            argv.add(kubeContext);
        }
        argv.add("--namespace");
        argv.add(namespace);
        argv.addAll(List.of(args));
        return support.command(argv.toArray(new String[0]));
    }

    private Command get(String jsonPath) {
        return kubectl("get", "deployment", deployment, "-o", "jsonpath={" + jsonPath + "}");
    }

    @Override
    public void stop(StepContext context) throws InterruptedException {
        String found = get(".spec.replicas").run(context).stdoutText().trim();
        int replicas = parse(found);
        if (replicas > 0 || context.output(replicasOutputKey()).isEmpty()) {
            context.output(replicasOutputKey(), String.valueOf(replicas));
        }
        kubectl("scale", "deployment/" + deployment, "--replicas=0").run(context);
        support.await(context, get(".status.readyReplicas"), r -> r.exitCode() == 0 && parse(r.stdoutText().trim()) == 0,
                name(), "scaled to 0");
        support.verifyDown(context, name());
    }

    @Override
    public void start(StepContext context) throws InterruptedException {
        int replicas = context.output(replicasOutputKey()).map(Kubernetes::parse).filter(n -> n > 0).orElse(defaultReplicas);
        kubectl("scale", "deployment/" + deployment, "--replicas=" + replicas).run(context);
        kubectl("rollout", "status", "deployment/" + deployment, "--timeout=" + support.waitTime().toSeconds() + "s").run(context);
        support.verifyUp(context, name());
    }

    private static int parse(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new AppControlException("kubectl printed '" + s + "' where a replica count was expected; "
                    + "check that kubectl talks to the right cluster");
        }
    }

    @Override
    List<Command> commands(String verb) {
        return verb.equals("stop")
                ? List.of(get(".spec.replicas"), kubectl("scale", "deployment/" + deployment, "--replicas=0"))
                : List.of(kubectl("scale", "deployment/" + deployment, "--replicas=N"),
                        kubectl("rollout", "status", "deployment/" + deployment, "--timeout=" + support.waitTime().toSeconds() + "s"));
    }

    @Override
    StepDescription describe(String verb) {
        StepDescription d = StepDescription.of(verb + " " + name()).param("where", support.transport().where());
        if (verb.equals("start")) {
            d = d.param("replicas", "as found by stop, else " + defaultReplicas);
        }
        for (Command c : commands(verb)) {
            d = d.command(c.argv());
        }
        return d;
    }
}
