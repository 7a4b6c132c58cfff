package dev.rollback.postgres.internal;

import dev.rollback.core.StepContext;
import dev.rollback.postgres.PgToolException;
import dev.rollback.process.Command;
import dev.rollback.process.CommandResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rollback.postgres.PostgresOperationException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds and runs pg_dump / pg_restore / psql command lines for an endpoint. The password goes
 * into {@code PGPASSWORD} in the child's environment, never into the argument list.
 */
public final class PgCommands {
    private static final Logger LOG = LoggerFactory.getLogger(PgCommands.class);

    private PgCommands() {
    }

    /**
     * @param ep the endpoint
     * @param db the database to connect to
     * @return {@code -h host -p port [-U user] -w -d dbname='...'}
     */
    public static List<String> connectionArgs(PgEndpoint ep, String db) {
        List<String> a = new ArrayList<>(List.of("-h", ep.info().host(), "-p", ep.info().port()));
        if (ep.info().user() != null) {
            a.add("-U");
            a.add(ep.info().user());
        }
        a.add("-w");
        a.add("-d");
        a.add(conninfoDbname(db));
        return a;
    }

    /**
     * A database name as a libpq connection string, so that names with spaces, quotes or an
     * {@code =} are never taken for something else.
     *
     * @param db the name
     * @return {@code dbname='...'}
     */
    public static String conninfoDbname(String db) {
        return "dbname='" + db.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * Resolves a tool for the endpoint's server.
     *
     * @param ep   the endpoint
     * @param name tool name
     * @return the tool
     */
    public static PgTools.Tool tool(PgEndpoint ep, String name) {
        int num = ep.serverVersionNum();
        int major = num / 10000;
        return PgTools.resolve(name, ep.toolDirectory(), major, major + "." + (num % 10000));
    }

    /**
     * Runs a tool and fails with its stderr when it exits non-zero.
     *
     * @param ep        the endpoint (for the password)
     * @param argv      the full argument list, tool path first
     * @param ctx       the step's context for progress, or null
     * @param what      what was being done, for the message
     * @param stateLeft the state left behind on failure, for the message
     * @return the result
     */
    public static CommandResult runOrFail(PgEndpoint ep, List<String> argv, StepContext ctx, String what, String stateLeft) {
        CommandResult r = run(ep, argv, ctx);
        if (r.exitCode() != 0) {
            throw new PgToolException(what + " failed: " + Path.of(argv.get(0)).getFileName() + " exited with " + r.exitCode() + ": "
                    + tail(r.stderrText()) + ". " + stateLeft);
        }
        return r;
    }

    /**
     * Runs a tool with the password in {@code PGPASSWORD} (never in argv).
     *
     * @param ep   the endpoint (for the password)
     * @param argv the full argument list
     * @param ctx  the step's context for progress, or null
     * @return the result, whatever the exit code
     */
    public static CommandResult run(PgEndpoint ep, List<String> argv, StepContext ctx) {
        Command cmd = Command.of(argv).env("PGCONNECT_TIMEOUT", "10").keepLines(400);
        Path passDir = null;
        if (ep.info().password() != null && ep.passwordFile()) {
            passDir = writePassFile(ep);
            cmd = cmd.env("PGPASSFILE", passDir.resolve("pgpass").toString());
        } else if (ep.info().password() != null) {
            cmd = cmd.env("PGPASSWORD", ep.info().password());
        }
        String ssl = ep.info().params().get("sslmode");
        if (ssl != null) {
            cmd = cmd.env("PGSSLMODE", ssl);
        }
        try {
            return cmd.runAnyExit(ctx);
        } finally {
            if (passDir != null) {
                deletePassFile(passDir);
            }
        }
    }

    private static Path writePassFile(PgEndpoint ep) {
        try {
            Path dir = Files.createTempDirectory("rollback-pgpass", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = Files.createFile(dir.resolve("pgpass"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String user = ep.info().user() == null ? "*" : pgpassEscape(ep.info().user());
            Files.writeString(file, "*:*:*:" + user + ":" + pgpassEscape(ep.info().password().reveal()) + "\n", StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new PostgresOperationException("Cannot write a temporary 0600 password file for the PostgreSQL tools: " + e
                    + ". Nothing was run. Check the temporary directory (java.io.tmpdir), or use PGPASSWORD (the default).", e);
        }
    }

    private static String pgpassEscape(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static void deletePassFile(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve("pgpass"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary password file in {}: {}; delete it by hand", dir, e.toString());
        }
    }

    /**
     * @param stderr a tool's stderr
     * @return its last lines, trimmed
     */
    public static String tail(String stderr) {
        String s = stderr.strip();
        if (s.length() > 2000) {
            s = "..." + s.substring(s.length() - 2000);
        }
        return s.isEmpty() ? "(no output)" : s;
    }
}
