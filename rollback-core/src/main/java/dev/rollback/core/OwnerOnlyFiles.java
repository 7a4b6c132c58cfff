package dev.rollback.core;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one place that creates the files and folders a rollback writes: run folders, forensic
 * captures, dumps, samples, reports and state files. Files are created readable and writable by
 * the owner only ({@code 0600}), folders by the owner only ({@code 0700}), so that the customer
 * data in a dump or a sample is never world-readable, not even for the moment between creating a
 * file and narrowing it: every file is created with its mode, never created and then narrowed.
 *
 * <p>Rules:
 * <ul>
 *   <li>folders this class creates are {@code 0700}; folders that exist already (a backup folder
 *       the operator chose, such as {@code /var/backups}) are left as they are;</li>
 *   <li>files this class creates are {@code 0600}; an existing file it writes over is narrowed to
 *       {@code 0600} before anything is written into it;</li>
 *   <li>what an external tool wrote ({@code pg_dump -Fd}, {@code mongodump}) is narrowed afterwards
 *       with {@link #narrowTree(Path)}, inside a {@code 0700} folder created first, so that nobody
 *       else can reach it in the meantime;</li>
 *   <li>on a file system without POSIX permissions (Windows) files and folders are created with
 *       the platform's defaults: there the folder's ACL decides.</li>
 * </ul>
 *
 * <pre>{@code
 * Path dir = OwnerOnlyFiles.createDirectories(ctx.runDirectory().resolve("forensics"));   // 0700
 * OwnerOnlyFiles.writeString(dir.resolve("state.txt"), state);                            // 0600
 * try (OutputStream out = OwnerOnlyFiles.newOutputStream(dir.resolve("sample.csv"))) {   // 0600
 *     ...
 * }
 * }</pre>
 */
public final class OwnerOnlyFiles {
    /** The mode of every file: {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = Set.copyOf(PosixFilePermissions.fromString("rw-------"));
    /** The mode of every folder: {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = Set.copyOf(PosixFilePermissions.fromString("rwx------"));

    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE = PosixFilePermissions.asFileAttribute(FILE);
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTRIBUTE = PosixFilePermissions.asFileAttribute(DIRECTORY);

    private OwnerOnlyFiles() {
    }

    /**
     * Creates a folder and its missing parents, each {@code 0700}. Folders that exist are left as
     * they are (use {@link #narrow(Path)} to narrow one on purpose).
     *
     * @param dir the folder
     * @return the folder
     * @throws IOException when a folder cannot be created, or the path is a file
     */
    public static Path createDirectories(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path absolute = dir.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                if (posix(p)) {
                    Files.createDirectory(p, DIRECTORY_ATTRIBUTE);
                    Files.setPosixFilePermissions(p, DIRECTORY); // exact, whatever the umask
                } else {
                    Files.createDirectory(p);
                }
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw new FileAlreadyExistsException(p.toString(), null, "it is a file, not a folder");
                }
                // created by someone else meanwhile: theirs, left as it is
            }
        }
        return dir;
    }

    /**
     * Creates the missing parent folders of a file, each {@code 0700}.
     *
     * @param file the file
     * @return the file
     * @throws IOException when a folder cannot be created
     */
    public static Path createParentDirectories(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        return file;
    }

    /**
     * Creates a new, empty {@code 0600} file (and its missing parents, {@code 0700}).
     *
     * @param file the file
     * @return the file
     * @throws FileAlreadyExistsException when it exists
     * @throws IOException                when it cannot be created
     */
    public static Path createFile(Path file) throws IOException {
        createParentDirectories(file);
        if (posix(file)) {
            Files.createFile(file, FILE_ATTRIBUTE);
            Files.setPosixFilePermissions(file, FILE);
        } else {
            Files.createFile(file);
        }
        return file;
    }

    /**
     * Opens a file for writing from its start: a new file is created {@code 0600} (parents
     * {@code 0700}); an existing one is narrowed to {@code 0600}, then truncated.
     *
     * @param file the file
     * @return a stream into it; close it
     * @throws IOException when it cannot be opened or narrowed
     */
    public static OutputStream newOutputStream(Path file) throws IOException {
        return open(file, false);
    }

    /**
     * Opens a file for appending: created {@code 0600} when missing, narrowed when it exists.
     *
     * @param file the file
     * @return a stream appending to it; close it
     * @throws IOException when it cannot be opened or narrowed
     */
    public static OutputStream newAppendingStream(Path file) throws IOException {
        return open(file, true);
    }

    /**
     * Opens a file for writing text from its start, as {@link #newOutputStream(Path)} does.
     *
     * @param file    the file
     * @param charset the encoding
     * @return a buffered writer; close it
     * @throws IOException when it cannot be opened or narrowed
     */
    public static BufferedWriter newBufferedWriter(Path file, Charset charset) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(newOutputStream(file), charset.newEncoder()));
    }

    /**
     * Writes bytes into a {@code 0600} file, replacing what it held.
     *
     * @param file    the file
     * @param content the bytes
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path write(Path file, byte[] content) throws IOException {
        try (OutputStream out = newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /**
     * Writes text, UTF-8, into a {@code 0600} file, replacing what it held.
     *
     * @param file the file
     * @param text the text
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path writeString(Path file, CharSequence text) throws IOException {
        return write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes lines, UTF-8, each ended by {@code \n}, into a {@code 0600} file.
     *
     * @param file  the file
     * @param lines the lines
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path writeLines(Path file, Iterable<? extends CharSequence> lines) throws IOException {
        try (BufferedWriter w = newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (CharSequence line : lines) {
                w.append(line).append('\n');
            }
        }
        return file;
    }

    /**
     * Writes bytes into a file so that a reader, or a crash, sees either the old content or the
     * new one: a {@code 0600} temporary file beside it, forced to disk, renamed over it.
     *
     * @param file    the file
     * @param content the bytes
     * @return the file
     * @throws IOException when it cannot be written
     */
    public static Path writeAtomically(Path file, byte[] content) throws IOException {
        createParentDirectories(file);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    /**
     * Copies a file into a {@code 0600} file (whatever the source's mode), replacing the target.
     *
     * @param source the file to copy
     * @param target the copy
     * @return the target
     * @throws IOException when it cannot be copied
     */
    public static Path copy(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source)) {
            copy(in, target);
        }
        return target;
    }

    /**
     * Copies a stream into a {@code 0600} file, replacing the target.
     *
     * @param in     the bytes; not closed
     * @param target the file
     * @return the number of bytes copied
     * @throws IOException when it cannot be copied
     */
    public static long copy(InputStream in, Path target) throws IOException {
        try (OutputStream out = newOutputStream(target)) {
            return in.transferTo(out);
        }
    }

    /**
     * Creates a new {@code 0600} file with a unique name in a folder (made {@code 0700} when missing).
     *
     * @param dir    the folder
     * @param prefix the start of the name
     * @param suffix the end of the name
     * @return the file
     * @throws IOException when it cannot be created
     */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        createDirectories(dir);
        Path f = posix(dir) ? Files.createTempFile(dir, prefix, suffix, FILE_ATTRIBUTE) : Files.createTempFile(dir, prefix, suffix);
        return narrow(f);
    }

    /**
     * Creates a new {@code 0700} folder with a unique name in a folder (made {@code 0700} when missing).
     *
     * @param dir    the folder
     * @param prefix the start of the name
     * @return the new folder
     * @throws IOException when it cannot be created
     */
    public static Path createTempDirectory(Path dir, String prefix) throws IOException {
        createDirectories(dir);
        Path d = posix(dir) ? Files.createTempDirectory(dir, prefix, DIRECTORY_ATTRIBUTE) : Files.createTempDirectory(dir, prefix);
        return narrow(d);
    }

    /**
     * Narrows one existing file to {@code 0600} or folder to {@code 0700}. A symbolic link is left
     * alone (its target is not a file this library created).
     *
     * @param path the file or folder
     * @return the path
     * @throws NoSuchFileException when it does not exist
     * @throws IOException         when its mode cannot be changed (another owner)
     */
    public static Path narrow(Path path) throws IOException {
        if (!posix(path)) {
            return path;
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return path;
        }
        Set<PosixFilePermission> wanted = a.isDirectory() ? DIRECTORY : FILE;
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(wanted)) {
            try {
                Files.setPosixFilePermissions(path, wanted);
            } catch (IOException e) {
                throw new IOException("Could not make " + path + " readable by its owner only (" + e.getMessage()
                        + "); it may belong to another user. Fix: remove it or choose another location", e);
            }
        }
        return path;
    }

    /**
     * Narrows a folder and everything in it ({@code 0700} folders, {@code 0600} files), without
     * following symbolic links: for what an external tool wrote.
     *
     * @param root a file or folder
     * @return the root
     * @throws IOException when a mode cannot be changed
     */
    public static Path narrowTree(Path root) throws IOException {
        if (!posix(root) || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return root;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                narrow(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                narrow(file);
                return FileVisitResult.CONTINUE;
            }
        });
        return root;
    }

    /**
     * Whether a path has the mode this class gives it: {@code 0600} for a file, {@code 0700} for a
     * folder. Always true on a file system without POSIX permissions.
     *
     * @param path an existing file or folder
     * @return whether only its owner can reach it
     * @throws IOException when its attributes cannot be read
     */
    public static boolean isOwnerOnly(Path path) throws IOException {
        if (!posix(path)) {
            return true;
        }
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return true;
        }
        return Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(a.isDirectory() ? DIRECTORY : FILE);
    }

    /**
     * Every file below a folder that is not {@code 0600} and every folder not {@code 0700}, the
     * folder itself included, without following links: an audit of what a run, a dump or a tool
     * left behind.
     *
     * <pre>{@code
     * assertThat(OwnerOnlyFiles.notOwnerOnly(journalRoot)).isEmpty();
     * }</pre>
     *
     * @param root a file or folder
     * @return the paths that others could read, in walk order; empty when none, or when the file
     *         system has no POSIX permissions
     * @throws IOException when the folder cannot be walked
     */
    public static List<Path> notOwnerOnly(Path root) throws IOException {
        List<Path> wrong = new ArrayList<>();
        if (!posix(root) || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return wrong;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!isOwnerOnly(p)) {
                    wrong.add(p);
                }
            }
        }
        return wrong;
    }

    private static OutputStream open(Path file, boolean append) throws IOException {
        createParentDirectories(file);
        Set<StandardOpenOption> options = append
                ? EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        if (!posix(file)) {
            return Channels.newOutputStream(Files.newByteChannel(file, options));
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            narrow(file); // before a single byte of the new content is in it
        }
        var channel = Files.newByteChannel(file, options, FILE_ATTRIBUTE);
        try {
            // a file created just now by the call above has 0600 & ~umask; make it exact
            if (!Files.getPosixFilePermissions(file).equals(FILE)) {
                Files.setPosixFilePermissions(file, FILE);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return Channels.newOutputStream(channel);
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
