package dev.rollback.process;

import dev.rollback.test.TestStepContext;

import dev.rollback.core.Confirmations;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunReport;
import dev.rollback.core.Secret;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Env file, status page and file copy steps on real files, cross-checked with bash. */
class FileStepsIT {
    @TempDir
    Path tmp;

    private static final String ORIGINAL = "# production settings\n"
            + "NODE_ENV=production\n"
            + "DATABASE_URL=postgresql://app:old@db:5432/nextcrm  # the old database\n"
            + "\n"
            + "export API_KEY='abc#def'\n";

    @Test
    void setReplacesAKeyAtomicallyKeepingCommentsOrderAndPermissions() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env.production"), ORIGINAL);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));
        Object inodeBefore = Files.getAttribute(env, "unix:ino");
        EnvFile file = EnvFile.at(env);
        file.set("DATABASE_URL", "mongodb://app:new@mongo:27017/nextcrm?authSource=admin").execute(TestStepContext.in(tmp));

        assertThat(Files.readAllLines(env)).containsExactly("# production settings", "NODE_ENV=production",
                "DATABASE_URL='mongodb://app:new@mongo:27017/nextcrm?authSource=admin'", "", "export API_KEY='abc#def'");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env))).isEqualTo("rw-r-----");
        assertThat(Files.getAttribute(env, "unix:ino")).as("replaced by a move, not rewritten in place").isNotEqualTo(inodeBefore);
        assertThat(file.read()).containsEntry("API_KEY", "abc#def").containsEntry("NODE_ENV", "production");
        try (var files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void awkwardValuesSurviveARoundTripAndBashReadsThemTheSame() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env"), "# empty\n");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("URL", "postgresql://db.internal/nextcrm?sslmode=require&x=1");
        values.put("EQUALS", "a=b=c");
        values.put("HASH", "value # not a comment");
        values.put("SPACES", "  leading and trailing  ");
        values.put("DOUBLE", "say \"hi\"");
        values.put("SINGLE", "it's here");
        values.put("BOTH", "it's \"both\" $HOME `cmd` \\n");
        values.put("EMPTY", "");
        values.put("DOLLAR", "$NOT_EXPANDED");
        TestStepContext ctx = TestStepContext.in(tmp);
        for (Map.Entry<String, String> e : values.entrySet()) {
            EnvFile.at(env).set(e.getKey(), e.getValue()).execute(ctx);
        }
        assertThat(EnvFile.at(env).read()).containsExactlyEntriesOf(values);

        List<String> argv = new ArrayList<>(List.of("bash", "-c", "set -a; source \"$0\"; for k in \"$@\"; do printf '%s=[%s]\\n' \"$k\" \"${!k}\"; done", env.toString()));
        argv.addAll(values.keySet());
        List<String> fromBash = Command.of(argv).run().stdout();
        List<String> expected = new ArrayList<>();
        values.forEach((k, v) -> expected.add(k + "=[" + v + "]"));
        assertThat(fromBash).containsExactlyElementsOf(expected);
    }

    @Test
    void aBackupHoldsSecretsSoItIsOwnerOnlyWhateverTheFilesMode() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env"), ORIGINAL);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
        TestStepContext ctx = TestStepContext.in(tmp);
        EnvFile file = EnvFile.at(env);
        file.backup().execute(ctx);
        Path backup = Path.of(ctx.requireOutput(file.backupOutputKey()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env))).as("the file itself keeps its mode").isEqualTo("rw-r--r--");
        assertThat(Files.readString(backup)).isEqualTo(ORIGINAL);
    }

    @Test
    void backupPublishesItsPathAndRestoreFromBackupPutsTheOldFileBack() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env.production"), ORIGINAL);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
        EnvFile file = EnvFile.at(env);
        TestStepContext ctx = TestStepContext.in(tmp);
        file.backup().execute(ctx);
        Path backup = Path.of(ctx.requireOutput(file.backupOutputKey()));
        assertThat(backup.getFileName().toString()).matches("\\.env\\.production\\.backup-\\d{8}T\\d{6}Z(-\\d+)?");
        assertThat(Files.readString(backup)).isEqualTo(ORIGINAL);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");

        file.set("DATABASE_URL", "mongodb://x").execute(ctx);
        file.backup().execute(ctx); // re-run: the first backup is kept
        assertThat(ctx.requireOutput(file.backupOutputKey())).isEqualTo(backup.toString());
        file.restoreFromBackup().execute(ctx);
        assertThat(Files.readString(env)).isEqualTo(ORIGINAL);

        Path other = Files.writeString(tmp.resolve("env.last-release"), "DATABASE_URL=postgresql://release\n");
        file.restoreFrom(other).execute(ctx);
        assertThat(file.get("DATABASE_URL")).contains("postgresql://release");
    }

    @Test
    void secretValueNeverReachesTheDescriptionOrJournal() throws Exception {
        String password = "env-secret-77e1b0";
        Path env = Files.writeString(tmp.resolve(".env"), "DATABASE_URL=old\n");
        EnvFile file = EnvFile.at(env);
        RollbackPlan plan = Rollback.plan("env-plan").capture(file.backup())
                .step(file.set("DATABASE_URL", Secret.of("mongodb://app:" + password + "@mongo/crm"))).build();
        InMemoryJournal journal = InMemoryJournal.create();
        RunReport report = Rollback.runner().journal(journal).confirmations(Confirmations.autoApprove("ci")).run(plan);
        assertThat(report.isSuccess()).isTrue();
        assertThat(file.get("DATABASE_URL")).contains("mongodb://app:" + password + "@mongo/crm");
        assertThat(String.join("\n", journal.lines("env-plan", report.runId()))).doesNotContain(password)
                .contains("envfile..env.backup");
        assertThat(plan.toString() + file.set("K", Secret.of(password)).describe()).doesNotContain(password);
    }

    @Test
    void badInputGivesClearErrors() {
        Path missing = tmp.resolve("nope.env");
        assertThatThrownBy(() -> EnvFile.at(missing).set("A", "b").execute(TestStepContext.in(tmp)))
                .isInstanceOf(FileStepException.class).hasMessageContaining("does not exist").hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> EnvFile.at(missing).set("BAD KEY", "b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid env key");
        assertThatThrownBy(() -> EnvFile.at(missing).set("A", "two\nlines")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line break");
        assertThatThrownBy(() -> EnvFile.at(missing).restoreFromBackup().execute(TestStepContext.in(tmp)))
                .hasMessageContaining("envfile.nope.env.backup");
    }

    @Test
    void statusPageWritesTheMessage() throws Exception {
        Path msg = tmp.resolve("message.txt");
        StatusPage.file(msg).message("System Maintenance - Restoring from Backup (run ${runId})").execute(TestStepContext.in(tmp));
        assertThat(Files.readString(msg)).isEqualTo("System Maintenance - Restoring from Backup (run test-run)\n");
        StatusPage.file(msg).message("System Operational - Service Restored").execute(TestStepContext.in(tmp));
        assertThat(Files.readString(msg)).isEqualTo("System Operational - Service Restored\n");
        assertThatThrownBy(() -> StatusPage.file(tmp.resolve("no/dir/message.txt")).message("x").execute(TestStepContext.in(tmp)))
                .isInstanceOf(FileStepException.class).hasMessageContaining("status page");
    }

    @Test
    void fileCopyBacksUpWhatItOverwritesAndRestores() throws Exception {
        Path source = Files.writeString(tmp.resolve("schema.mongodb.prisma"), "provider = \"mongodb\"\n");
        Path target = Files.writeString(tmp.resolve("schema.prisma"), "provider = \"postgresql\"\n");
        FileCopy copy = FileCopy.of(source, target);
        TestStepContext ctx = TestStepContext.in(tmp);
        copy.execute(ctx);
        assertThat(Files.readString(target)).isEqualTo("provider = \"mongodb\"\n");
        Path backup = Path.of(ctx.requireOutput(copy.backupOutputKey()));
        assertThat(Files.readString(backup)).isEqualTo("provider = \"postgresql\"\n");
        copy.execute(ctx); // again: the backup of the original is kept
        assertThat(ctx.requireOutput(copy.backupOutputKey())).isEqualTo(backup.toString());
        copy.restoreStep().execute(ctx);
        assertThat(Files.readString(target)).isEqualTo("provider = \"postgresql\"\n");

        assertThatThrownBy(() -> FileCopy.of(tmp.resolve("missing"), target).execute(ctx))
                .isInstanceOf(FileStepException.class).hasMessageContaining("does not exist").hasMessageContaining("unchanged");
        assertThatThrownBy(() -> FileCopy.of(target, target)).isInstanceOf(IllegalArgumentException.class);
    }
}
