package dev.rollback.examples.seeds;

import dev.rollback.cli.Setting;
import dev.rollback.core.Redactor;
import dev.rollback.core.cli.CommandLineOptions;
import dev.rollback.core.cli.UsageException;
import dev.rollback.core.decision.Decision;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Sample;
import dev.rollback.core.decision.Signal;
import dev.rollback.core.decision.SignalHistory;
import dev.rollback.postgres.Postgres;
import dev.rollback.process.Http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The seeds' {@code --decide} mode: reads the signals the settings configure and decides with the
 * seed's decision table ({@code SeedDecisionTables}), running nothing.
 *
 * <ul>
 *   <li>{@code DECIDE_HEALTH_URL} (default: the seed's health URL; {@code none} to skip):
 *       {@code health.failing} is 1 while it does not answer 200;</li>
 *   <li>{@code DECIDE_SQL} ({@code signal=SELECT ...}, several separated by {@code ;}) and
 *       {@code DECIDE_SQL_FILE} (one {@code signal = SELECT ...} a line): each query's first column
 *       of its first row, read in a read-only transaction on the seed's database;</li>
 *   <li>{@code DECIDE_SIGNALS} ({@code fix.eta.minutes=45,integrity.at.risk=1}): people's
 *       judgements the rules also read;</li>
 *   <li>{@code DECIDE_SAMPLES} (1) polls {@code DECIDE_INTERVAL} (PT10S) apart, so that a rule
 *       sustained for minutes can hold.</li>
 * </ul>
 * With {@code --watchdog EVERY} the function is called every interval and keeps its samples, so the
 * history grows and a MUST runs the seed's plan.
 * A signal name the table does not read is refused (a typo would otherwise be silently ignored); a
 * query that fails is reported as unavailable, which the table never takes for healthy.
 */
public final class Decide {
    /** The settings of {@code --decide}, declared by every seed. */
    public static final List<Setting> SETTINGS = List.of(
            Setting.text("DECIDE_HEALTH_URL", "with --decide: the health URL read as health.failing (default: the seed's; none to skip)"),
            Setting.text("DECIDE_SQL", "with --decide: signal=SELECT ... (a number), several separated by ';'"),
            Setting.path("DECIDE_SQL_FILE", "with --decide: a file of 'signal = SELECT ...' lines"),
            Setting.text("DECIDE_SIGNALS", "with --decide: people's judgements, e.g. fix.eta.minutes=45,integrity.at.risk=1"),
            Setting.integer("DECIDE_SAMPLES", "with --decide: how many times the signals are read").defaultValue("1"),
            Setting.duration("DECIDE_INTERVAL", "with --decide: the pause between reads").defaultValue("PT10S"));

    private Decide() {
    }

    /**
     * A seed's {@code --decide}, for {@code RollbackProgram.decisions(...)}.
     *
     * @param table             the seed's decision table
     * @param defaultHealthUrl  the setting naming the seed's health URL, or null
     * @param databaseUrl       the setting naming the seed's PostgreSQL database, for {@code DECIDE_SQL}
     * @return the function
     */
    public static Function<CommandLineOptions, Decision> with(DecisionTable table, String defaultHealthUrl, String databaseUrl) {
        SignalHistory history = SignalHistory.create();   // kept between the watchdog's calls: sustained rules can hold
        return o -> decide(o, table, defaultHealthUrl, databaseUrl, Clock.systemUTC(), history);
    }

    static Decision decide(CommandLineOptions o, DecisionTable table, String healthSetting, String dbSetting, Clock clock,
                           SignalHistory history) {
        Set<String> known = table.signals();
        Map<String, Signal> signals = new LinkedHashMap<>();
        String health = o.setting("DECIDE_HEALTH_URL").or(() -> healthSetting == null ? java.util.Optional.empty() : o.setting(healthSetting))
                .filter(u -> !u.isBlank() && !u.equalsIgnoreCase("none")).orElse(null);
        if (health != null && known.contains("health.failing")) {
            signals.put("health.failing", Signal.failing("health.failing", Http.get(health).expectStatus(200)));
        }
        Map<String, String> queries = queries(o);
        if (!queries.isEmpty()) {
            String url = o.setting(dbSetting).filter(u -> !u.isBlank()).orElseThrow(() -> new UsageException(
                    "DECIDE_SQL reads the database of " + dbSetting + ", which is not set; export " + dbSetting + "=postgresql://..."));
            Postgres pg = Postgres.at(url);
            queries.forEach((name, sql) -> signals.put(name, Signal.of(name, () -> scalar(pg, sql))));
        }
        for (String pair : split(o.setting("DECIDE_SIGNALS").orElse(""), ",")) {
            String[] kv = pair.split("=", 2);
            double value;
            try {
                value = Double.parseDouble(kv.length == 2 ? kv[1].trim() : "x");
            } catch (NumberFormatException e) {
                throw new UsageException("DECIDE_SIGNALS entry '" + pair + "' is not name=number, e.g. fix.eta.minutes=45");
            }
            signals.put(kv[0].trim(), Signal.of(kv[0].trim(), () -> value));
        }
        List<String> unknown = signals.keySet().stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new UsageException("the decision table reads no signal " + unknown + "; it reads " + known);
        }
        if (signals.isEmpty()) {
            throw new UsageException("--decide has no signal to read: set DECIDE_HEALTH_URL, DECIDE_SQL or DECIDE_SIGNALS; "
                    + "the decision table reads " + known);
        }
        int samples = Integer.parseInt(o.setting("DECIDE_SAMPLES", "1"));
        if (samples < 1) {
            throw new UsageException("DECIDE_SAMPLES must be at least 1, got " + samples);
        }
        Duration interval = Duration.parse(o.setting("DECIDE_INTERVAL", "PT10S"));
        for (int i = 0; i < samples; i++) {
            if (i > 0) {
                sleep(interval);
            }
            for (Signal s : signals.values()) {
                try {
                    history.record(Sample.of(s.name(), clock.instant(), s.read()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading " + s.name(), e);
                } catch (Exception e) {
                    history.record(Sample.failed(s.name(), clock.instant(), Redactor.redact(e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()))));
                }
            }
        }
        return table.decide(history, clock.instant());
    }

    /** @return signal name to query, from DECIDE_SQL and DECIDE_SQL_FILE */
    static Map<String, String> queries(CommandLineOptions o) {
        List<String> entries = new ArrayList<>(split(o.setting("DECIDE_SQL").orElse(""), ";"));
        o.setting("DECIDE_SQL_FILE").filter(f -> !f.isBlank()).ifPresent(f -> {
            try {
                for (String line : Files.readAllLines(Path.of(f))) {
                    if (!line.isBlank() && !line.strip().startsWith("#")) {
                        entries.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("DECIDE_SQL_FILE " + f + " cannot be read: " + e.getMessage(), e);
            }
        });
        Map<String, String> out = new LinkedHashMap<>();
        for (String e : entries) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? "" : e.substring(0, eq).trim();
            String sql = eq < 0 ? "" : e.substring(eq + 1).trim();
            if (!name.matches("[A-Za-z][A-Za-z0-9_.]*") || !sql.regionMatches(true, 0, "select", 0, 6) && !sql.regionMatches(true, 0, "with", 0, 4)) {
                throw new UsageException("DECIDE_SQL entry '" + e.strip() + "' is not 'signal = SELECT ...', e.g. "
                        + "error.rate = SELECT count(*) FILTER (WHERE status >= 500)::float / count(*) FROM requests");
            }
            out.put(name, sql);
        }
        return out;
    }

    /** The first column of the first row, in a read-only transaction. */
    private static double scalar(Postgres pg, String sql) throws Exception {
        try (Connection c = pg.connect()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(30);
                try (ResultSet rs = st.executeQuery(sql)) {
                    if (!rs.next()) {
                        throw new IllegalStateException("the query returned no row");
                    }
                    double v = rs.getDouble(1);
                    if (rs.wasNull()) {
                        throw new IllegalStateException("the query returned NULL");
                    }
                    return v;
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static List<String> split(String text, String separator) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(Pattern.quote(separator))) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between samples", e);
        }
    }
}
