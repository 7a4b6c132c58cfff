package dev.rollback.postgres;

import dev.rollback.core.Check;
import dev.rollback.core.CheckResult;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.Inspect;
import dev.rollback.postgres.internal.PgEndpoint;
import dev.rollback.postgres.internal.Sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Measures the data-loss window of a rollback (seed 000): per table, the rows created after an
 * instant (the backup's time, the migration's start) that the rollback would lose. Publishes
 * {@code postgres.dataLoss.<table>} per table and {@code postgres.dataLoss.total}, for the
 * incident report. Passes by default (it measures); {@link #atMost(long)} makes it a gate.
 *
 * <pre>{@code
 * plan.precheck(pg.rowsCreatedAfter(backupTime, "created_at", "crm_accounts", "crm_contacts").atMost(500));
 * }</pre>
 */
public final class DataLossWindowCheck implements Check {
    private final PgEndpoint ep;
    private final Instant since;
    private final String column;
    private final List<String> tables;
    private final long atMost;

    DataLossWindowCheck(PgEndpoint ep, Instant since, String column, List<String> tables, long atMost) {
        this.ep = ep;
        this.since = Objects.requireNonNull(since, "since");
        this.column = Objects.requireNonNull(column, "column");
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("rowsCreatedAfter needs at least one table");
        }
        this.tables = List.copyOf(tables);
        this.atMost = atMost;
    }

    /**
     * @param rows the most rows the rollback may lose over all tables
     * @return a copy that fails above that
     */
    public DataLossWindowCheck atMost(long rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("atMost must be >= 0, got " + rows);
        }
        return new DataLossWindowCheck(ep, since, column, tables, rows);
    }

    @Override
    public String name() {
        return "rows created in " + ep.database() + " after " + since;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("column", column).param("tables", String.join(",", tables))
                .param("atMost", atMost < 0 ? "any (measure only)" : atMost);
    }

    @Override
    public CheckResult check(StepContext ctx) {
        Map<String, Long> perTable = new LinkedHashMap<>();
        try (Connection c = ep.connect()) {
            for (String t : tables) {
                perTable.put(t, Inspect.countAfter(c, Sql.table(t), column, since));
            }
        } catch (SQLException e) {
            throw new PostgresOperationException("Could not measure rows created after " + since + " in " + ep.where() + ": " + e.getMessage()
                    + ". Check that every table has a timestamp column '" + column + "'.", e);
        }
        long total = perTable.values().stream().mapToLong(Long::longValue).sum();
        perTable.forEach((t, n) -> ctx.output("postgres.dataLoss." + t, Long.toString(n)));
        ctx.output("postgres.dataLoss.total", Long.toString(total));
        ctx.output("postgres.dataLoss.since", since.toString());
        String measured = total + " rows " + perTable;
        if (atMost >= 0 && total > atMost) {
            return CheckResult.failed(name(), measured, "at most " + atMost + " rows",
                    total + " rows were created after " + since + " and would be lost by the rollback; export them first or accept the loss explicitly.");
        }
        return CheckResult.passed(name(), measured, atMost < 0 ? "measured" : "at most " + atMost + " rows");
    }
}
