package dev.rollback.examples.seeds;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.StepKind;
import dev.rollback.core.cli.CommandLineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of the seeds' plans in both restore orders, built from settings alone (nothing runs):
 * prepare-first prepares before the stop, checks that a second copy fits before it prepares, swaps
 * while the app is down and reads no row there that the prepare already checked; stop-first keeps
 * the runbooks' order.
 */
class PrepareFirstPlansTest {
    @TempDir
    Path tmp;

    private RollbackPlan plan(Function<CommandLineOptions, RollbackPlan> factory, Map<String, String> settings) {
        Map<String, String> s = new HashMap<>(settings);
        s.putIfAbsent("BACKUP_ROOT", tmp.toString());
        return factory.apply(new CommandLineOptions(false, null, null, tmp.resolve("journal"), "test", "test", true, s, Map.of()));
    }

    private static int index(RollbackPlan plan, String what, java.util.function.Predicate<PlannedStep> p) {
        return plan.steps().stream().filter(p).mapToInt(PlannedStep::index).findFirst()
                .orElseThrow(() -> new AssertionError("no " + what + " in " + plan.steps().stream().map(PlannedStep::name).toList()));
    }

    private static int prepare(RollbackPlan plan) {
        return index(plan, "prepare step", s -> s.step() != null && s.step().prepares() != null);
    }

    private static int swap(RollbackPlan plan) {
        return index(plan, "swap step", s -> s.step() != null && s.step().swapsIn() != null);
    }

    private static int kind(RollbackPlan plan, StepKind kind) {
        return index(plan, kind.name(), s -> s.kind() == kind);
    }

    private static int freeSpace(RollbackPlan plan) {
        return index(plan, "free-space check", s -> s.kind() == StepKind.PRECHECK && s.name().contains(" free on "));
    }

    /** The steps from the stop to the first check after the start: the downtime window of a run that goes well. */
    private static List<String> whileDown(RollbackPlan plan) {
        int stop = kind(plan, StepKind.STOP_APP);
        int start = kind(plan, StepKind.START_APP);
        int healthy = index(plan, "check after the start", s -> s.index() > start && s.kind() == StepKind.VERIFY);
        return plan.steps().subList(stop - 1, healthy).stream().map(PlannedStep::name).toList();
    }

    private void prepareFirstShape(RollbackPlan plan, String... notWhileDown) {
        int prepare = prepare(plan);
        assertThat(freeSpace(plan)).as("a second copy must fit: checked before the prepare").isLessThan(prepare);
        assertThat(prepare).as("prepared while the app serves").isLessThan(kind(plan, StepKind.STOP_APP));
        assertThat(swap(plan)).isGreaterThan(kind(plan, StepKind.STOP_APP)).isLessThan(kind(plan, StepKind.START_APP));
        List<String> down = whileDown(plan);
        for (String n : notWhileDown) {
            assertThat(down).as("no full read while the app is down").noneMatch(s -> s.contains(n));
        }
    }

    /** The swap leaves its data-loss count for later, and the step that takes it runs after the app is verified healthy. */
    private static void dataLossCountedOffTheDowntime(RollbackPlan plan) {
        String left = plan.steps().get(swap(plan) - 1).step().leavesForLater();
        assertThat(left).as("the swap leaves its data-loss count for later").isNotNull();
        int count = index(plan, "the swap's data-loss count", s -> s.step() != null && left.equals(s.step().completes()));
        int start = kind(plan, StepKind.START_APP);
        assertThat(count).as("counted once the app is verified healthy").isGreaterThan(
                index(plan, "check after the start", s -> s.index() > start && s.kind() == StepKind.VERIFY));
    }

    private static void stopFirstShape(RollbackPlan plan) {
        assertThat(plan.steps()).noneMatch(s -> s.step() != null && (s.step().prepares() != null || s.step().swapsIn() != null));
        assertThat(kind(plan, StepKind.RESTORE)).as("the runbook's order: restore after the stop").isGreaterThan(kind(plan, StepKind.STOP_APP));
    }

    @Test
    void seed000() {
        Map<String, String> s = Map.of("PRODUCTION_POSTGRESQL_URL", "postgresql://app@127.0.0.1:1/nextcrm",
                "PRODUCTION_MONGODB_URL", "mongodb://127.0.0.1:1/nextcrm", "BACKUP_TAKEN_AT", "2026-11-24T02:00:00Z");
        RollbackPlan first = plan(o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o)), s);
        prepareFirstShape(first, "document counts", "data-loss window");
        dataLossCountedOffTheDowntime(first);
        assertThat(first.steps().get(freeSpace(first) - 2).name()).isEqualTo("size of the MongoDB backup, uncompressed");
        assertThat(index(first, "data-loss count", p -> p.name().equals("data-loss window at the stop")))
                .as("counted once the app serves: nothing writes to PostgreSQL after the stop")
                .isGreaterThan(index(first, "no PostgreSQL connections", p -> p.name().equals("no PostgreSQL connections from NextCRM")));

        Map<String, String> stopFirst = new HashMap<>(s);
        stopFirst.put("RESTORE_ORDER", "stop-first");
        RollbackPlan runbook = plan(o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o)), stopFirst);
        stopFirstShape(runbook);
        assertThat(whileDown(runbook)).anyMatch(n -> n.startsWith("document counts of nextcrm"));
    }

    @Test
    void seed001DatabaseScenario() {
        Map<String, String> s = Map.of("SCENARIO", "database", "DATABASE_URL", "postgresql://app@127.0.0.1:1/nextjs");
        RollbackPlan first = plan(o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o)), s);
        prepareFirstShape(first, "foreign keys", "row counts", "data-loss window");
        dataLossCountedOffTheDowntime(first);

        Map<String, String> stopFirst = new HashMap<>(s);
        stopFirst.put("RESTORE_ORDER", "stop-first");
        stopFirstShape(plan(o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o)), stopFirst));
    }

    @Test
    void seed002Full() {
        Map<String, String> s = Map.of("SCENARIO", "full", "DATABASE_URL", "postgresql://app@127.0.0.1:1/crm_staging");
        RollbackPlan first = plan(o -> Seed002Phase4MigrationRollback.plan(Seed002Phase4MigrationRollback.Settings.from(o)), s);
        prepareFirstShape(first, "foreign keys", "has exactly", "analyze", "data-loss window");
        dataLossCountedOffTheDowntime(first);
        assertThat(index(first, "analyze", p -> p.name().startsWith("analyze "))).as("once the app serves")
                .isGreaterThan(index(first, "smoke tests", p -> p.name().equals("smoke tests")));

        Map<String, String> stopFirst = new HashMap<>(s);
        stopFirst.put("RESTORE_ORDER", "stop-first");
        RollbackPlan runbook = plan(o -> Seed002Phase4MigrationRollback.plan(Seed002Phase4MigrationRollback.Settings.from(o)), stopFirst);
        stopFirstShape(runbook);
        assertThat(whileDown(runbook)).anyMatch(n -> n.startsWith("analyze "));
    }
}
