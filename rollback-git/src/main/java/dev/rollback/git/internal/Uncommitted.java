package dev.rollback.git.internal;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.StatusCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.WorkingTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paths with uncommitted changes, as {@code git status} finds them, fast: the index is compared
 * with HEAD's tree (skipping equal folders through the index's cache tree), and each tracked file's
 * size, modification time and mode with what the index recorded, as git does, without JGit walking
 * and comparing all 10,000 files of a large tree. Every path whose stat data does not settle the
 * question (a file touched but maybe unchanged, an entry written in the same instant as the index,
 * a submodule, a symbolic link, a size that a line-ending filter may explain) is compared by content
 * with JGit's working-tree iterator, restricted to those paths, so line endings and filters are
 * honoured exactly. Untracked files are found by listing the
 * folders that hold tracked files and asking JGit's status about every name the index does not know,
 * which applies the ignore rules and never descends into an ignored folder.
 */
public final class Uncommitted {
    // More paths than this and one walk of everything is cheaper than a filter of so many paths.
    private static final int MAX_PATHS = 2_000;
    // Fewer entries than this are stat'ed on one thread: starting others costs more than it saves.
    private static final int PARALLEL_FROM = 2_000;
    // Entries a thread stats at a time.
    private static final int STAT_CHUNK = 250;

    private Uncommitted() {
    }

    /**
     * @param git              the repository
     * @param includeUntracked whether untracked files that are not ignored count
     * @return the paths with uncommitted changes, sorted
     * @throws IOException     when the repository cannot be read
     * @throws GitAPIException when JGit's status fails
     */
    public static List<String> paths(Git git, boolean includeUntracked) throws IOException, GitAPIException {
        return paths(git, git.getRepository().readDirCache(), includeUntracked);
    }

    /**
     * Like {@link #paths(Git, boolean)}, on an index the caller has read (and locked, to write it next).
     *
     * @param git              the repository
     * @param dc               its index
     * @param includeUntracked whether untracked files that are not ignored count
     * @return the paths with uncommitted changes, sorted
     * @throws IOException     when the repository cannot be read
     * @throws GitAPIException when JGit's status fails
     */
    public static List<String> paths(Git git, DirCache dc, boolean includeUntracked) throws IOException, GitAPIException {
        Repository repo = git.getRepository();
        Set<String> dirty = new TreeSet<>();
        Set<String> doubtful = new TreeSet<>();
        stagedChanges(repo, dc, dirty);
        Path work = repo.getWorkTree().toPath();
        boolean fileMode = repo.getConfig().getBoolean(ConfigConstants.CONFIG_CORE_SECTION, ConfigConstants.CONFIG_KEY_FILEMODE, true);
        Instant indexTime = Files.getLastModifiedTime(repo.getIndexFile().toPath()).toInstant();
        Duration resolution = FS.getFileStoreAttributes(repo.getIndexFile().toPath().getParent()).getFsTimestampResolution();
        // stat every tracked file, as git's preloaded index does, on all cores: the time is in lstat, not in Java
        Set<String> statDirty = ConcurrentHashMap.newKeySet();
        Set<String> statDoubtful = ConcurrentHashMap.newKeySet();
        // each entry's path decoded once, here, for the stat and for the untracked names below
        String[] paths = new String[dc.getEntryCount()];
        Chunks.run(paths.length, STAT_CHUNK, PARALLEL_FROM, (from, to) -> {
            for (int i = from; i < to; i++) {
                DirCacheEntry e = dc.getEntry(i);
                String path = e.getPathString();
                paths[i] = path;
                if (e.getStage() != DirCacheEntry.STAGE_0 || e.isIntentToAdd()) {
                    statDirty.add(path);
                } else if (!e.isAssumeValid() && !e.isSkipWorkTree()) {
                    compare(work, e, path, fileMode, indexTime, resolution, statDirty, statDoubtful);
                }
            }
        });
        dirty.addAll(statDirty);
        doubtful.addAll(statDoubtful);
        if (!doubtful.isEmpty()) {
            byContent(repo, dc, doubtful, dirty);
        }
        List<String> untrackedCandidates = includeUntracked ? untrackedCandidates(work, paths) : List.of();
        if (!untrackedCandidates.isEmpty()) {
            // JGit's status on just these names applies the ignore rules and never descends into an ignored folder
            StatusCommand status = git.status();
            if (untrackedCandidates.size() <= MAX_PATHS) {
                untrackedCandidates.forEach(status::addPath);
            }
            dirty.addAll(status.call().getUntracked());
        }
        return new ArrayList<>(dirty);
    }

    /**
     * The doubtful paths, settled by content as JGit's checkout and status compare it (line endings, filters,
     * link targets, submodule HEADs), always by content: a racily clean entry may hide a change of the
     * same size and time, which git finds and a stat comparison cannot.
     */
    private static void byContent(Repository repo, DirCache dc, Set<String> doubtful, Set<String> dirty) throws IOException {
        try (TreeWalk walk = new TreeWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            int index = walk.addTree(new DirCacheIterator(dc));
            int work = walk.addTree(new FileTreeIterator(repo));
            walk.setRecursive(true);
            if (doubtful.size() <= MAX_PATHS) {
                walk.setFilter(PathFilterGroup.createFromStrings(doubtful));
            }
            while (walk.next()) {
                String path = walk.getPathString();
                if (!doubtful.contains(path)) {
                    continue;
                }
                DirCacheIterator i = walk.getTree(index, DirCacheIterator.class);
                WorkingTreeIterator w = walk.getTree(work, WorkingTreeIterator.class);
                if (i == null) {
                    continue;
                }
                // isModified settles mode and size; the content id (after line-ending and clean filters) settles the rest,
                // also where JGit would trust equal times that git does not (a racily clean entry)
                if (w == null || w.isModified(i.getDirCacheEntry(), true, reader)
                        || !w.getEntryObjectId().equals(i.getDirCacheEntry().getObjectId())) {
                    dirty.add(path);
                }
            }
        }
    }

    /** Index against HEAD: added, changed and removed paths. */
    private static void stagedChanges(Repository repo, DirCache dc, Set<String> dirty) throws IOException {
        ObjectId head = repo.resolve(Constants.HEAD + "^{tree}");
        try (TreeWalk walk = new TreeWalk(repo); RevWalk rw = new RevWalk(repo)) {
            if (head == null) {
                walk.addTree(new EmptyTreeIterator());
            } else {
                walk.addTree(rw.parseTree(head));
            }
            walk.addTree(new DirCacheIterator(dc));
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                dirty.add(walk.getPathString());
            }
        }
    }

    /** Stat data against the index entry, as git's ie_match_stat: settled when it matches or a size differs. */
    private static void compare(Path work, DirCacheEntry e, String path, boolean fileMode, Instant indexTime, Duration resolution,
                                Set<String> dirty, Set<String> doubtful) {
        FileMode mode = e.getFileMode();
        if (mode == FileMode.GITLINK || mode == FileMode.SYMLINK) {
            doubtful.add(path);
            return;
        }
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(work.resolve(path), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException ex) {
            dirty.add(path);   // missing, or a folder where a file was: git says deleted
            return;
        }
        if (!a.isRegularFile()) {
            doubtful.add(path);
            return;
        }
        if (fileMode && a.permissions().contains(PosixFilePermission.OWNER_EXECUTE) != (mode == FileMode.EXECUTABLE_FILE)) {
            dirty.add(path);
            return;
        }
        if (e.isSmudged() || a.size() != e.getLength()) {
            // a different size is a change unless a filter or line-ending conversion is at work: JGit decides
            doubtful.add(path);
            return;
        }
        Instant modified = a.lastModifiedTime().toInstant();
        if (!modified.equals(e.getLastModifiedInstant()) || !modified.plus(resolution).isBefore(indexTime)) {
            doubtful.add(path);   // touched, or racily clean: only the content can tell
        }
    }

    /**
     * Every name in a folder that holds tracked files that is neither a tracked file nor a folder of tracked files,
     * from the index's paths in its order.
     * Folders are listed with {@code File.list()}, names only: a tenth of the time a {@code DirectoryStream} of
     * {@code Path}s takes on 10,000 files.
     */
    private static List<String> untrackedCandidates(Path work, String[] paths) {
        // what the index holds in each folder ("" is the top), from its sorted entries
        Map<String, Set<String>> children = new HashMap<>();
        children.put("", new HashSet<>());
        Set<String> registered = new HashSet<>();
        String lastFolder = null;
        for (String path : paths) {
            int slash = path.lastIndexOf('/');
            String folder = slash < 0 ? "" : path.substring(0, slash);
            if (!folder.equals(lastFolder)) {
                for (String f = folder; !f.isEmpty() && registered.add(f); ) {   // the folder and its parents, each once
                    int up = f.lastIndexOf('/');
                    String parent = up < 0 ? "" : f.substring(0, up);
                    children.computeIfAbsent(f, k -> new HashSet<>());
                    children.computeIfAbsent(parent, k -> new HashSet<>()).add(f.substring(up + 1));
                    f = parent;
                }
                lastFolder = folder;
            }
            children.get(folder).add(path.substring(slash + 1));
        }
        List<String> candidates = new ArrayList<>();
        File top = work.toFile();
        for (Map.Entry<String, Set<String>> folder : children.entrySet()) {
            String[] names = folder.getKey().isEmpty() ? top.list() : new File(top, folder.getKey()).list();
            if (names == null) {
                continue;   // a tracked folder that is gone or is a file now: its tracked files are reported missing
            }
            for (String name : names) {
                if (!folder.getValue().contains(name) && !(folder.getKey().isEmpty() && name.equals(Constants.DOT_GIT))) {
                    candidates.add(folder.getKey().isEmpty() ? name : folder.getKey() + "/" + name);
                }
            }
        }
        return candidates;
    }
}
