package dev.rollback.process;

import dev.rollback.test.TestStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An env file stays the file it was: a read-only one is refused and left unchanged, a symbolic link
 * is written through and stays a link, owner, group, mode and hard links are kept. The tests run as
 * root here, which the permission bits do not bind; "the user cannot write it" is shown by a child
 * JVM running as {@code nobody}.
 */
class EnvFileIdentityIT {
    private static final String ENV = "NODE_ENV=production\nDATABASE_URL=postgresql://app:old@db/crm\n";

    @TempDir
    Path tmp;

    private TestStepContext ctx() {
        return TestStepContext.in(tmp.resolve("run"));
    }

    @Test
    void aFileMarkedReadOnlyIsRefusedAndLeftUnchangedEvenForRoot() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env.production"), ENV);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("r--r--r--"));
        Object inode = Files.getAttribute(env, "unix:ino");

        assertThatThrownBy(() -> EnvFile.at(env).set("DATABASE_URL", "mongodb://db/crm").execute(ctx()))
                .isInstanceOf(FileStepException.class)
                .hasMessageContaining("refused").hasMessageContaining("marked read-only").hasMessageContaining("r--r--r--")
                .hasMessageContaining("chmod u+w " + env.toRealPath()).hasMessageContaining("nothing was changed");

        assertThat(Files.readString(env)).isEqualTo(ENV);
        assertThat(mode(env)).isEqualTo("r--r--r--");
        assertThat(Files.getAttribute(env, "unix:ino")).as("not replaced by a new file").isEqualTo(inode);
        assertThatThrownBy(() -> EnvFile.at(env).restoreFrom(Files.writeString(tmp.resolve("old.env"), "X=1\n")).execute(ctx()))
                .isInstanceOf(FileStepException.class).hasMessageContaining("marked read-only");
        assertThat(Files.readString(env)).isEqualTo(ENV);
    }

    @Test
    void aFileTheUserCannotWriteIsRefusedAndLeftUnchanged() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("shared"));
        Path env = Files.writeString(dir.resolve(".env.production"), ENV);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));   // the owner's, readable by others
        ChildResult r = isRoot() ? runAsNobody(env) : runHere(env);

        assertThat(r.output()).as(r.output()).contains("FileStepException").contains("is read-only for this user")
                .contains("rw-r--r--").contains("nothing was changed");
        assertThat(Files.readString(env)).isEqualTo(ENV);
        assertThat(mode(env)).isEqualTo("rw-r--r--");
    }

    @Test
    void aSymlinkedEnvFileIsWrittenThroughAndStaysALink() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Path real = Files.writeString(shared.resolve(".env.production"), ENV);
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        Path release = Files.createDirectories(tmp.resolve("releases/v2"));
        Path link = Files.createSymbolicLink(release.resolve(".env.production"), Path.of("../../shared/.env.production"));
        EnvFile env = EnvFile.at(link);
        TestStepContext ctx = ctx();

        env.backup().execute(ctx);
        env.set("DATABASE_URL", "mongodb://db:27017/crm").execute(ctx);

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../../shared/.env.production"));
        assertThat(Files.readString(real)).contains("DATABASE_URL=mongodb://db:27017/crm").contains("NODE_ENV=production");
        assertThat(mode(real)).isEqualTo("rw-r-----");
        Path backup = Path.of(ctx.requireOutput(env.backupOutputKey()));
        assertThat(backup.getParent()).isEqualTo(release);
        assertThat(Files.isSymbolicLink(backup)).isFalse();
        assertThat(Files.readString(backup)).isEqualTo(ENV);
        assertThat(mode(backup)).isEqualTo("rw-------");

        env.restoreFromBackup().execute(ctx);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo(ENV);
    }

    @Test
    void aLinkToNothingIsAClearError() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve(".env"), tmp.resolve("gone/.env"));
        assertThatThrownBy(() -> EnvFile.at(link).restoreFrom(Files.writeString(tmp.resolve("x.env"), "A=1\n")).execute(ctx()))
                .isInstanceOf(FileStepException.class).hasMessageContaining("symbolic link to " + tmp.resolve("gone/.env"))
                .hasMessageContaining("does not exist");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.exists(tmp.resolve("gone"))).isFalse();
    }

    @Test
    void ownerGroupModeAndHardLinksAreKept() throws Exception {
        Path env = Files.writeString(tmp.resolve(".env.production"), ENV);
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-rw----"));
        PosixFileAttributeView view = Files.getFileAttributeView(env, PosixFileAttributeView.class);
        UserPrincipal owner = view.readAttributes().owner();
        GroupPrincipal group = view.readAttributes().group();
        if (isRoot()) {   // root may give the file away: the app's user keeps it after the rollback
            UserPrincipalLookupService users = env.getFileSystem().getUserPrincipalLookupService();
            owner = users.lookupPrincipalByName("nobody");
            group = users.lookupPrincipalByGroupName("nogroup");
            view.setOwner(owner);
            view.setGroup(group);
        }

        EnvFile.at(env).set("DATABASE_URL", "mongodb://db/crm").execute(ctx());

        PosixFileAttributes after = Files.readAttributes(env, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(after.owner()).isEqualTo(owner);
        assertThat(after.group()).isEqualTo(group);
        assertThat(PosixFilePermissions.toString(after.permissions())).isEqualTo("rw-rw----");
        assertThat(Files.readString(env)).contains("DATABASE_URL=mongodb://db/crm");

        // a second name for the same file sees the new content: written in place, not replaced
        Path second = Files.createLink(tmp.resolve("env.hardlink"), env);
        EnvFile.at(env).set("NODE_ENV", "staging").execute(ctx());
        assertThat(Files.readString(second)).contains("NODE_ENV=staging");
        assertThat(Files.readString(env)).contains("NODE_ENV=staging");
        assertThat(Files.readAttributes(env, PosixFileAttributes.class).owner()).isEqualTo(owner);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private record ChildResult(int exit, String output) {
    }

    /** Runs {@link ChangeEnvFile} as the user nobody, with a copy of the class path nobody may read. */
    private ChildResult runAsNobody(Path env) throws Exception {
        Path cp = Files.createTempDirectory("envfile-child-");
        try {
            Files.setPosixFilePermissions(cp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(env.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                if (Files.isRegularFile(p)) {   // jars in the root-only Maven repository: copied where nobody can read them
                    Path copy = Files.copy(p, cp.resolve((n++) + "-" + p.getFileName()));
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                    entries.add(copy.toString());
                } else {
                    entries.add(e);
                }
            }
            return run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", String.join(File.pathSeparator, entries),
                    ChangeEnvFile.class.getName(), env.toString()));
        } finally {
            try (var s = Files.walk(cp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private ChildResult runHere(Path env) throws Exception {
        return run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                ChangeEnvFile.class.getName(), env.toString()));
    }

    private static ChildResult run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child did not finish: " + out);
        }
        return new ChildResult(p.exitValue(), out);
    }

    /** The child: sets a key in the env file given as argument, printing the failure. */
    public static final class ChangeEnvFile {
        private ChangeEnvFile() {
        }

        /**
         * @param args the env file
         * @throws IOException never: failures are printed
         */
        public static void main(String[] args) throws IOException {
            Path run = Files.createTempDirectory("envfile-child-run-");
            try {
                EnvFile.at(Path.of(args[0])).set("DATABASE_URL", "mongodb://db/crm").execute(TestStepContext.in(run));
                System.out.println("CHANGED");
            } catch (Exception e) {
                System.out.println(e);
                System.exit(3);
            }
        }
    }
}
