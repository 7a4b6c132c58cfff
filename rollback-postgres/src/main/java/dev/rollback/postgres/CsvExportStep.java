package dev.rollback.postgres;

import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.postgres.internal.PgEndpoint;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Exports the result of a query to a CSV file with a header, through {@code COPY ... TO STDOUT}
 * in the JDBC driver (no psql, no password on a command line). A relative file is written in
 * the run's folder (forensics, as seed 000's samples). Publishes {@code postgres.csv.<file name>}
 * with the row count.
 *
 * <pre>{@code
 * plan.capture(pg.sample("crm_accounts", 1000, Path.of("accounts_sample.csv")));
 * plan.capture(pg.exportCsv("SELECT id, email FROM users WHERE created_at > now() - interval '1 day'", Path.of("new_users.csv")));
 * }</pre>
 */
public final class CsvExportStep implements Step {
    private final PgEndpoint ep;
    private final String query;
    private final Path file;
    private final String label;

    CsvExportStep(PgEndpoint ep, String query, Path file, String label) {
        this.ep = ep;
        this.query = Objects.requireNonNull(query, "query").strip();
        if (this.query.isEmpty()) {
            throw new IllegalArgumentException("exportCsv needs a query");
        }
        if (this.query.endsWith(";")) {
            throw new IllegalArgumentException("exportCsv takes one query without a trailing ';': " + this.query);
        }
        this.file = Objects.requireNonNull(file, "file");
        this.label = label;
    }

    private static final String DONE = "postgres.csv.done";
    private static final String ROWS = "postgres.csv.rows";

    @Override
    public String name() {
        return "export " + label + " to " + file.getFileName();
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("server", ep.where()).param("file", file).command(copySql());
    }

    private String copySql() {
        return "COPY (" + query + ") TO STDOUT WITH (FORMAT csv, HEADER true)";
    }

    @Override
    public void execute(StepContext ctx) throws IOException {
        if (Captures.alreadyTaken(ctx, DONE, "export", true)) {
            Path done = Path.of(ctx.recall(DONE).orElseThrow());
            ctx.recall(ROWS).ifPresent(rows -> ctx.output("postgres.csv." + done.getFileName(), rows));
            return;
        }
        Path out = file.isAbsolute() ? file : ctx.runDirectory().resolve(file);
        Path partial = out.resolveSibling("." + out.getFileName() + ".partial");
        long rows;
        try (Connection c = ep.connect(); BufferedWriter w = OwnerOnlyFiles.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            rows = copy.copyOut(copySql(), w);
        } catch (SQLException e) {
            Files.deleteIfExists(partial);
            throw new PostgresOperationException("CSV export of '" + query + "' from " + ep.where() + " failed: " + e.getMessage()
                    + ". Nothing was changed and no file was written. Check the query.", e);
        }
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ctx.remember(ROWS, Long.toString(rows));
        ctx.remember(DONE, out.toString());
        ctx.output("postgres.csv." + out.getFileName(), Long.toString(rows));
        ctx.progress("exported " + rows + " rows to " + out);
    }
}
