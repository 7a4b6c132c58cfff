package dev.rollback.examples.lab;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunReport;
import dev.rollback.test.StandIns;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Seed 004's world, for real, in a {@link Lab}: a shop API (the app, run by a systemd stand-in)
 * on PostgreSQL database {@code shop} with a nightly dump taken by the library; then a deployment
 * whose Prisma migration dropped {@code products.price} and deleted orders (not reversible by a
 * migration); the deployed checkout, with the deploy commit pushed to {@code main} of a bare
 * repository that plays the production remote {@code origin}.
 *
 * <p>{@link #prepare(Lab)} can be called again: it rebuilds the broken state.
 */
public final class Seed004Lab {
    /** The database. */
    public static final String DATABASE = "shop";
    /** The systemd unit. */
    public static final String UNIT = "shop-api";
    /** Products in the dump. */
    public static final int PRODUCTS = 25;
    /** Orders in the dump. */
    public static final int ORDERS = 60;
    /** Orders left by the bad migration. */
    public static final int ORDERS_AFTER_BAD_MIGRATION = 20;

    private Seed004Lab() {
    }

    /**
     * What was set up.
     *
     * @param restoreDump           the nightly dump (custom format, row-count manifest next to it)
     * @param backupDir             where the pre-rollback dump should be kept
     * @param remote                the bare repository playing {@code origin}
     * @param previousReleaseCommit the known good commit
     * @param deployCommit          the bad deploy commit, HEAD of main locally and on the remote
     * @param healthUrl             the app's health URL
     * @param toolsPath             the stand-ins' folder
     */
    public record Setup(Path restoreDump, Path backupDir, Path remote, String previousReleaseCommit, String deployCommit,
                        String healthUrl, String toolsPath) {
    }

    /**
     * @param lab the lab
     * @return what was set up
     */
    public static Setup prepare(Lab lab) {
        try {
            LabPostgres pg = lab.postgres();
            pg.dropDatabasesLike("shop\\_%");
            pg.recreateDatabase(DATABASE);
            pg.execute(DATABASE, """
                    CREATE TABLE products (id bigserial PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL);
                    CREATE TABLE orders (id bigserial PRIMARY KEY, product_id bigint NOT NULL REFERENCES products(id), quantity int NOT NULL);
                    """);
            pg.execute(DATABASE, "INSERT INTO products (name, price) SELECT 'Product ' || g, g * 1.5 FROM generate_series(1, " + PRODUCTS + ") g");
            pg.execute(DATABASE, "INSERT INTO orders (product_id, quantity) SELECT 1 + g % " + PRODUCTS + ", 1 + g % 4 FROM generate_series(1, "
                    + ORDERS + ") g");
            Path backups = lab.work().resolve("backups");
            Seed001Lab.deleteTree(backups);
            Files.createDirectories(backups);
            Path dump = backups.resolve("shop-nightly.dump");
            RunReport r = Rollback.runner().run(Rollback.plan("nightly-backup").capture(pg.postgres(DATABASE).dump(dump)).build());
            if (!r.isSuccess()) {
                throw new IllegalStateException("the lab's nightly dump failed: " + r.failure().message());
            }
            // the deployment's Prisma migration: destructive, not reversible by a migration rollback
            pg.execute(DATABASE, "ALTER TABLE products DROP COLUMN price; DELETE FROM orders WHERE id > " + ORDERS_AFTER_BAD_MIGRATION);
            Path keep = Files.createDirectories(lab.work().resolve("rollback-dumps"));
            Seed001Lab.deleteTree(keep);
            Files.createDirectories(keep);

            Path remote = lab.work().resolve("origin.git");
            Seed001Lab.deleteTree(remote);
            Path deploy = lab.deployDirectory();
            Seed001Lab.deleteTree(deploy);
            Files.createDirectories(deploy);
            String[] commits = repository(deploy, remote);

            Files.writeString(lab.envFile(), "NODE_ENV=production\nDATABASE_URL=\"" + pg.databaseUrl(DATABASE) + "\"\n");
            String key = StandIns.systemd(UNIT);
            String health = lab.healthUrl(key);
            if (!lab.standIns().isRunning(key)) {
                lab.runTool("systemctl", "start", UNIT);
            }
            Lab.awaitAnswering(health);
            return new Setup(dump, keep, remote, commits[0], commits[1], health, lab.standIns().binDirectory().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set up the lab's PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static String[] repository(Path dir, Path remote) throws IOException {
        try (Git bare = Git.init().setBare(true).setDirectory(remote.toFile()).setInitialBranch("main").call();
             Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            PersonIdent who = new PersonIdent("Release Bot", "release@example.com");
            Files.writeString(dir.resolve("VERSION"), "v2.3.0\n");
            Files.createDirectories(dir.resolve("prisma"));
            Files.writeString(dir.resolve("prisma/schema.prisma"), "model Product {\n  id    Int     @id\n  name  String\n  price Decimal\n}\n");
            git.add().addFilepattern(".").call();
            RevCommit good = git.commit().setMessage("Release v2.3.0").setAuthor(who).setCommitter(who).call();
            Files.writeString(dir.resolve("VERSION"), "v2.4.0\n");
            Files.writeString(dir.resolve("prisma/schema.prisma"), "model Product {\n  id    Int     @id\n  name  String\n}\n");
            Files.createDirectories(dir.resolve("prisma/migrations/20261124_drop_price"));
            Files.writeString(dir.resolve("prisma/migrations/20261124_drop_price/migration.sql"), "ALTER TABLE products DROP COLUMN price;\n");
            git.add().addFilepattern(".").call();
            RevCommit deploy = git.commit().setMessage("Release v2.4.0: pricing moves to the pricing service").setAuthor(who).setCommitter(who).call();
            git.remoteAdd().setName("origin").setUri(new URIish(remote.toUri().toString())).call();
            git.push().setRemote("origin").add("main").call();
            return new String[] {good.getName(), deploy.getName()};
        } catch (GitAPIException | URISyntaxException e) {
            throw new IllegalStateException("Could not create the lab repositories: " + e.getMessage(), e);
        }
    }
}
