package dev.rollback.core.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A journal in memory, for tests and for embedding where the caller keeps the record. Events go
 * through the same encoding as the file journal, so a test sees exactly what would be written.
 * Holds the same one-run-per-plan lock, within this journal object.
 */
public final class InMemoryJournal implements Journal {
    private final Map<String, List<String>> lines = new LinkedHashMap<>();
    private final Map<String, String> locks = new ConcurrentHashMap<>();
    private final Map<String, Path> runDirectories = new ConcurrentHashMap<>();

    /** @return an empty journal */
    public static InMemoryJournal create() {
        return new InMemoryJournal();
    }

    @Override
    public JournalWriter open(String planName, String runId) {
        String holder = "run " + runId + " in this JVM";
        String previous = locks.putIfAbsent(planName, holder);
        if (previous != null) {
            throw new JournalLockedException(planName, previous, "in-memory journal");
        }
        synchronized (lines) {
            lines.computeIfAbsent(key(planName, runId), k -> new ArrayList<>());
        }
        return new JournalWriter() {
            private boolean closed;

            @Override
            public void append(JournalEvent event) {
                if (closed) {
                    throw new JournalException("journal writer for run " + runId + " is closed");
                }
                String line = JournalCodec.encode(event);
                synchronized (lines) {
                    lines.get(key(planName, runId)).add(line);
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    locks.remove(planName, holder);
                }
            }
        };
    }

    @Override
    public List<JournalEvent> read(String planName, String runId) {
        synchronized (lines) {
            List<String> l = lines.getOrDefault(key(planName, runId), List.of());
            return l.stream().map(JournalCodec::decode).toList();
        }
    }

    /**
     * @param planName the plan
     * @param runId    the run
     * @return the run's journal lines, exactly as a file journal would hold them
     */
    public List<String> lines(String planName, String runId) {
        synchronized (lines) {
            return List.copyOf(lines.getOrDefault(key(planName, runId), List.of()));
        }
    }

    @Override
    public List<String> runIds(String planName) {
        synchronized (lines) {
            String prefix = planName + "\u0000";
            return lines.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> k.substring(prefix.length())).toList();
        }
    }

    @Override
    public Path runDirectory(String planName, String runId) {
        return runDirectories.computeIfAbsent(key(planName, runId), k -> {
            try {
                return Files.createTempDirectory("rollback-run-" + runId + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public String describeLocation(String planName, String runId) {
        return "in-memory journal, run " + runId;
    }

    private static String key(String planName, String runId) {
        return planName + "\u0000" + runId;
    }
}
