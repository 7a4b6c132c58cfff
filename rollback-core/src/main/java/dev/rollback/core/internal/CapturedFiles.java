package dev.rollback.core.internal;

import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.report.IncidentReport;
import dev.rollback.core.report.PostMortem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps track of the files in a run folder: after each step, the files it wrote or changed are
 * recorded with size and SHA-256 ({@link JournalEvent.FileCaptured}); on resume, the recorded
 * files are checked against the folder this machine sees. Not public API.
 */
public final class CapturedFiles {
    /** Files the runner itself writes into a run folder; they are reports, not captures. */
    private static final Set<String> RUNNER_FILES = Set.of(IncidentReport.FILE_NAME, IncidentReport.HTML_FILE_NAME,
            PostMortem.FILE_NAME, PostMortem.NEW_FILE_NAME);

    private final Path runDirectory;
    /** What is known of each file: size and modification time, as last seen. */
    private final Map<String, Seen> seen = new LinkedHashMap<>();
    /** What the journal recorded of each file: size and hash. */
    private final Map<String, JournalEvent.FileCaptured> recorded = new LinkedHashMap<>();

    private record Seen(long size, long modified) {
    }

    /** @param runDirectory the run folder */
    public CapturedFiles(Path runDirectory) {
        this.runDirectory = runDirectory;
    }

    /**
     * Takes what an earlier invocation recorded, and checks it against the folder here.
     *
     * @param events the run's events so far
     * @return one line per recorded file that is missing or differs here; empty when all are here
     */
    public List<String> resumeFrom(List<JournalEvent> events) {
        for (JournalEvent e : events) {
            if (e instanceof JournalEvent.FileCaptured f) {
                recorded.put(f.path(), f);
            }
        }
        List<String> problems = new ArrayList<>();
        for (JournalEvent.FileCaptured f : recorded.values()) {
            Path file = runDirectory.resolve(f.path());
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                if (a.size() != f.size()) {
                    problems.add(f.path() + ": " + a.size() + " bytes here, " + f.size() + " bytes captured by step '" + f.step() + "'");
                } else if (!sha256(file).equals(f.sha256())) {
                    problems.add(f.path() + ": content differs from what step '" + f.step() + "' captured (SHA-256 " + f.sha256() + ")");
                } else {
                    seen.put(f.path(), new Seen(a.size(), a.lastModifiedTime().toMillis()));
                }
            } catch (NoSuchFileException e) {
                problems.add(f.path() + ": missing here (" + f.size() + " bytes, SHA-256 " + f.sha256() + ", captured by step '"
                        + f.step() + "')");
            } catch (IOException e) {
                problems.add(f.path() + ": unreadable here (" + e.getMessage() + ")");
            }
        }
        // Files present here that an earlier invocation did not record are new to this invocation: record them after the next step.
        return problems;
    }

    /**
     * The files a step wrote or changed since the last call, with size and hash.
     *
     * @param runId the run
     * @param index the step's position
     * @param step  the step's name
     * @param clock the clock for the events' time
     * @return one event per new or changed file
     */
    public List<JournalEvent.FileCaptured> changedBy(String runId, int index, String step, Clock clock) {
        if (!Files.isDirectory(runDirectory)) {
            return List.of();
        }
        List<JournalEvent.FileCaptured> out = new ArrayList<>();
        try {
            Files.walkFileTree(runDirectory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                    if (!a.isRegularFile()) {
                        return FileVisitResult.CONTINUE;
                    }
                    String rel = runDirectory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                    if (RUNNER_FILES.contains(rel)) {
                        return FileVisitResult.CONTINUE;
                    }
                    Seen now = new Seen(a.size(), a.lastModifiedTime().toMillis());
                    if (!now.equals(seen.get(rel))) {
                        seen.put(rel, now);
                        String hash = sha256(file);
                        JournalEvent.FileCaptured before = recorded.get(rel);
                        if (before == null || before.size() != a.size() || !before.sha256().equals(hash)) {
                            JournalEvent.FileCaptured f = new JournalEvent.FileCaptured(runId, clock.instant(), index, step, rel, a.size(), hash);
                            recorded.put(rel, f);
                            out.add(f);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile, or unreadable: nothing to record
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list the run folder " + runDirectory, e);
        }
        return out;
    }

    /**
     * @param file a file
     * @return its SHA-256 as 64 hex digits
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
