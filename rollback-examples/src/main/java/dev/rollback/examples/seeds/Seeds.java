package dev.rollback.examples.seeds;

import dev.rollback.cli.RollbackProgram;
import dev.rollback.cli.Setting;
import dev.rollback.cli.Suggestions;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.cli.CommandLineOptions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The seed programs in one runnable jar: {@code java -jar rollback-examples-<version>-seeds.jar
 * seed-000 --dry-run ...}. The first argument names the seed ({@code seed-000} or its full program
 * name); the rest are the program's own flags. Without a seed, or with {@code --help}, it lists them.
 */
public final class Seeds {
    /**
     * One seed program.
     *
     * @param name    its short name, the first argument
     * @param program its program name
     * @param summary what it does, in a line
     * @param settings the settings it reads
     * @param front   its program front (flags, settings, {@code --decide}) under a given name
     * @param plan    builds its plan from the options
     */
    record Seed(String name, String program, String summary, List<Setting> settings, Function<String, RollbackProgram> front,
                Function<CommandLineOptions, RollbackPlan> plan) {
    }

    static final List<Seed> SEEDS = List.of(
            new Seed("seed-000", "seed-000-nextcrm-back-to-mongo", "return NextCRM from PostgreSQL to the last good MongoDB backup",
                    Seed000NextcrmBackToMongo.SETTINGS, Seed000NextcrmBackToMongo::program, o -> Seed000NextcrmBackToMongo.plan(Seed000NextcrmBackToMongo.Settings.from(o))),
            new Seed("seed-001", "seed-001-nextjs-production-rollback", "Next.js production rollback (pm2, PostgreSQL dump, git, env files)",
                    Seed001NextjsProductionRollback.SETTINGS, Seed001NextjsProductionRollback::program, o -> Seed001NextjsProductionRollback.plan(Seed001NextjsProductionRollback.Settings.from(o))),
            new Seed("seed-002", "seed-002-phase4-migration-rollback", "Phase 4 migration rollback, full or partial (PostgreSQL, app fleet)",
                    Seed002Phase4MigrationRollback.SETTINGS, Seed002Phase4MigrationRollback::program, o -> Seed002Phase4MigrationRollback.plan(Seed002Phase4MigrationRollback.Settings.from(o))),
            new Seed("seed-003", "seed-003-deployment-rollback", "deployment rollback: compose, ECS, Vercel or Railway, blue-green, Prisma, Redis",
                    Seed003DeploymentRollback.SETTINGS, Seed003DeploymentRollback::program, o -> Seed003DeploymentRollback.plan(Seed003DeploymentRollback.Settings.from(o))),
            new Seed("seed-004", "seed-004-rollback-script", "the rollback.sh of the README (revert or force push, dump, feature flag)",
                    Seed004RollbackScript.SETTINGS, Seed004RollbackScript::program, o -> Seed004RollbackScript.plan(Seed004RollbackScript.Settings.from(o))));

    private Seeds() {
    }

    /**
     * @param args the seed's name, then its flags
     */
    public static void main(String[] args) {
        System.exit(run(launcher(), args, System.out, System.err));
    }

    /**
     * Runs one seed program.
     *
     * @param launcher how this jar is started ({@code java -jar seeds.jar}), for the resume command it prints
     * @param args     the seed's name, then its flags
     * @param out      where the program prints
     * @param err      where errors go
     * @return the exit code
     */
    static int run(String launcher, String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).print(usage(launcher));
            return args.length == 0 ? 2 : 0;
        }
        Optional<Seed> seed = SEEDS.stream().filter(s -> s.name().equals(args[0]) || s.program().equals(args[0])).findFirst();
        if (seed.isEmpty()) {
            err.println(launcher + ": no seed program '" + args[0] + "'" + Suggestions.closest(args[0], SEEDS.stream().map(Seed::name).toList())
                    .map(c -> "; did you mean " + c + "?").orElse(""));
            err.print(usage(launcher));
            return 2;
        }
        Seed s = seed.get();
        return s.front().apply(launcher + " " + s.name()).streams(out, err, System.in)
                .execute(Arrays.copyOfRange(args, 1, args.length), s.plan());
    }

    static String usage(String launcher) {
        StringBuilder b = new StringBuilder("Usage: " + launcher + " SEED [--dry-run] [--yes APPROVER] [--resume RUN_ID] [--set NAME=VALUE]... \n"
                + "Seeds (" + launcher + " SEED --help for a seed's flags):\n");
        SEEDS.forEach(s -> b.append(String.format(Locale.ROOT, "  %-9s %s%n", s.name(), s.summary())));
        return b.toString();
    }

    /** How this program was started, as a command to paste: {@code java -jar <jar>} from a jar. */
    static String launcher() {
        try {
            Path where = Path.of(Seeds.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return where.toString().endsWith(".jar") ? "java -jar " + where : "seeds";
        } catch (Exception e) {
            return "seeds";
        }
    }
}
