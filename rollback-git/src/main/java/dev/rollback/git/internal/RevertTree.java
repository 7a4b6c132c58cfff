package dev.rollback.git.internal;

import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tree of a revert when no content merge is needed, built by rewriting only the trees on the
 * paths the reverted commit changed: for each such path, HEAD still holds what the commit made of it
 * (so the revert puts back what was there before), or HEAD already holds that older version. This is
 * what a three-way merge concludes for those paths, without a merge walking all 10,000 entries of a
 * large tree. When any path was changed again since the commit, {@link #of} answers null and the
 * caller merges (JGit's {@code ResolveMerger}), which also finds the conflicts.
 */
public final class RevertTree {
    /** What a path becomes: a mode and an object, or nothing (removed). */
    private record Entry(FileMode mode, ObjectId id) {
    }

    private RevertTree() {
    }

    /**
     * @param repo   the repository
     * @param ins    where new tree objects go (flushed by the caller)
     * @param head   the tree the revert applies to (the tip so far)
     * @param commit the reverted commit's tree
     * @param parent the tree of the parent whose side is kept
     * @return the result tree, or null when a content merge is needed
     * @throws IOException when objects cannot be read or written
     */
    public static ObjectId of(Repository repo, ObjectInserter ins, RevTree head, RevTree commit, RevTree parent) throws IOException {
        Map<String, Entry> base = new LinkedHashMap<>();
        Map<String, Entry> wanted = new LinkedHashMap<>();
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(commit);
            walk.addTree(parent);
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                base.put(walk.getPathString(), entry(walk, 0));
                wanted.put(walk.getPathString(), entry(walk, 1));
            }
        }
        if (base.isEmpty()) {
            return head;
        }
        Map<String, Entry> ours = new HashMap<>();
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(head);
            walk.setRecursive(false);
            walk.setFilter(PathFilterGroup.createFromStrings(base.keySet()));
            while (walk.next()) {
                if (walk.isSubtree()) {
                    if (base.containsKey(walk.getPathString())) {
                        return null;   // a folder now where the commit had a file: a real merge decides
                    }
                    walk.enterSubtree();
                    continue;
                }
                ours.put(walk.getPathString(), entry(walk, 0));
            }
        }
        TreeMap<String, Entry> edits = new TreeMap<>();
        for (Map.Entry<String, Entry> e : base.entrySet()) {
            Entry now = ours.get(e.getKey());
            Entry theirs = wanted.get(e.getKey());
            if (same(now, e.getValue())) {
                edits.put(e.getKey(), theirs);     // untouched since the commit: put back what was before it
            } else if (!same(now, theirs)) {
                return null;                       // changed again since: a content merge, or a conflict
            }
        }
        try (ObjectReader reader = repo.newObjectReader()) {
            ObjectId result = rewrite(reader, ins, head, edits);
            return result == null ? ins.insert(new TreeFormatter()) : result;
        }
    }

    private static Entry entry(TreeWalk walk, int n) {
        FileMode mode = walk.getFileMode(n);
        return mode == FileMode.MISSING ? null : new Entry(mode, walk.getObjectId(n));
    }

    private static boolean same(Entry a, Entry b) {
        return a == null ? b == null : b != null && a.mode().equals(b.mode()) && a.id().equals(b.id());
    }

    /** Rewrites one tree with edits relative to it; null when it ends up empty. */
    private static ObjectId rewrite(ObjectReader reader, ObjectInserter ins, ObjectId tree, Map<String, Entry> edits) throws IOException {
        // the tree's entries, by name; a folder's name sorts as if it ended in '/', as git orders them
        TreeMap<byte[], Entry> entries = new TreeMap<>(RevertTree::gitOrder);
        Map<String, byte[]> names = new HashMap<>();
        if (tree != null) {
            CanonicalTreeParser p = new CanonicalTreeParser(null, reader, tree);
            for (; !p.eof(); p.next()) {
                byte[] name = Arrays.copyOf(p.getEntryPathBuffer(), p.getEntryPathLength());   // no prefix: the name
                FileMode mode = p.getEntryFileMode();
                entries.put(keyOf(name, mode), new Entry(mode, p.getEntryObjectId()));
                names.put(new String(name, StandardCharsets.UTF_8), keyOf(name, mode));
            }
        }
        Map<String, Map<String, Entry>> below = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : edits.entrySet()) {
            int slash = e.getKey().indexOf('/');
            if (slash < 0) {
                byte[] old = names.remove(e.getKey());
                if (old != null) {
                    entries.remove(old);
                }
                if (e.getValue() != null) {
                    byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                    entries.put(keyOf(name, e.getValue().mode()), e.getValue());
                    names.put(e.getKey(), keyOf(name, e.getValue().mode()));
                }
            } else {
                below.computeIfAbsent(e.getKey().substring(0, slash), k -> new TreeMap<>()).put(e.getKey().substring(slash + 1), e.getValue());
            }
        }
        for (Map.Entry<String, Map<String, Entry>> sub : below.entrySet()) {
            byte[] old = names.get(sub.getKey());
            Entry existing = old == null ? null : entries.get(old);
            ObjectId subtree = existing != null && existing.mode() == FileMode.TREE ? existing.id() : null;
            if (existing != null && existing.mode() != FileMode.TREE) {
                entries.remove(old);   // a file gives way to a folder
            }
            ObjectId rewritten = rewrite(reader, ins, subtree, sub.getValue());
            byte[] name = sub.getKey().getBytes(StandardCharsets.UTF_8);
            entries.remove(keyOf(name, FileMode.TREE));
            if (rewritten != null) {
                entries.put(keyOf(name, FileMode.TREE), new Entry(FileMode.TREE, rewritten));
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        TreeFormatter f = new TreeFormatter();
        for (Map.Entry<byte[], Entry> e : entries.entrySet()) {
            byte[] key = e.getKey();
            byte[] name = e.getValue().mode() == FileMode.TREE ? Arrays.copyOf(key, key.length - 1) : key;
            f.append(name, e.getValue().mode(), e.getValue().id());
        }
        return ins.insert(f);
    }

    /** The sort key of an entry: its name, and '/' after a folder's name. */
    private static byte[] keyOf(byte[] name, FileMode mode) {
        if (mode != FileMode.TREE) {
            return name;
        }
        byte[] k = Arrays.copyOf(name, name.length + 1);
        k[name.length] = '/';
        return k;
    }

    private static int gitOrder(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

}
