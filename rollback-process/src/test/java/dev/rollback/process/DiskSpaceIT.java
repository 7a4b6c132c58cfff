package dev.rollback.process;

import dev.rollback.core.CheckResult;
import dev.rollback.test.SshHosts;
import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Free space read with the real {@code df}, here and on a real OpenSSH host, cross-checked with the
 * JDK's view of the same file system.
 */
class DiskSpaceIT {
    @TempDir
    Path dir;

    @Test
    void measuresWhatTheFileSystemReports() throws Exception {
        long df = DiskSpace.at(dir).available();
        long jdk = Files.getFileStore(dir).getUsableSpace();
        // the machine is shared: others write while we measure; a few hundred MB of drift is noise
        assertThat(df).isPositive().isCloseTo(jdk, org.assertj.core.data.Offset.offset(512L * 1024 * 1024));
    }

    @Test
    void passesWhenEnoughIsFreeAndFailsNamingWhatIsMissing() throws Exception {
        TestStepContext ctx = TestStepContext.in(dir);
        CheckResult ok = DiskSpace.at(dir).atLeast(1024).check(ctx);
        assertThat(ok.isPassed()).as(ok.summary()).isTrue();
        assertThat(ctx.output("disk.free." + dir)).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());

        CheckResult tooMuch = DiskSpace.at(dir).atLeast(DiskSpace.gigabytes(1L << 30)).check(ctx);
        assertThat(tooMuch.isPassed()).isFalse();
        assertThat(tooMuch.message()).contains("free on " + dir).contains("needed").contains("Nothing was changed");
    }

    @Test
    void aMultipleOfAPublishedSize() throws Exception {
        TestStepContext ctx = TestStepContext.in(dir);
        var twice = DiskSpace.at(dir).atLeast(2.0, "postgres.size.crm");

        CheckResult none = twice.check(ctx);
        assertThat(none.isPassed()).isFalse();
        assertThat(none.message()).contains("no earlier step published postgres.size.crm").contains("databaseSize()");

        ctx.output("postgres.size.crm", String.valueOf(10L * 1024 * 1024));
        assertThat(twice.check(ctx).isPassed()).isTrue();
        assertThat(twice.check(ctx).expected()).contains("20.0 MiB");

        ctx.output("postgres.size.crm", String.valueOf(Long.MAX_VALUE / 4));
        CheckResult huge = twice.check(ctx);
        assertThat(huge.isPassed()).isFalse();
        assertThat(huge.message()).contains("only").contains("needed");
        assertThat(twice.describe().commands()).containsExactly("df -P -k " + dir);
    }

    @Test
    void aFolderThatIsNotThereIsAClearError() {
        Path missing = dir.resolve("no-such-folder");
        assertThatThrownBy(() -> DiskSpace.at(missing).atLeast(1).check(TestStepContext.in(dir)))
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("df");
    }

    @Test
    void parsesPosixOutputAndRefusesAnythingElse() {
        assertThat(DiskSpace.parse(List.of("Filesystem 1024-blocks Used Available Capacity Mounted on",
                "/dev/sda1 100 40 60 40% /"), dir, "local")).isEqualTo(60L * 1024);
        assertThat(DiskSpace.parse(List.of("Filesystem 1024-blocks Used Available Capacity Mounted on",
                "a-very-long-device-name 100 40 7 90% /var/lib/postgresql"), dir, "local")).isEqualTo(7L * 1024);
        assertThatThrownBy(() -> DiskSpace.parse(List.of("df: unrecognized option"), dir, "ssh db1"))
                .hasMessageContaining("ssh db1").hasMessageContaining("POSIX");
        assertThat(DiskSpace.human(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
    }

    @Test
    void sizeOfAFolderSumsItsFiles() throws Exception {
        Path backup = Files.createDirectories(dir.resolve("backup/nextcrm"));
        Files.write(backup.resolve("a.bson.gz"), new byte[1000]);
        Files.write(backup.resolve("b.bson.gz"), new byte[234]);
        assertThat(DiskSpace.sizeOf(dir.resolve("backup"))).isEqualTo(1234);
        assertThat(DiskSpace.sizeOf(backup.resolve("a.bson.gz"))).isEqualTo(1000);
        assertThatThrownBy(() -> DiskSpace.sizeOf(dir.resolve("nope"))).hasMessageContaining("cannot measure");
    }

    @Test
    void aCompressedBackupIsMeasuredAsItWillBeRestored() throws Exception {
        Path backup = Files.createDirectories(dir.resolve("gz/nextcrm"));
        byte[] data = "{\"name\": \"Account 1\"}\n".repeat(5000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(backup.resolve("a.bson.gz")))) {
            out.write(data);
        }
        var members = new java.io.ByteArrayOutputStream();                         // two gzip members, as cat a.gz b.gz makes
        for (int i = 0; i < 2; i++) {
            var one = new java.io.ByteArrayOutputStream();
            try (var member = new java.util.zip.GZIPOutputStream(one)) {
                member.write(data, 0, 1000);
            }
            one.writeTo(members);
        }
        Files.write(backup.resolve("b.bson.gz"), members.toByteArray());
        Files.write(backup.resolve("a.metadata.json"), new byte[77]);
        assertThat(DiskSpace.sizeOf(backup.resolve("a.bson.gz"))).as("compressed").isLessThan(data.length / 10);
        assertThat(DiskSpace.uncompressedSizeOf(dir.resolve("gz"))).isEqualTo(data.length + 2000L + 77);

        Files.write(backup.resolve("c.bson.gz"), Arrays.copyOf(Files.readAllBytes(backup.resolve("a.bson.gz")), 40));   // truncated
        assertThatThrownBy(() -> DiskSpace.uncompressedSizeOf(dir.resolve("gz"))).hasMessageContaining("c.bson.gz")
                .hasMessageContaining("damaged backup fails here, before anything is stopped");
    }

    @Test
    void measuresOnAnotherHostThroughSsh() throws Exception {
        Assumptions.assumeTrue(SshHosts.available(), "sshd is not installed or may not run here (.ci/run installs openssh-server); "
                + "the local measurement above covers the parsing");
        try (SshHosts hosts = SshHosts.start(Files.createDirectories(dir.resolve("hosts")), 1, Map.of())) {
            DiskSpace remote = DiskSpace.at(dir).via(Ssh.to(hosts.destinations().get(0)).options(hosts.sshOptions()));
            TestStepContext ctx = TestStepContext.in(dir);
            CheckResult r = remote.atLeast(1024).check(ctx);
            assertThat(r.isPassed()).as(r.summary()).isTrue();
            assertThat(remote.atLeast(1).describe().commands().get(0)).startsWith("ssh ").endsWith("df -P -k " + dir);
            // the "remote" host is this machine: the same file system
            assertThat(Long.parseLong(ctx.output("disk.free." + dir).orElseThrow()))
                    .isCloseTo(Files.getFileStore(dir).getUsableSpace(), org.assertj.core.data.Offset.offset(512L * 1024 * 1024));
        }
    }
}
