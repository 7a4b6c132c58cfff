package dev.rollback.core.report;

import java.util.List;

/**
 * One part of a report, independent of the format it is rendered in. Text may hold two inline
 * marks, {@code **bold**} and {@code `code`}; everything else is plain text that each renderer
 * escapes for its format.
 */
sealed interface Block {

    /** A section title. */
    record Heading(int level, String text) implements Block {
    }

    /** A paragraph. */
    record Text(String text) implements Block {
    }

    /** A bulleted list; an item may have sub-items (lines after the first, indented). */
    record Bullets(List<String> items) implements Block {
        public Bullets {
            items = List.copyOf(items);
        }
    }

    /** A table; {@code emphasis} marks the rows to call out (failures). */
    record Table(List<String> headers, List<List<String>> rows) implements Block {
        public Table {
            headers = List.copyOf(headers);
            rows = rows.stream().map(List::copyOf).toList();
        }
    }

    /** Preformatted text, such as a command to paste. */
    record Code(String language, String text) implements Block {
    }

    /** A callout at the top of a report that needs someone: the state the run left. */
    record Alert(String title, List<Block> body) implements Block {
        public Alert {
            body = List.copyOf(body);
        }
    }

    /** The run's timeline: one bar per step, phases, approvals, crash gaps. */
    record Timeline(TimelineLayout layout) implements Block {
    }

    /** Each phase's time against its budget. */
    record PhaseBudgets(List<PhaseBurn> phases) implements Block {
        public PhaseBudgets {
            phases = List.copyOf(phases);
        }
    }

    /**
     * One phase's time against its budget.
     *
     * @param name   the phase
     * @param actualMillis time its steps took
     * @param budgetMillis its budget
     */
    record PhaseBurn(String name, long actualMillis, long budgetMillis) {
        boolean overBudget() {
            return actualMillis > budgetMillis;
        }
    }
}
