package dev.rollback.examples.seeds;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed programs' runnable jar, as the package phase built it, run with {@code java -jar} as an operator would. */
class SeedsJarIT {
    @TempDir
    Path dir;

    private static Path jar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-seeds.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no *-seeds.jar in target/: the package phase builds it"));
        }
    }

    private record Run(int code, String output) {
    }

    private Run java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toAbsolutePath().toString()));
        Collections.addAll(cmd, args);
        Path out = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }

    @Test
    void theJarListsTheSeedsSuggestsTheClosestNameAndDryRunsASeed() throws Exception {
        Run list = java();
        assertThat(list.code()).isEqualTo(2);
        assertThat(list.output()).contains("seed-000  return NextCRM").contains("seed-004");

        Run typo = java("seed-03", "--dry-run");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.output()).contains("no seed program 'seed-03'; did you mean seed-003?");

        Run dry = java("seed-003", "--dry-run", "--set", "PREVIOUS_TAG=v1.4.2");
        assertThat(dry.code()).as(dry.output()).isZero();
        assertThat(dry.output()).contains("DRY RUN: nothing will be changed.").contains("Plan 'deployment-rollback'")
                .contains("$ git -C " + dir.toRealPath() + " rev-parse --verify refs/tags/v1.4.2");
    }

    @Test
    void theJarHoldsTheSeedsAndTheLibraryButNotTheLab() throws Exception {
        try (JarFile jar = new JarFile(jar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Seeds.class.getName());
            assertThat(jar.getEntry("dev/rollback/examples/seeds/Seed000NextcrmBackToMongo.class")).isNotNull();
            assertThat(jar.getEntry("dev/rollback/postgres/Postgres.class")).isNotNull();
            assertThat(jar.getEntry("org/postgresql/Driver.class")).isNotNull();
            assertThat(jar.getEntry("com/mongodb/client/MongoClients.class")).isNotNull();
            assertThat(jar.getEntry("dev/rollback/examples/lab/Lab.class")).isNull();
            assertThat(jar.getEntry("io/zonky/test/db/postgres/embedded/EmbeddedPostgres.class")).isNull();
            assertThat(jar.getEntry("dev/rollback/test/Drill.class")).isNull();
            assertThat(jar.getEntry("META-INF/services/java.sql.Driver")).isNotNull();
        }
    }
}
