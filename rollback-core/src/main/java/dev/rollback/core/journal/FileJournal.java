package dev.rollback.core.journal;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.rollback.core.OwnerOnlyFiles;
import dev.rollback.core.internal.LockFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A journal in a folder: one JSON Lines file per run and one per plan for its decisions, each
 * event forced to disk before the runner goes on, files and folders readable by the owner only,
 * and an OS file lock per plan so that two runs of one plan cannot overlap. The lock belongs to
 * the process: it is released when the process exits, however it exits, so no stale lock is
 * ever left behind (and there is no lease to break).
 *
 * <pre>
 * &lt;root&gt;/&lt;plan&gt;/plan.lock             who holds the lock (host, pid, run, operator, since), as JSON
 * &lt;root&gt;/&lt;plan&gt;/plan-log.jsonl        the plan's decisions: refusals, overrides
 * &lt;root&gt;/&lt;plan&gt;/&lt;runId&gt;.jsonl         the run's events, one per line
 * &lt;root&gt;/&lt;plan&gt;/&lt;runId&gt;/              the run folder: forensics, incident report
 * </pre>
 *
 * <pre>{@code
 * Journal journal = FileJournal.in(Path.of("/var/lib/rollback"));
 * }</pre>
 */
public final class FileJournal implements Journal {
    private static final Logger LOG = LoggerFactory.getLogger(FileJournal.class);
    private static final String SUFFIX = ".jsonl";
    /** The plan log's file name in each plan folder. */
    public static final String PLAN_LOG = "plan-log" + SUFFIX;
    private static final String LOCK_FILE = "plan.lock";
    /**
     * Locks this JVM holds, by lock file. POSIX drops every lock a process holds on a file when
     * the process closes any descriptor of that file, so this JVM never opens a lock file it holds.
     */
    private static final Map<Path, PlanLock> HELD = new ConcurrentHashMap<>();

    private final Path root;

    private FileJournal(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * @param root the folder; created (owner-only) when missing
     * @return a journal in it
     */
    public static FileJournal in(Path root) {
        return new FileJournal(root);
    }

    /** @return the journal's root folder */
    public Path root() {
        return root;
    }

    /**
     * @param planName the plan
     * @param runId    the run
     * @return the run's JSON Lines file
     */
    public Path file(String planName, String runId) {
        return planDirectory(planName).resolve(runId + SUFFIX);
    }

    /**
     * @param planName the plan
     * @return the plan's lock file
     */
    public Path lockFile(String planName) {
        return planDirectory(planName).resolve(LOCK_FILE);
    }

    @Override
    public JournalWriter open(String planName, Holder holder) {
        Path dir = planDirectory(planName);
        Path lockPath = dir.resolve(LOCK_FILE);
        PlanLock mine = HELD.get(lockPath);
        if (mine != null) {
            throw locked(planName, mine, lockPath);
        }
        try {
            OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw LockFailures.cannotLock(planName, dir, "create the journal folder", e);
        }
        FileChannel lockChannel = null;
        FileLock lock;
        synchronized (HELD) {
            try {
                if (!Files.exists(lockPath)) {
                    try {
                        OwnerOnlyFiles.createFile(lockPath);
                    } catch (FileAlreadyExistsException raced) {
                        // another process created it meanwhile; the lock below decides
                    }
                }
                lockChannel = FileChannel.open(lockPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    lock = lockChannel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by this very JVM through a channel we do not know
                }
                if (lock == null) {
                    PlanLock other = readLock(lockChannel, lockPath);
                    lockChannel.close();
                    throw locked(planName, other, lockPath);
                }
                PlanLock taken = PlanLock.held(holder, Instant.now());
                lockChannel.truncate(0);
                lockChannel.write(ByteBuffer.wrap((encodeLock(taken) + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                lockChannel.force(false);
                HELD.put(lockPath, taken);
            } catch (IOException e) {
                closeQuietly(lockChannel);
                throw LockFailures.cannotLock(planName, lockPath, "lock", e);
            }
        }
        return new FileWriter(this, planName, lockChannel, lock, lockPath);
    }

    @Override
    public List<JournalEvent> read(String planName, String runId) {
        return readLines(file(planName, runId));
    }

    @Override
    public List<JournalEvent> planLog(String planName) {
        return readLines(planDirectory(planName).resolve(PLAN_LOG));
    }

    private static List<JournalEvent> readLines(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new JournalException("Could not read journal " + file + ": " + e.getMessage(), e);
        }
        List<JournalEvent> events = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        // The text after the last line break is either empty or a line torn by a crash mid-write.
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean last = i == lines.length - 1;
            if (line.isBlank()) {
                continue;
            }
            if (last) {
                LOG.warn("Ignoring a torn last line in journal {} ({} bytes): the process stopped while writing it", file, line.length());
                continue;
            }
            try {
                events.add(JournalCodec.decode(line));
            } catch (JournalException e) {
                throw new JournalException("Journal " + file + " is corrupt at line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    @Override
    public List<String> runIds(String planName) {
        Path dir = planDirectory(planName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && !n.equals(PLAN_LOG))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        } catch (IOException e) {
            throw new JournalException("Could not list runs in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> planNames() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                planNameIn(dir).ifPresent(names::add);
            }
        } catch (IOException e) {
            throw new JournalException("Could not list plans in " + root + ": " + e.getMessage(), e);
        }
        return names;
    }

    /** A plan folder's name is made safe for the file system; the plan's real name is in its events. */
    private Optional<String> planNameIn(Path dir) throws IOException {
        Path log = dir.resolve(PLAN_LOG);
        for (JournalEvent e : Files.exists(log) ? readLines(log) : List.<JournalEvent>of()) {
            if (e instanceof JournalEvent.PlanDecision d && d.planName() != null) {
                return Optional.of(d.planName());
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && !p.getFileName().toString().equals(PLAN_LOG))
                    .sorted().toList()) {
                for (JournalEvent e : readLines(f)) {
                    if (e instanceof JournalEvent.RunStarted s) {
                        return Optional.of(s.planName());
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<PlanLock> lock(String planName) {
        Path lockPath = planDirectory(planName).resolve(LOCK_FILE);
        PlanLock mine = HELD.get(lockPath);
        if (mine != null) {
            return Optional.of(mine);
        }
        if (!Files.exists(lockPath)) {
            return Optional.empty();
        }
        synchronized (HELD) {
            try (FileChannel c = FileChannel.open(lockPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock probe;
                try {
                    probe = c.tryLock();
                } catch (OverlappingFileLockException e) {
                    return Optional.of(readLock(c, lockPath));
                }
                if (probe != null) {
                    probe.release();
                    return Optional.empty();
                }
                return Optional.of(readLock(c, lockPath));
            } catch (IOException e) {
                throw new JournalException("Could not read the lock of plan '" + planName + "' at " + lockPath + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Path runDirectory(String planName, String runId) {
        Path dir = planDirectory(planName).resolve(runId);
        try {
            return OwnerOnlyFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new JournalException("Could not create run folder " + dir + ": " + e.getMessage()
                    + ". Choose a journal folder the runner can write to.", e);
        }
    }

    @Override
    public String describeLocation(String planName, String runId) {
        return file(planName, runId).toString();
    }

    @Override
    public String toString() {
        return "FileJournal[" + root + "]";
    }

    /** A plan's folder. */
    Path planDirectory(String planName) {
        return root.resolve(folderName(planName));
    }

    /**
     * The name of a plan's folder: the plan's name made safe for a file system (characters other
     * than {@code A-Z a-z 0-9 . _ -} become {@code _}), with a short hash when it had to change, so
     * that two plans never share a folder. Other journals name their run folders the same way.
     *
     * @param planName the plan
     * @return the folder name
     */
    public static String folderName(String planName) {
        String safe = planName.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!safe.equals(planName) || safe.startsWith(".")) {
            safe = safe + "-" + shortHash(planName);
        }
        return safe;
    }

    private static JournalLockedException locked(String planName, PlanLock lock, Path lockPath) {
        return new JournalLockedException(planName, lock, lockPath.toString(), "Wait for it to finish, or stop that process (pid "
                + lock.holder().pid() + " on " + lock.holder().host() + "); the lock is released when it exits, however it exits.");
    }

    private static String encodeLock(PlanLock lock) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", lock.holder().host());
        m.put("pid", lock.holder().pid());
        m.put("runId", lock.holder().runId());
        m.put("operator", lock.holder().operator());
        m.put("since", String.valueOf(lock.since()));
        return JSON.std.asString(m);
    }

    /** Reads the holder a lock file records, through a channel this JVM may close safely. */
    private static PlanLock readLock(FileChannel channel, Path lockPath) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(channel.size(), 64 * 1024));
        channel.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
        try {
            Map<String, Object> m = JSON.std.mapFrom(text);
            Object pid = m.get("pid");
            Object since = m.get("since");
            return PlanLock.held(new Holder(String.valueOf(m.get("host")), pid instanceof Number n ? n.longValue() : 0,
                    String.valueOf(m.get("runId")), String.valueOf(m.get("operator"))),
                    since == null || "null".equals(since) ? null : Instant.parse(String.valueOf(since)));
        } catch (IOException | RuntimeException e) {
            // written by an older version, or cut short: say what is known
            return PlanLock.held(new Holder("unknown host", 0, "unknown", text.isEmpty() ? "holder unknown" : text), null);
        }
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing after a failure; the first failure is what is reported
            }
        }
    }

    /** Appends a plan's events into their files while holding the plan's lock. */
    private static final class FileWriter implements JournalWriter {
        private final FileJournal journal;
        private final String planName;
        private final FileChannel lockChannel;
        private final FileLock lock;
        private final Path lockPath;
        private final Map<String, FileChannel> files = new LinkedHashMap<>();
        private boolean closed;

        FileWriter(FileJournal journal, String planName, FileChannel lockChannel, FileLock lock, Path lockPath) {
            this.journal = journal;
            this.planName = planName;
            this.lockChannel = lockChannel;
            this.lock = lock;
            this.lockPath = lockPath;
        }

        @Override
        public synchronized void append(JournalEvent event) {
            Path file = event instanceof JournalEvent.PlanDecision ? journal.planDirectory(planName).resolve(PLAN_LOG)
                    : journal.file(planName, event.runId());
            if (closed) {
                throw new JournalException("Journal " + file + " is closed");
            }
            byte[] bytes = (JournalCodec.encode(event) + "\n").getBytes(StandardCharsets.UTF_8);
            try {
                FileChannel channel = channel(file);
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new JournalException("Could not write to journal " + file + ": " + e.getMessage()
                        + ". The run stops here: nothing is done that the journal cannot record.", e);
            }
        }

        private FileChannel channel(Path file) throws IOException {
            FileChannel c = files.get(file.getFileName().toString());
            if (c == null) {
                try {
                    OwnerOnlyFiles.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    // resuming: keep appending to the run's file
                }
                c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                truncateTornTail(c, file);
                c.position(c.size());
                files.put(file.getFileName().toString(), c);
            }
            return c;
        }

        /** A crash can leave half a line; cut it so that appended events start on a line of their own. */
        private static void truncateTornTail(FileChannel channel, Path file) throws IOException {
            long size = channel.size();
            if (size == 0) {
                return;
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, size - 1);
            if (one.get(0) == '\n') {
                return;
            }
            long pos = size - 1;
            ByteBuffer b = ByteBuffer.allocate(1);
            while (pos > 0) {
                b.clear();
                channel.read(b, pos - 1);
                if (b.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            LOG.warn("Cutting a torn last line ({} bytes) from journal {} before appending", size - pos, file);
            channel.truncate(pos);
            channel.force(true);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (Map.Entry<String, FileChannel> e : files.entrySet()) {
                try {
                    e.getValue().close();
                } catch (IOException ex) {
                    LOG.warn("Could not close journal {}: {}", e.getKey(), ex.getMessage());
                }
            }
            synchronized (HELD) {
                HELD.remove(lockPath);
                try {
                    lock.release();
                } catch (IOException ignored) {
                    // the lock dies with its channel anyway
                }
                closeQuietly(lockChannel);
            }
        }
    }
}
