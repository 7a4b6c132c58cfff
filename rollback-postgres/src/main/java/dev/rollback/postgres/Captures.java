package dev.rollback.postgres;

import dev.rollback.core.StepContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Captures are taken once per run: a dump, an export or a snapshot that finished is remembered in
 * the step's memory, and a later attempt or resume keeps it rather than taking it again, since by
 * then a destructive step of the run may have changed the database and the capture would hold the
 * rollback's data instead of the data before it.
 */
final class Captures {
    private static final Logger LOG = LoggerFactory.getLogger(Captures.class);

    private Captures() {
    }

    /**
     * @param ctx  the step's context
     * @param key  the memory key under which the step remembered what it finished (a path or a database)
     * @param what "dump", "export", "snapshot"
     * @param file whether what it remembered is a file, which must still exist
     * @return whether this run already took it, saying so as progress
     */
    static boolean alreadyTaken(StepContext ctx, String key, String what, boolean file) {
        String done = ctx.recall(key).orElse(null);
        if (done == null) {
            return false;
        }
        if (file && !Files.exists(Path.of(done))) {
            LOG.warn("The {} {} this run took earlier is gone; it is not taken again", what, done);
            ctx.progress("WARNING: the " + what + " " + done + " this run took earlier is gone; it is not taken again, because this run "
                    + "may already have changed the database and a new " + what + " would not show the data before the rollback");
            return true;
        }
        ctx.progress("keeping the " + what + " " + done + " this run took earlier: a capture is taken once per run, so a resume never "
                + "replaces the data before the rollback with data the rollback changed");
        return true;
    }
}
