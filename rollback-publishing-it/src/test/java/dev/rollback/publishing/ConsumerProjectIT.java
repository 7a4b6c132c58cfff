package dev.rollback.publishing;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What we publish works for a user. {@code mvn verify} deploys nothing; this test turns on the
 * {@code stage} profile in a nested build of the project ({@code mvn -Pstage deploy}) that deploys
 * every published module into a folder repository. Then: every module, the parent and the BOM are
 * there with sources and javadoc jars, the examples are not, and a project outside the reactor that
 * imports the BOM builds and runs a plan against rollback-core taken from that repository (its
 * local repository has no rollback artifacts of its own).
 */
class ConsumerProjectIT {
    private static final List<String> MODULES = List.of("rollback-core", "rollback-process", "rollback-postgres",
            "rollback-mongo", "rollback-git", "rollback-journal-postgres", "rollback-otel", "rollback-cli", "rollback-redis", "rollback-test");

    @TempDir
    Path dir;

    @TempDir
    static Path stagingRoot;

    private static Path staging;
    private final String version = System.getProperty("rollback.version");

    /** The nested staging build, once for the class: the same command a release engineer runs. */
    @BeforeAll
    static void stageEveryPublishedModule() throws Exception {
        staging = stagingRoot.resolve("staging-repository");
        Path root = Path.of(System.getProperty("project.root"));
        String mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn").toString();
        Path log = stagingRoot.resolve("staging-build.log");
        Process p = new ProcessBuilder(mvn, "-B", "-Pstage", "deploy", "-DskipTests", "-Denforcer.skip=true",
                "-pl", "!rollback-examples,!rollback-publishing-it", "-Drollback.staging.repository=" + staging)
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assumeFalse(p.exitValue() != 0 && output.contains("offline mode"),
                "Maven refuses to deploy in offline mode, even to a folder; run without -o to test publishing");
        assertThat(p.exitValue()).as("staging build output:%n%s", output).isZero();
    }

    @Test
    void everyModuleIsPublishedWithSourcesAndJavadoc() throws IOException {
        assertThat(staging.resolve("dev/rollback/rollback-bom/" + version)).isDirectory();
        assertThat(staging.resolve("dev/rollback/rollback-parent/" + version)).isDirectory();
        assertThat(staging.resolve("dev/rollback/rollback-examples")).as("the examples are not published").doesNotExist();
        for (String module : MODULES) {
            Path folder = staging.resolve("dev/rollback/" + module + "/" + version);
            try (Stream<Path> files = Files.list(folder)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertThat(names).as(module).anyMatch(n -> n.endsWith(".jar") && !n.contains("-sources") && !n.contains("-javadoc"))
                        .anyMatch(n -> n.endsWith("-sources.jar"))
                        .anyMatch(n -> n.endsWith("-javadoc.jar"))
                        .anyMatch(n -> n.endsWith(".pom"));
            }
        }
    }

    @Test
    void aConsumerProjectImportingTheBomBuildsAndRunsAPlanFromTheFolderRepository() throws Exception {
        Path project = dir.resolve("consumer");
        copyTree(Path.of(System.getProperty("consumer.sources")), project, false);
        // A local repository with everything the machine has, except rollback itself: it must come from the folder repository.
        Path localRepo = dir.resolve("m2");
        copyTree(Path.of(System.getProperty("local.repository")), localRepo, true);

        String mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn").toString();
        Path log = dir.resolve("consumer-build.log");
        Process p = new ProcessBuilder(mvn, "-B", "verify", "-Dmaven.repo.local=" + localRepo,
                "-Dstaging.url=" + staging.toUri(), "-Drollback.version=" + version)
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as("consumer build output:%n%s", output).isZero();
        assertThat(output).contains("Tests run: 1, Failures: 0, Errors: 0").contains("BUILD SUCCESS");

        Path resolved = localRepo.resolve("dev/rollback/rollback-core/" + version);
        assertThat(resolved.resolve("maven-metadata-rollback-staging.xml")).as("rollback-core came from the folder repository").exists();
        try (Stream<Path> files = Files.list(resolved)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("rollback-core-") && n.endsWith(".jar"));
        }

        // The user's program as one runnable jar (the shade plugin, as docs/packaging.md shows), run as an operator would.
        Path jar = project.resolve("target/cache-rollback-1.0.0-all.jar");
        assertThat(jar).exists();
        Path work = Files.createDirectories(dir.resolve("ops"));
        Files.writeString(work.resolve("cache.conf"), "ttl=0\n");
        Files.writeString(work.resolve("cache.conf.previous"), "ttl=60\n");
        String[] common = {"--set", "CACHE_CONFIG=" + work.resolve("cache.conf"), "--journal", work.resolve("journal").toString()};
        Run dry = java(work, jar, common, "--dry-run");
        assertThat(dry.code()).as(dry.output()).isZero();
        assertThat(dry.output()).contains("DRY RUN: nothing will be changed.").contains("put previous config back");
        assertThat(Files.readString(work.resolve("cache.conf"))).isEqualTo("ttl=0\n");
        Run real = java(work, jar, common, "--yes", "ops@example.com", "--reason", "bad cache ttl");
        assertThat(real.code()).as(real.output()).isZero();
        assertThat(Files.readString(work.resolve("cache.conf"))).isEqualTo("ttl=60\n");
        assertThat(real.output()).contains("Incident report: ");
        Run again = java(work, jar, new String[0], "--set", "CACH_CONFIG=x");
        assertThat(again.code()).as("usage error: %s", again.output()).isEqualTo(2);
    }

    private record Run(int code, String output) {
    }

    private static Run java(Path work, Path jar, String[] common, String... more) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(common));
        cmd.addAll(List.of(more));
        Path out = Files.createTempFile(work, "run", ".log");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }

    /** Copies a tree; with {@code link}, hard-links files (fast, no extra space) and leaves rollback's own artifacts out. */
    private static void copyTree(Path from, Path to, boolean link) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path rel = from.relativize(d);
                if (link && rel.toString().replace('\\', '/').startsWith("dev/rollback")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(rel.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(f).toString());
                if (link) {
                    try {
                        Files.createLink(target, f);
                        return FileVisitResult.CONTINUE;
                    } catch (IOException | UnsupportedOperationException e) {
                        // different file system: fall back to a copy
                    }
                }
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
