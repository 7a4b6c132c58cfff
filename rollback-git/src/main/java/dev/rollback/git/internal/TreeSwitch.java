package dev.rollback.git.internal;

import org.eclipse.jgit.dircache.Checkout;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout.CheckoutMetadata;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.CoreConfig.EolStreamType;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Moves the index and the working tree from one tree to another, touching only the paths that differ
 * between the two: what {@code git read-tree -m -u} does for a clean working tree. The caller has
 * checked that the working tree and the index hold the {@code from} tree (no uncommitted change), so
 * every other path is already right and need not be looked at: a revert of one commit in a
 * 10,000-file repository writes the handful of files the commit touched, not a walk of all 10,000.
 * Files, executable bits, symbolic links, submodule folders, line endings and smudge filters are
 * written as JGit's own checkout writes them ({@link Checkout}).
 */
public final class TreeSwitch {
    /** One path that differs between the two trees. */
    private record Change(String path, FileMode oldMode, FileMode newMode, ObjectId newId, CheckoutMetadata metadata) {
        boolean added() {
            return oldMode == FileMode.MISSING;
        }

        boolean removed() {
            return newMode == FileMode.MISSING;
        }
    }

    // Fewer plain files than this are written on one thread.
    private static final int PARALLEL_FROM = 64;
    // Files a thread writes at a time (with an object reader of its own).
    private static final int WRITE_CHUNK = 16;

    private TreeSwitch() {
    }

    /**
     * The paths that differ between two trees, with what each becomes.
     */
    private static List<Change> changes(Repository repo, ObjectReader reader, RevTree from, RevTree to) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(repo, reader)) {
            walk.setOperationType(TreeWalk.OperationType.CHECKOUT_OP);
            walk.addTree(from);
            walk.addTree(to);
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                FileMode newMode = walk.getFileMode(1);
                CheckoutMetadata md = newMode == FileMode.MISSING ? null
                        : new CheckoutMetadata(walk.getCheckoutEolStreamType(1), walk.getSmudgeCommand(walk.getAttributes(1)));
                changes.add(new Change(walk.getPathString(), walk.getFileMode(0), newMode, walk.getObjectId(1), md));
            }
        }
        return changes;
    }

    /**
     * The untracked files in the way of paths the switch would create: a file where the target tree has
     * a new file, which the switch would overwrite.
     *
     * @param repo the repository
     * @param from the tree the working tree holds
     * @param to   the tree to switch to
     * @return the paths in the way, empty when none
     * @throws IOException when the trees cannot be read
     */
    public static List<String> inTheWay(Repository repo, RevTree from, RevTree to) throws IOException {
        try (ObjectReader reader = repo.newObjectReader()) {
            return inTheWay(repo, changes(repo, reader, from, to));
        }
    }

    private static List<String> inTheWay(Repository repo, List<Change> changes) throws IOException {
        List<String> conflicts = new ArrayList<>();
        Path work = repo.getWorkTree().toPath();
        Set<String> removed = new HashSet<>();
        for (Change c : changes) {
            if (c.removed()) {
                removed.add(c.path());
            }
        }
        for (Change c : changes) {
            if (!c.added()) {
                continue;
            }
            Path target = work.resolve(c.path());
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                // a folder gives way to a file when everything in it is a tracked file the switch removes
                try (Stream<Path> s = Files.walk(target)) {
                    if (s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                            .anyMatch(p -> !removed.contains(work.relativize(p).toString().replace('\\', '/')))) {
                        conflicts.add(c.path());
                    }
                }
            } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                conflicts.add(c.path());
            } else {
                // a file where the new path needs a folder, and the switch does not remove it
                for (int slash = c.path().indexOf('/'); slash > 0; slash = c.path().indexOf('/', slash + 1)) {
                    String parent = c.path().substring(0, slash);
                    Path p = work.resolve(parent);
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                            && !removed.contains(parent)) {
                        conflicts.add(parent);
                        break;
                    }
                }
            }
        }
        return conflicts;
    }

    /**
     * Switches index and working tree from {@code from} to {@code to}.
     *
     * @param repo              the repository
     * @param from              the tree the index and the working tree hold now
     * @param to                the tree they should hold
     * @param refuseInTheWay    whether an untracked file where {@code to} adds one is refused (a revert) or
     *                          overwritten (a hard reset, as {@code git reset --hard} does)
     * @return the paths written or removed
     * @throws InTheWayException when refused; nothing was changed then
     * @throws IOException       when the index is locked, or a file cannot be written
     */
    public static int switchTrees(Repository repo, RevTree from, RevTree to, boolean refuseInTheWay) throws IOException {
        return switchTrees(repo, repo.lockDirCache(), from, to, refuseInTheWay);
    }

    /**
     * Like {@link #switchTrees(Repository, RevTree, RevTree, boolean)}, on an index the caller locked and read
     * (one read for the dirty check and the switch); unlocked when done.
     *
     * @param repo           the repository
     * @param dc             its index, locked
     * @param from           the tree the index and the working tree hold now
     * @param to             the tree they should hold
     * @param refuseInTheWay whether an untracked file where {@code to} adds one is refused
     * @return the paths written or removed
     * @throws IOException when refused, or a file or the index cannot be written
     */
    public static int switchTrees(Repository repo, DirCache dc, RevTree from, RevTree to, boolean refuseInTheWay) throws IOException {
        try (ObjectReader reader = repo.newObjectReader()) {
            List<Change> changes = changes(repo, reader, from, to);
            if (refuseInTheWay) {
                List<String> conflicts = inTheWay(repo, changes);
                if (!conflicts.isEmpty()) {
                    throw new InTheWayException(conflicts);
                }
            }
            Path work = repo.getWorkTree().toPath();
            Checkout checkout = new Checkout(repo).setRecursiveDeletion(false);
            DirCacheEditor editor = dc.editor();
            // removals first: a file may give way to a folder of the same name, and the other way round
            for (Change c : changes) {
                if (c.removed() || !c.added() && kind(c.oldMode()) != kind(c.newMode())) {
                    delete(work, c.path(), c.oldMode);
                    if (c.removed()) {
                        editor.add(new DirCacheEditor.DeletePath(c.path()));
                    }
                }
            }
            List<Change> plain = new ArrayList<>();
            Map<Change, DirCacheEntry> entries = new LinkedHashMap<>();
            for (Change c : changes) {
                if (c.removed()) {
                    continue;
                }
                DirCacheEntry entry = new DirCacheEntry(c.path());
                entry.setFileMode(c.newMode());
                entry.setObjectId(c.newId());
                entries.put(c, entry);
                if (c.newMode() == FileMode.GITLINK) {
                    checkout.checkoutGitlink(entry, c.path());
                } else if (plain(c)) {
                    plain.add(c);
                } else {   // a link, a line-ending conversion or a smudge filter: JGit's checkout, which knows them all
                    checkout.checkout(entry, c.metadata(), reader, c.path());
                }
            }
            writePlain(repo, work, plain, entries);
            for (DirCacheEntry entry : entries.values()) {
                editor.add(new DirCacheEditor.PathEdit(entry) {
                    @Override
                    public void apply(DirCacheEntry ent) {
                        ent.copyMetaData(entry);
                    }
                });
            }
            editor.finish();
            notSmudged(repo);
            dc.write();
            if (!dc.commit()) {
                throw new IOException("could not write the index " + repo.getIndexFile() + " (another git process holds index.lock)");
            }
            return changes.size();
        } finally {
            dc.unlock();
        }
    }

    /**
     * Dates the index's lock file now, after the files were written. JGit marks every entry modified after the lock
     * file's time as "racily clean" (size 0: compared by content by the next status, JGit's or git's), and the lock
     * was taken before the files were written: without this, every file written in the same second (729 of the
     * 1,000 of a reset by 100 commits) is read back and hashed by the next step. An entry written in the same
     * instant as the index itself is still racily clean to every reader (git, JGit, {@link Uncommitted}), which
     * compare it by content, as git does.
     */
    private static void notSmudged(Repository repo) throws IOException {
        File index = repo.getIndexFile();
        Files.setLastModifiedTime(new File(index.getParentFile(), index.getName() + ".lock").toPath(), FileTime.from(Instant.now()));
    }

    /** A file whose blob goes to disk byte for byte: most files of most repositories. */
    private static boolean plain(Change c) {
        return (c.newMode() == FileMode.REGULAR_FILE || c.newMode() == FileMode.EXECUTABLE_FILE)
                && c.metadata().eolStreamType == EolStreamType.DIRECT && c.metadata().smudgeFilterCommand == null;
    }

    /**
     * Writes plain files, on all cores when there are many (a reset by 100 commits writes 1,000): the time is in
     * inflating blobs and in the file system, and each thread reads objects with a reader of its own.
     */
    private static void writePlain(Repository repo, Path work, List<Change> plain, Map<Change, DirCacheEntry> entries) throws IOException {
        Chunks.run(plain.size(), WRITE_CHUNK, PARALLEL_FROM, (from, to) -> {
            try (ObjectReader reader = repo.newObjectReader()) {
                for (Change c : plain.subList(from, to)) {
                    writePlain(work, c, entries.get(c), reader);
                }
            }
        });
    }

    /**
     * Writes a blob as {@code git checkout} does: the old file unlinked and a new one created (a process that has
     * the old one open keeps reading it), mode 0666 or 0777 less the umask, then the index entry gets its stat data.
     */
    private static void writePlain(Path work, Change c, DirCacheEntry entry, ObjectReader reader) throws IOException {
        Path f = work.resolve(c.path());
        Files.deleteIfExists(f);   // the old version, or an ignored file a hard reset overwrites as git does
        OutputStream out;
        try {
            out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(f.getParent());
            out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        try (OutputStream o = out) {
            reader.open(c.newId(), Constants.OBJ_BLOB).copyTo(o);
        }
        if (c.newMode() == FileMode.EXECUTABLE_FILE) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(f));
            if (perms.contains(PosixFilePermission.OWNER_READ)) {
                perms.add(PosixFilePermission.OWNER_EXECUTE);
            }
            if (perms.contains(PosixFilePermission.GROUP_READ)) {
                perms.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            Files.setPosixFilePermissions(f, perms);
        }
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        entry.setLength(a.size());
        entry.setLastModified(a.lastModifiedTime().toInstant());
    }

    /** Regular and executable files are one kind (a mode change rewrites the file); links and submodules are others. */
    private static int kind(FileMode mode) {
        if (mode == FileMode.SYMLINK) {
            return 1;
        }
        return mode == FileMode.GITLINK ? 2 : 0;
    }

    private static void delete(Path work, String path, FileMode mode) throws IOException {
        Path f = work.resolve(path);
        if (mode == FileMode.GITLINK) {
            try {
                Files.deleteIfExists(f);   // an empty submodule folder; a populated one stays
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        } else {
            Files.deleteIfExists(f);
        }
        // folders left empty go too, as git removes them
        for (Path dir = f.getParent(); dir != null && !dir.equals(work); dir = dir.getParent()) {
            try (var s = Files.newDirectoryStream(dir)) {
                if (s.iterator().hasNext()) {
                    break;
                }
            }
            Files.delete(dir);
        }
    }

    /** Untracked files are where the switch would write; nothing was changed. */
    public static final class InTheWayException extends IOException {
        private static final long serialVersionUID = 1L;
        private final List<String> paths;

        InTheWayException(List<String> paths) {
            super("untracked files are in the way: " + String.join(", ", paths.subList(0, Math.min(10, paths.size())))
                    + (paths.size() > 10 ? " and " + (paths.size() - 10) + " more" : ""));
            this.paths = List.copyOf(paths);
        }

        /** @return the paths in the way */
        public List<String> paths() {
            return paths;
        }
    }
}
