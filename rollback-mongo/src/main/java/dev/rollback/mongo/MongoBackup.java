package dev.rollback.mongo;

import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.Step;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Backup discovery: the newest backup folder under a root, as the seed's
 * {@code ls -td /backups/production-*}{@code /| head -1} does, published as a step output so that
 * a resumed run uses the same backup.
 *
 * <pre>{@code
 * MongoBackup.Latest backup = MongoBackup.in(Path.of("/backups"))
 *     .matching("production-*")                 // glob on the folder name
 *     .databaseFolder("mongodb-backup/nextcrm")   // the database folder inside each backup
 *     .latest();
 * plan.precheck(backup.collectionsAtLeast(26))    // chooses the backup and publishes mongo.backup.path
 *     .restore(Mongo.at(uri).database("nextcrm").restoreFrom(backup));
 * }</pre>
 */
public final class MongoBackup {
    /** The default output key under which the chosen backup's database folder is published. */
    public static final String DEFAULT_OUTPUT_KEY = "mongo.backup.path";

    private final Path root;
    private final String glob;
    private final String databaseFolder;
    private final String outputKey;

    private MongoBackup(Path root, String glob, String databaseFolder, String outputKey) {
        this.root = root;
        this.glob = glob;
        this.databaseFolder = databaseFolder;
        this.outputKey = outputKey;
    }

    /**
     * Backups kept as folders under a root.
     *
     * @param root the folder holding one folder per backup
     * @return the finder; by default every folder matches and the database folder is the backup folder
     */
    public static MongoBackup in(Path root) {
        return new MongoBackup(Objects.requireNonNull(root, "root"), "*", "", DEFAULT_OUTPUT_KEY);
    }

    /**
     * A fixed database folder of a backup.
     *
     * @param databaseFolder the folder holding the {@code .bson} files
     * @return the source
     */
    public static BackupSource at(Path databaseFolder) {
        Objects.requireNonNull(databaseFolder, "databaseFolder");
        return new BackupSource() {
            @Override
            public Path resolve(StepContext context) {
                return databaseFolder;
            }

            @Override
            public String description() {
                return databaseFolder.toString();
            }
        };
    }

    /**
     * A backup chosen by an earlier step of this run and published under {@code key}.
     *
     * @param key the output key
     * @return the source
     */
    public static BackupSource fromOutput(String key) {
        Objects.requireNonNull(key, "key");
        return new BackupSource() {
            @Override
            public Path resolve(StepContext context) {
                return Path.of(context.requireOutput(key));
            }

            @Override
            public String description() {
                return "output " + key;
            }
        };
    }

    /**
     * @param glob a glob on backup folder names, such as {@code production-*}
     * @return a copy with the pattern
     */
    public MongoBackup matching(String glob) {
        Objects.requireNonNull(glob, "glob");
        FileSystems.getDefault().getPathMatcher("glob:" + glob);
        return new MongoBackup(root, glob, databaseFolder, outputKey);
    }

    /**
     * @param relative the database folder inside each backup folder, such as {@code mongodb-backup/nextcrm}
     * @return a copy with the sub-path
     */
    public MongoBackup databaseFolder(String relative) {
        Objects.requireNonNull(relative, "relative");
        if (Path.of(relative).isAbsolute() || relative.contains("..")) {
            throw new IllegalArgumentException("databaseFolder must be a relative path inside the backup folder, was " + relative);
        }
        return new MongoBackup(root, glob, relative, outputKey);
    }

    /**
     * @param key the output key to publish the chosen folder under
     * @return a copy with the key
     */
    public MongoBackup outputKey(String key) {
        Objects.requireNonNull(key, "key");
        return new MongoBackup(root, glob, databaseFolder, key);
    }

    /** @return the newest matching backup: a step that publishes it, and a source for restores and checks */
    public Latest latest() {
        return new Latest(this);
    }

    /**
     * Finds the newest matching backup folder now, without publishing anything.
     *
     * @return its database folder
     * @throws BackupNotFoundException when the root is missing or no folder matches
     */
    public Path findLatest() {
        if (!Files.isDirectory(root)) {
            throw new BackupNotFoundException("Backup root " + root + " does not exist or is not a folder. Nothing was changed. "
                    + "Fix: check the path and that the backup volume is mounted.");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<Path> candidates;
        try (Stream<Path> s = Files.list(root)) {
            candidates = s.filter(Files::isDirectory).filter(p -> matcher.matches(p.getFileName()))
                    .sorted(Comparator.comparing(MongoBackup::modified).thenComparing(Path::getFileName).reversed())
                    .toList();
        } catch (IOException e) {
            throw new BackupNotFoundException("Backup root " + root + " cannot be listed: " + e.getMessage() + ". Fix: check its permissions.");
        }
        if (candidates.isEmpty()) {
            throw new BackupNotFoundException("No backup folder matching '" + glob + "' in " + root + ". Nothing was changed. "
                    + "Fix: check the pattern, or that the backup job ran.");
        }
        Path chosen = databaseFolder.isEmpty() ? candidates.get(0) : candidates.get(0).resolve(databaseFolder);
        if (!Files.isDirectory(chosen)) {
            throw new BackupNotFoundException("The newest backup " + candidates.get(0) + " has no database folder " + databaseFolder
                    + ". Nothing was changed. Fix: check databaseFolder(...), or restore an older backup with MongoBackup.at(path).");
        }
        return chosen.toAbsolutePath().normalize();
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    String describe() {
        return "newest folder matching '" + glob + "' in " + root + (databaseFolder.isEmpty() ? "" : ", database folder " + databaseFolder);
    }

    /**
     * The newest backup: as a step, it chooses the folder and publishes it; as a source, it uses
     * the published folder, choosing (and publishing) it first if no step has yet.
     */
    public static final class Latest implements Step, BackupSource {
        private final MongoBackup finder;

        private Latest(MongoBackup finder) {
            this.finder = finder;
        }

        /** @return the output key the chosen folder is published under */
        public String outputKey() {
            return finder.outputKey;
        }

        @Override
        public String name() {
            return "find latest MongoDB backup";
        }

        @Override
        public void execute(StepContext context) {
            Path chosen = resolve(context);
            context.progress("using backup " + chosen);
        }

        @Override
        public Path resolve(StepContext context) {
            return context.output(finder.outputKey).map(Path::of).orElseGet(() -> {
                Path chosen = finder.findLatest();
                context.output(finder.outputKey, chosen.toString());
                return chosen;
            });
        }

        @Override
        public String description() {
            return finder.describe();
        }

        @Override
        public StepDescription describe() {
            return StepDescription.of("find the " + finder.describe()).param("output", finder.outputKey);
        }
    }
}
