package dev.rollback.mongo;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.Rollback;
import dev.rollback.core.StepDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * mongorestore / mongodump through the process module. No MongoDB tools are installed here, so
 * real processes stand in for them: shell scripts that record the argument list they received
 * and the config file (content and permissions) they were pointed at.
 */
class MongoToolsIT {
    static final String URI = "mongodb://app:Tool-s3cret-pw@db.example:27017/?authSource=admin";

    @TempDir
    Path tmp;

    Path fakeTool(String name, String body) throws IOException {
        Path script = tmp.resolve("bin").resolve(name);
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\n"
                + "out=\"" + tmp + "/" + name + "-seen\"\n"
                + "mkdir -p \"$out\"\n"
                + "for a in \"$@\"; do echo \"$a\" >> \"$out/args\"; done\n"
                + "for a in \"$@\"; do case \"$a\" in --config=*) f=\"${a#--config=}\"; cat \"$f\" > \"$out/config\"; "
                + "stat -c %a \"$f\" > \"$out/mode\";; esac; done\n"
                + "cat /proc/$$/cmdline | tr '\\0' ' ' > \"$out/cmdline\"\n"
                + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void mongorestoreGetsTheUriThroughA0600ConfigFileNeverTheCommandLine() throws IOException {
        Path exe = fakeTool("mongorestore", "exit 0");
        Path backup = TestData.dump("prelude_gzip/test");
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("t1");
        MongoRestore restore = Mongo.at(URI).database("nextcrm").restoreFrom(backup).replaceExisting().usingMongorestore(exe.toString());
        RestoreResult r = restore.run(ctx);

        Path seen = tmp.resolve("mongorestore-seen");
        List<String> args = Files.readAllLines(seen.resolve("args"));
        assertThat(args.get(0)).startsWith("--config=" + tmp.resolve("run"));
        assertThat(args.subList(1, args.size())).containsExactly("--db=nextcrm", "--gzip", "--drop", "--numParallelCollections=2", "--dir=" + backup);
        assertThat(Files.readString(seen.resolve("cmdline"))).doesNotContain("Tool-s3cret-pw");
        assertThat(Files.readString(seen.resolve("config"))).isEqualTo("uri: \"" + URI + "\"\n");
        assertThat(Files.readString(seen.resolve("mode")).trim()).isEqualTo("600");
        try (Stream<Path> s = Files.list(tmp.resolve("run"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".yaml"));
        }
        assertThat(r.collections()).extracting(RestoreResult.CollectionRestore::name).containsExactly("foo");
        StepDescription d = restore.describe();
        assertThat(d.commands()).singleElement().satisfies(c -> assertThat(c)
                .contains("mongorestore").contains("--config=<0600 file holding the uri>").contains("--drop").doesNotContain("s3cret"));
        assertThat(d.parameters().get("server")).isEqualTo("mongodb://app:******@db.example:27017/?authSource=admin");
    }

    /**
     * Issue 19: a mongorestore that an earlier, killed attempt of the step left running (here where
     * the parent-death signal did not reach it: a process tagged with the run and step, no longer a
     * child of this JVM) is killed before the next attempt starts its own, and the step says so.
     */
    @Test
    void aToolLeftRunningByAKilledAttemptIsKilledBeforeTheNextAttemptRunsItsOwn() throws Exception {
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("t5").stepName("restore nextcrm");
        ProcessBuilder orphanMaker = new ProcessBuilder("bash", "-c", "sleep 300 >/dev/null 2>&1 </dev/null & echo $!");
        orphanMaker.environment().put("ROLLBACK_OWNER", "t5/restore nextcrm");
        Process maker = orphanMaker.start();
        long pid = Long.parseLong(new String(maker.getInputStream().readAllBytes()).trim());
        maker.waitFor();
        ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
        try {
            assertThat(orphan.isAlive()).isTrue();
            Path exe = fakeTool("mongorestore", "exit 0");
            Mongo.at(URI).database("nextcrm").restoreFrom(TestData.dump("foodump/test")).replaceExisting()
                    .usingMongorestore(exe.toString()).run(ctx);

            assertThat(orphan.onExit().completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).get())
                    .as("the earlier attempt's tool (pid %d) is gone", pid).isNotNull();
            assertThat(ctx.progress()).anySatisfy(p -> assertThat(p).contains("killed sleep (pid " + pid + ")")
                    .contains("earlier attempt of this step"));
            assertThat(Files.readAllLines(tmp.resolve("mongorestore-seen/args"))).isNotEmpty();
        } finally {
            orphan.destroyForcibly();
        }
    }

    @Test
    void failingToolNamesExitCodeAndStateLeftBehind() throws IOException {
        Path exe = fakeTool("mongorestore", "echo 'Failed: connection refused to mongodb://app:Tool-s3cret-pw@db.example' >&2\nexit 3");
        assertThatThrownBy(() -> Mongo.at(URI).database("nextcrm").restoreFrom(TestData.dump("foodump/test"))
                .replaceExisting().usingMongorestore(exe.toString()).run(TestStepContext.in(tmp.resolve("run")).runId("t2")))
                .isInstanceOf(MongoToolException.class)
                .hasMessageContaining("mongorestore failed")
                .hasMessageContaining("3")
                .hasMessageContaining("dropped and partially restored")
                .hasMessageNotContaining("Tool-s3cret-pw");
        try (Stream<Path> s = Files.list(tmp.resolve("run"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".yaml"));
        }
    }

    @Test
    void missingToolSaysHowToGoOn() {
        assertThatThrownBy(() -> Mongo.at(URI).database("nextcrm").restoreFrom(TestData.dump("foodump/test"))
                .replaceExisting().usingMongorestore(tmp.resolve("no/such/mongorestore").toString()).run(TestStepContext.in(tmp.resolve("run")).runId("t3")))
                .isInstanceOf(MongoToolException.class)
                .hasMessageContaining("not found").hasMessageContaining("restore through the driver");
    }

    @Test
    void safeSwapNeedsTheDriverAndSaysSoWhenThePlanIsBuilt() {
        MongoRestore safe = Mongo.at(URI).database("nextcrm").restoreFrom(TestData.dump("foodump/test")).usingMongorestore("mongorestore");
        assertThatThrownBy(() -> Rollback.plan("p").withoutCapture("test").restore(safe).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("replaceExisting()");
    }

    @Test
    void mongodumpWritesTheLayoutAndTheResultIsReadBack() throws IOException {
        Path src = TestData.dump("coll_with_index/test");
        Path exe = fakeTool("mongodump", "for a in \"$@\"; do case \"$a\" in --out=*) o=\"${a#--out=}\";; esac; done\n"
                + "mkdir -p \"$o/crm\" && cp " + src + "/foo.bson " + src + "/foo.metadata.json \"$o/crm/\"\nexit 0");
        TestStepContext ctx = TestStepContext.in(tmp.resolve("run")).runId("t4");
        MongoDump dump = Mongo.at(URI).database("crm").dump().to(tmp.resolve("out")).collections("foo").usingMongodump(exe.toString());
        dump.execute(ctx);
        assertThat(ctx.output("mongo.dump.path")).contains(tmp.resolve("out/crm").toString());
        List<String> args = Files.readAllLines(tmp.resolve("mongodump-seen/args"));
        assertThat(args.subList(1, args.size())).containsExactly("--db=crm", "--collection=foo", "--out=" + tmp.resolve("out"));
        assertThat(Files.readString(tmp.resolve("mongodump-seen/cmdline"))).doesNotContain("Tool-s3cret-pw");
        assertThat(dump.run(ctx).collections()).singleElement().satisfies(c -> assertThat(c.documents()).isEqualTo(BsonFileReaderTest.countIn(src.resolve("foo.bson"))));
    }
}
