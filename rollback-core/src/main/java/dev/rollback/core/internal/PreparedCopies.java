package dev.rollback.core.internal;

import dev.rollback.core.PlannedStep;
import dev.rollback.core.Step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan rules of prepare/swap pairs ({@link Step#prepares()}, {@link Step#swapsIn()}): every
 * swap has its prepare earlier in the plan, a prepared copy is swapped in by one step only, and one
 * copy is prepared by one step only. A plan that breaks them would fail at the swap, with the
 * application already stopped. Likewise, work a step {@link Step#leavesForLater() leaves for later}
 * (a swap's data-loss count, taken once the application is healthy again) has a step that
 * {@link Step#completes() completes} it later in the plan: without it, the figure would never be taken.
 */
public final class PreparedCopies {
    private PreparedCopies() {
    }

    /**
     * @param steps the plan's steps, in order
     * @return one sentence per broken rule, naming the steps and the fix; empty when the plan keeps them
     */
    public static List<String> problems(List<PlannedStep> steps) {
        List<String> problems = new ArrayList<>();
        Map<String, List<PlannedStep>> prepares = new LinkedHashMap<>();
        Map<String, List<PlannedStep>> swaps = new LinkedHashMap<>();
        for (PlannedStep i : steps) {
            if (i.step() == null) {
                continue;
            }
            String prepared = i.step().prepares();
            if (prepared != null) {
                prepares.computeIfAbsent(prepared, k -> new ArrayList<>()).add(i);
            }
            String swapped = i.step().swapsIn();
            if (swapped != null) {
                swaps.computeIfAbsent(swapped, k -> new ArrayList<>()).add(i);
            }
        }
        prepares.forEach((id, list) -> {
            if (list.size() > 1) {
                problems.add("the copy '" + id + "' is prepared by " + list.size() + " steps: " + names(list)
                        + "; each prepare replaces the copy the one before made, so keep one of them (prepare another database "
                        + "or backup under another target if you need two copies)");
            }
        });
        swaps.forEach((id, list) -> {
            PlannedStep swap = list.get(0);
            List<PlannedStep> prepare = prepares.getOrDefault(id, List.of());
            if (prepare.isEmpty()) {
                problems.add("step " + swap.index() + " '" + swap.name() + "' swaps in the prepared copy '" + id
                        + "', but no step of the plan prepares it; add the prepare step the swap was made from "
                        + "(plan.step(prepared), before the app is stopped) earlier in the plan");
            } else if (prepare.get(0).index() > swap.index()) {
                problems.add("step " + swap.index() + " '" + swap.name() + "' swaps in the prepared copy '" + id
                        + "' before step " + prepare.get(0).index() + " '" + prepare.get(0).name() + "' prepares it; "
                        + "move the prepare before the swap (before the app is stopped, so that it runs while the app serves)");
            }
            if (list.size() > 1) {
                problems.add("the prepared copy '" + id + "' is swapped in by " + list.size() + " steps: " + names(list)
                        + "; the first swap takes the copy in under the live name, so there is nothing left for the others: "
                        + "keep one swap, or prepare a second copy from another backup for the other");
            }
        });
        problems.addAll(leftForLater(steps));
        return problems;
    }

    private static List<String> leftForLater(List<PlannedStep> steps) {
        List<String> problems = new ArrayList<>();
        for (PlannedStep left : steps) {
            String id = left.step() == null ? null : left.step().leavesForLater();
            if (id == null) {
                continue;
            }
            boolean completed = steps.stream().anyMatch(i -> i.index() > left.index() && i.step() != null && id.equals(i.step().completes()));
            if (!completed) {
                problems.add("step " + left.index() + " '" + left.name() + "' leaves '" + id + "' for a later step, but no later step "
                        + "of the plan completes it; add the step that completes it (for a swap: swap.dataLossWindow(), after the app "
                        + "is verified healthy) after step " + left.index() + ", or use the swap that counts at the swap");
            }
        }
        return problems;
    }

    private static String names(List<PlannedStep> list) {
        return String.join(", ", list.stream().map(i -> "step " + i.index() + " '" + i.name() + "'").toList());
    }
}
