package dev.rollback.examples.seeds;

import dev.rollback.examples.docs.DocSnippets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/seeds.md's item tables (runbook item → step → faithful / changed / partial / missing) are
 * checked against the programs: every step a row cites is a step of that seed's dry runs (the
 * settings listed above each table), every row that is not faithful says why, and the counts the
 * doc states are the counts of its rows.
 */
class SeedItemTableTest {
    /** The environment of the dry runs, as the doc states it: secrets from the environment only. */
    static Map<String, String> environment(String seed) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PRODUCTION_POSTGRESQL_URL", "postgresql://app:pw@db:5432/nextcrm");
        env.put("PRODUCTION_MONGODB_URL", "mongodb://mongo:27017");
        env.put("DATABASE_URL", "postgresql://app:pw@db:5432/" + (seed.equals("seed-003") || seed.equals("seed-004") ? "pmcrm" : "crm"));
        env.put("FEATURE_FLAG_API_KEY", "flag-key-for-the-dry-run");
        env.put("DEPLOY_DIR", "/srv/app");
        return env;
    }

    private static final Pattern STEP = Pattern.compile("^\\s+\\d+\\. \\[[^\\]]+\\] (.+?)(?:  (?:DESTRUCTIVE|waivable \\(--waive).*)?$");
    private static final Pattern CITED = Pattern.compile("`([^`]+)`");
    private static final List<String> STATUSES = List.of("F", "C", "P", "M");

    /** One row of an item table. */
    record Item(String seed, String number, String item, List<String> steps, String status, String why) {
    }

    static String doc() throws IOException {
        return Files.readString(DocSnippets.repositoryRoot().resolve("docs/seeds.md"), StandardCharsets.UTF_8);
    }

    /** @return the lines of the block that follows a marker: a fenced block, or a table up to the first blank line */
    static List<String> block(String doc, String marker) {
        int at = doc.indexOf("<!-- " + marker + " -->");
        assertThat(at).as("docs/seeds.md has <!-- %s -->", marker).isNotNegative();
        List<String> lines = doc.substring(at).lines().skip(1).toList();
        List<String> out = new ArrayList<>();
        boolean fenced = !lines.isEmpty() && lines.get(0).startsWith("```");
        for (String l : fenced ? lines.subList(1, lines.size()) : lines) {
            if (fenced ? l.startsWith("```") : l.isBlank()) {
                break;
            }
            out.add(l);
        }
        return out;
    }

    /**
     * @return the arguments of one dry-run line: {@code --set NAME=VALUE ...} (a value may hold spaces), and
     *         {@code --waive 'NAME' --reason 'TEXT'} (quoted) for the emergency paths
     */
    static List<String> arguments(String line) {
        List<String> args = new ArrayList<>(List.of("--dry-run"));
        Matcher quoted = Pattern.compile("\\s*--(waive|reason) '([^']*)'").matcher(line);
        while (quoted.find()) {
            args.add("--" + quoted.group(1));
            args.add(quoted.group(2));
        }
        for (String part : quoted.replaceAll("").trim().split("\\s*--set\\s+")) {
            if (!part.isBlank()) {
                args.add("--set");
                args.add(part.trim());
            }
        }
        return args;
    }

    static List<Item> items(String doc, String seed) {
        List<Item> items = new ArrayList<>();
        for (String row : block(doc, "items: " + seed)) {
            String[] cells = row.split("(?<!\\\\)\\|", -1);
            if (cells.length < 6 || cells[1].trim().equals("#") || cells[1].trim().startsWith("---")) {
                continue;
            }
            List<String> steps = new ArrayList<>();
            Matcher m = CITED.matcher(cells[3]);
            while (m.find()) {
                steps.add(m.group(1));
            }
            items.add(new Item(seed, cells[1].trim(), cells[2].trim(), steps, cells[4].trim(), cells[5].trim()));
        }
        return items;
    }

    /** @return the step names of every dry run listed for the seed */
    static Set<String> dryRunSteps(String doc, String seed) {
        Seeds.Seed s = Seeds.SEEDS.stream().filter(x -> x.name().equals(seed)).findFirst().orElseThrow();
        Set<String> steps = new LinkedHashSet<>();
        for (String line : block(doc, "dry-runs: " + seed)) {
            SeedDrills.Result r = SeedDrills.run(seed, environment(seed), "", arguments(line), s.plan());
            assertThat(r.exit()).as("dry run of %s with %s:%n%s", seed, line, r.all()).isZero();
            r.out().lines().map(STEP::matcher).filter(Matcher::matches).forEach(m -> steps.add(m.group(1).trim()));
        }
        return steps;
    }

    @Test
    void everyStepTheItemTablesCiteIsInThatSeedsDryRun() throws IOException {
        String doc = doc();
        Map<String, List<String>> unknown = new TreeMap<>();
        int cited = 0;
        for (Seeds.Seed s : Seeds.SEEDS) {
            Set<String> steps = dryRunSteps(doc, s.name());
            assertThat(steps).as("steps of %s's dry runs", s.name()).isNotEmpty();
            for (Item i : items(doc, s.name())) {
                for (String step : i.steps()) {
                    cited++;
                    if (!steps.contains(step)) {
                        unknown.computeIfAbsent(s.name(), k -> new ArrayList<>()).add("#" + i.number() + " `" + step + "`");
                    }
                }
            }
            if (unknown.containsKey(s.name())) {
                unknown.get(s.name()).add("(steps of its dry runs: " + steps + ")");
            }
        }
        assertThat(unknown).as("steps cited in docs/seeds.md that no dry run of the seed has").isEmpty();
        assertThat(cited).as("steps cited").isGreaterThan(150);
    }

    @Test
    void everyItemHasAStatusAndEveryItemNotFaithfulSaysWhy() throws IOException {
        String doc = doc();
        for (Seeds.Seed s : Seeds.SEEDS) {
            List<Item> items = items(doc, s.name());
            assertThat(items).as("items of %s", s.name()).hasSizeGreaterThan(20);
            for (int n = 0; n < items.size(); n++) {
                Item i = items.get(n);
                assertThat(i.number()).as("%s row %d is numbered in order", s.name(), n + 1).isEqualTo(String.valueOf(n + 1));
                assertThat(i.status()).as("%s #%s status", s.name(), i.number()).isIn(STATUSES);
                if (!i.status().equals("F")) {
                    assertThat(i.why()).as("%s #%s (%s) says why", s.name(), i.number(), i.status()).hasSizeGreaterThan(15);
                }
            }
        }
    }

    @Test
    void theCountsTheDocStatesAreTheCountsOfItsRows() throws IOException {
        String doc = doc();
        int[] total = new int[5];
        for (String row : block(doc, "item-counts")) {
            String[] c = row.split("\\|", -1);
            if (c.length < 9 || !c[1].trim().matches("seed-\\d{3}|all")) {
                continue;
            }
            String seed = c[1].trim();
            int[] expected = seed.equals("all") ? total : counts(items(doc, seed));
            if (!seed.equals("all")) {
                for (int k = 0; k < 5; k++) {
                    total[k] += expected[k];
                }
            }
            String fc = String.format(Locale.ROOT, "%.1f %%", 100.0 * (expected[1] + expected[2]) / expected[0]);
            assertThat(List.of(c[2].trim(), c[3].trim(), c[4].trim(), c[5].trim(), c[6].trim(), c[7].trim()))
                    .as("counts of %s (items, F, C, P, M, F + C)", seed)
                    .containsExactly(String.valueOf(expected[0]), String.valueOf(expected[1]), String.valueOf(expected[2]),
                            String.valueOf(expected[3]), String.valueOf(expected[4]), fc);
        }
        assertThat(total[0]).as("items counted in the summary").isEqualTo(
                Seeds.SEEDS.stream().mapToInt(s -> items(doc, s.name()).size()).sum());
    }

    /** @return items, F, C, P, M */
    private static int[] counts(List<Item> items) {
        int[] c = new int[5];
        c[0] = items.size();
        for (Item i : items) {
            c[1 + STATUSES.indexOf(i.status())]++;
        }
        return c;
    }

    /**
     * Prints the summary rows for docs/seeds.md from the tables (run it after editing a table).
     *
     * @param args none
     * @throws IOException when the doc cannot be read
     */
    public static void main(String[] args) throws IOException {
        String doc = doc();
        int[] total = new int[5];
        for (Seeds.Seed s : Seeds.SEEDS) {
            int[] c = counts(items(doc, s.name()));
            for (int k = 0; k < 5; k++) {
                total[k] += c[k];
            }
            System.out.println(row(s.name(), c));
        }
        System.out.println(row("all", total));
    }

    private static String row(String name, int[] c) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.1f %% |", name, c[0], c[1], c[2], c[3], c[4],
                100.0 * (c[1] + c[2]) / c[0]);
    }
}
