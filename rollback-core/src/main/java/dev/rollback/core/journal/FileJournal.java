package dev.rollback.core.journal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A journal in a folder: one JSON Lines file per run, each event forced to disk before the
 * runner goes on, files and folders readable by the owner only, and an OS file lock per plan so
 * that two runs of one plan cannot overlap. The lock belongs to the process: it is released
 * when the process exits, however it exits, so no stale lock is ever left behind.
 *
 * <pre>
 * &lt;root&gt;/&lt;plan&gt;/plan.lock             who holds the lock (pid, host, start, run)
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
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final String SUFFIX = ".jsonl";

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

    @Override
    public JournalWriter open(String planName, String runId) {
        Path dir = ensureDirectory(planDirectory(planName));
        Path lockPath = dir.resolve("plan.lock");
        FileChannel lockChannel = null;
        FileLock lock;
        try {
            lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ownerOnly(lockPath, OWNER_FILE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very JVM
            }
            if (lock == null) {
                String holder = readHolder(lockPath);
                lockChannel.close();
                throw new JournalLockedException(planName, holder, lockPath.toString());
            }
            String holder = "pid " + ProcessHandle.current().pid() + " on " + hostName() + ", started "
                    + Instant.now() + ", run " + runId;
            lockChannel.truncate(0);
            lockChannel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            lockChannel.force(false);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new JournalException("Could not lock plan '" + planName + "' at " + lockPath + ": " + e.getMessage(), e);
        }
        Path file = dir.resolve(runId + SUFFIX);
        try {
            createOwnerOnlyFile(file);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            truncateTornTail(channel, file);
            channel.position(channel.size());
            return new FileWriter(channel, lockChannel, lock, file);
        } catch (IOException e) {
            releaseQuietly(lock);
            closeQuietly(lockChannel);
            throw new JournalException("Could not open journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<JournalEvent> read(String planName, String runId) {
        Path file = file(planName, runId);
        if (!Files.exists(file)) {
            return List.of();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
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
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        } catch (IOException e) {
            throw new JournalException("Could not list runs in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path runDirectory(String planName, String runId) {
        return ensureDirectory(planDirectory(planName).resolve(runId));
    }

    @Override
    public String describeLocation(String planName, String runId) {
        return file(planName, runId).toString();
    }

    @Override
    public String toString() {
        return "FileJournal[" + root + "]";
    }

    /** A plan's folder: its name made safe for a file system, with a hash when it had to change. */
    Path planDirectory(String planName) {
        String safe = planName.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!safe.equals(planName) || safe.startsWith(".")) {
            safe = safe + "-" + shortHash(planName);
        }
        return root.resolve(safe);
    }

    private Path ensureDirectory(Path dir) {
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                ownerOnly(root, OWNER_DIR);
            }
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                ownerOnly(dir, OWNER_DIR);
            }
            return dir;
        } catch (IOException e) {
            throw new JournalException("Could not create journal folder " + dir + ": " + e.getMessage()
                    + ". Choose a journal folder the runner can write to.", e);
        }
    }

    private static void createOwnerOnlyFile(Path file) throws IOException {
        try {
            if (supportsPosix(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // resuming: keep appending to the run's file
        }
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

    private static void ownerOnly(Path path, Set<PosixFilePermission> perms) throws IOException {
        if (supportsPosix(path)) {
            Files.setPosixFilePermissions(path, perms);
        }
    }

    private static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String readHolder(Path lockPath) {
        try {
            String s = Files.readString(lockPath, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
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

    private static void releaseQuietly(FileLock l) {
        if (l != null) {
            try {
                l.release();
            } catch (IOException ignored) {
                // the lock dies with its channel anyway
            }
        }
    }

    private static final class FileWriter implements JournalWriter {
        private final FileChannel channel;
        private final FileChannel lockChannel;
        private final FileLock lock;
        private final Path file;
        private boolean closed;

        FileWriter(FileChannel channel, FileChannel lockChannel, FileLock lock, Path file) {
            this.channel = channel;
            this.lockChannel = lockChannel;
            this.lock = lock;
            this.file = file;
        }

        @Override
        public synchronized void append(JournalEvent event) {
            if (closed) {
                throw new JournalException("Journal " + file + " is closed");
            }
            byte[] bytes = (JournalCodec.encode(event) + "\n").getBytes(StandardCharsets.UTF_8);
            try {
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

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("Could not close journal {}: {}", file, e.getMessage());
            }
            releaseQuietly(lock);
            closeQuietly(lockChannel);
        }
    }
}
