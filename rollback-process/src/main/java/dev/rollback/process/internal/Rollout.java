package dev.rollback.process.internal;

import dev.rollback.core.StepContext;
import dev.rollback.process.FleetException;
import dev.rollback.process.HostResult;
import dev.rollback.process.HostResult.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an action over hosts in rolling batches with a failure budget, shared by {@code Fleet} and
 * {@code Ansible}: hosts done in an earlier attempt or before a resume (the step's memory) are
 * skipped; every host's result is published as output {@code fleet.<action>.<host>} and, when it
 * succeeded, remembered durably before the next host's result; once more hosts failed than the
 * budget allows, no further batch starts.
 */
public final class Rollout {
    private static final Logger LOG = LoggerFactory.getLogger(Rollout.class);
    /** Prefix of the outputs and memory keys: {@code fleet.<action>.<host>}. */
    public static final String KEY_PREFIX = "fleet.";

    private Rollout() {
    }

    /** Runs one batch of hosts and reports each host's result through {@code done} as soon as it is known. */
    @FunctionalInterface
    public interface Batch {
        /**
         * @param hosts the batch
         * @param done  takes each host's result (thread-safe)
         * @throws InterruptedException when interrupted
         */
        void run(List<String> hosts, Consumer<HostResult> done) throws InterruptedException;
    }

    /**
     * How hosts are split into batches and how many may fail.
     *
     * @param serial         hosts per batch, 0 for none (see serialPercent)
     * @param serialPercent  hosts per batch as a percentage of the fleet, 0 for none; both 0: one batch
     * @param maxFailPercent the most hosts, as a percentage of the fleet, that may fail before no further batch starts
     */
    public record Policy(int serial, int serialPercent, int maxFailPercent) {
        /** One batch, no budget: every host is tried. */
        public static final Policy ALL_AT_ONCE = new Policy(0, 0, 0);

        /** Validates. */
        public Policy {
            if (serial < 0 || serialPercent < 0 || serialPercent > 100 || maxFailPercent < 0 || maxFailPercent > 100) {
                throw new IllegalArgumentException("serial must be >= 0 and percentages 0..100, got serial " + serial
                        + ", serialPercent " + serialPercent + ", maxFailPercent " + maxFailPercent);
            }
        }

        /**
         * @param total hosts in the fleet
         * @return hosts per batch
         */
        public int batchSize(int total) {
            if (serial > 0) {
                return serial;
            }
            if (serialPercent > 0) {
                return Math.max(1, (int) Math.ceil(total * serialPercent / 100.0));
            }
            return Math.max(1, total);
        }

        /**
         * @param total hosts in the fleet
         * @return how many may fail without stopping the rollout
         */
        public int allowedFailures(int total) {
            return total * maxFailPercent / 100;
        }

        /** @return "serial 5, maxFailPercent 10" for descriptions */
        public String describe() {
            String batches = serial > 0 ? "batches of " + serial : serialPercent > 0 ? "batches of " + serialPercent + "%" : "one batch";
            return batches + ", maxFailPercent " + maxFailPercent;
        }
    }

    /**
     * What a rollout did.
     *
     * @param results      one per host, in host order
     * @param budgetSpent  whether the failure budget stopped it before its last batch
     * @param batchesRun   batches started
     * @param batchCount   batches planned in this invocation
     */
    public record Outcome(List<HostResult> results, boolean budgetSpent, int batchesRun, int batchCount) {
        /** @return whether every host is done */
        public boolean ok() {
            return results.stream().allMatch(HostResult::ok);
        }
    }

    /**
     * @param ctx     the step's context
     * @param subject what runs ("stop billing")
     * @param action  the action's key ("stop")
     * @param hosts   every host of the fleet, in order
     * @param policy  batches and budget
     * @param batch   runs one batch
     * @return the outcome
     * @throws InterruptedException when interrupted
     */
    public static Outcome run(StepContext ctx, String subject, String action, List<String> hosts, Policy policy, Batch batch)
            throws InterruptedException {
        Map<String, HostResult> results = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>();
        for (String h : hosts) {
            if (ctx.recall(key(action, h)).filter("ok"::equals).isPresent()) {
                results.put(h, new HostResult(h, action, Status.DONE_EARLIER, "", null));
                ctx.output(key(action, h), "done earlier");
            } else {
                pending.add(h);
            }
        }
        if (pending.size() < hosts.size()) {
            ctx.progress(subject + ": " + (hosts.size() - pending.size()) + " of " + hosts.size()
                    + " hosts done in an earlier attempt; running the " + pending.size() + " others");
        }
        int size = policy.batchSize(hosts.size());
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < pending.size(); i += size) {
            batches.add(pending.subList(i, Math.min(pending.size(), i + size)));
        }
        int allowed = policy.allowedFailures(hosts.size());
        int failed = 0;
        int run = 0;
        boolean spent = false;
        for (List<String> b : batches) {
            if (failed > allowed && run > 0) {
                spent = true;
                break;
            }
            run++;
            ctx.progress(subject + ": batch " + run + " of " + batches.size() + " (" + b.size() + " hosts: "
                    + String.join(", ", b.size() <= 6 ? b : List.of(b.get(0), "...", b.get(b.size() - 1))) + ")");
            Map<String, HostResult> mine = new LinkedHashMap<>();
            batch.run(List.copyOf(b), r -> {
                synchronized (ctx) {
                    if (r.status() == Status.OK) {
                        ctx.remember(key(action, r.host()), "ok");   // durable before anyone acts on it
                    }
                    ctx.output(key(action, r.host()), r.summary());
                    ctx.progress(subject + " on " + r.host() + ": " + r.summary());
                    mine.put(r.host(), r);
                }
                LOG.info("{} on {}: {}", subject, r.host(), r.summary());
            });
            for (String h : b) {
                HostResult r = mine.get(h);
                if (r == null) {
                    r = new HostResult(h, action, Status.FAILED, "no result was reported for this host", null);
                    ctx.output(key(action, h), r.summary());
                }
                results.put(h, r);
                if (r.status() == Status.FAILED) {
                    failed++;
                }
            }
        }
        if (failed > allowed && run < batches.size()) {
            spent = true;
        }
        String why = "the failure budget was spent (" + failed + " failed, at most " + allowed + " allowed)";
        for (String h : pending) {
            if (!results.containsKey(h)) {
                results.put(h, new HostResult(h, action, Status.NOT_TRIED, why, null));
                ctx.output(key(action, h), "not tried");
            }
        }
        List<HostResult> ordered = new ArrayList<>();
        for (String h : hosts) {
            ordered.add(results.get(h));
        }
        return new Outcome(ordered, spent, run, batches.size());
    }

    /**
     * @param subject what ran ("stop billing")
     * @param outcome what happened
     * @param policy  the batches and budget
     * @param verb    the past participle for the hosts done ("stopped")
     * @return the exception naming the hosts done, failed and not tried, with the fix
     */
    public static FleetException failure(String subject, Outcome outcome, Policy policy, String verb) {
        List<HostResult> rs = outcome.results();
        List<HostResult> failed = rs.stream().filter(r -> r.status() == Status.FAILED).toList();
        List<String> notTried = rs.stream().filter(r -> r.status() == Status.NOT_TRIED).map(HostResult::host).toList();
        List<String> done = rs.stream().filter(HostResult::ok).map(HostResult::host).toList();
        StringBuilder b = new StringBuilder(subject + " failed on " + failed.size() + " of " + rs.size() + " hosts");
        if (outcome.budgetSpent()) {
            b.append("; the failure budget (").append(policy.describe()).append(": at most ")
                    .append(policy.allowedFailures(rs.size())).append(" failed hosts) was spent after batch ")
                    .append(outcome.batchesRun()).append(" of ").append(outcome.batchCount()).append(", so ")
                    .append(notTried.size()).append(" hosts were not tried");
        } else {
            b.append(" (every other host was tried)");
        }
        b.append(":\n  done (").append(done.size()).append("): ").append(done.isEmpty() ? "none" : String.join(", ", done));
        b.append("\n  failed (").append(failed.size()).append("):");
        for (HostResult r : failed) {
            b.append("\n    ").append(r.host()).append(": ").append(r.message());
        }
        b.append("\n  not tried (").append(notTried.size()).append("): ").append(notTried.isEmpty() ? "none" : String.join(", ", notTried));
        b.append("\nThe hosts done are ").append(verb).append(" and remembered; fix the failed hosts and resume the run: "
                + "only the failed and not-tried hosts are run again.");
        return new FleetException(b.toString(), rs);
    }

    /**
     * @param action the action
     * @param host   the host
     * @return the output and memory key of that host's result
     */
    public static String key(String action, String host) {
        return KEY_PREFIX + action + "." + host;
    }
}
