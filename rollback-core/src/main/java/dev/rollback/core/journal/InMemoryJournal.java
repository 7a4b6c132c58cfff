package dev.rollback.core.journal;

import dev.rollback.core.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A journal in memory, for tests and for embedding where the caller keeps the record. Events go
 * through the same encoding as the file journal, so a test sees exactly what would be written.
 * Holds the same one-run-per-plan lock, within this journal object, and knows plan states like
 * every journal.
 */
public final class InMemoryJournal implements Journal {
    private final Map<String, List<String>> lines = new LinkedHashMap<>();
    private final Map<String, List<String>> planLogs = new LinkedHashMap<>();
    private final Set<String> plans = new LinkedHashSet<>();
    private final Map<String, PlanLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Path> runDirectories = new ConcurrentHashMap<>();

    /** @return an empty journal */
    public static InMemoryJournal create() {
        return new InMemoryJournal();
    }

    @Override
    public JournalWriter open(String planName, Holder holder) {
        PlanLock lock = PlanLock.held(holder, Instant.now());
        PlanLock previous = locks.putIfAbsent(planName, lock);
        if (previous != null) {
            throw new JournalLockedException(planName, previous, "in-memory journal", "Wait for it to finish; the lock is released "
                    + "when its runner returns.");
        }
        return new JournalWriter() {
            private boolean closed;

            @Override
            public void append(JournalEvent event) {
                if (closed) {
                    throw new JournalException("journal writer of plan '" + planName + "' for run " + holder.runId() + " is closed");
                }
                String line = JournalCodec.encode(event);
                synchronized (lines) {
                    plans.add(planName);
                    if (event instanceof JournalEvent.PlanDecision) {
                        planLogs.computeIfAbsent(planName, k -> new ArrayList<>()).add(line);
                    } else {
                        lines.computeIfAbsent(key(planName, event.runId()), k -> new ArrayList<>()).add(line);
                    }
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    locks.remove(planName, lock);
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
    public List<JournalEvent> planLog(String planName) {
        synchronized (lines) {
            return planLogs.getOrDefault(planName, List.of()).stream().map(JournalCodec::decode).toList();
        }
    }

    @Override
    public List<String> planNames() {
        synchronized (lines) {
            return List.copyOf(plans);
        }
    }

    @Override
    public Optional<PlanLock> lock(String planName) {
        return Optional.ofNullable(locks.get(planName));
    }

    @Override
    public Path runDirectory(String planName, String runId) {
        return runDirectories.computeIfAbsent(key(planName, runId), k -> {
            try {
                return OwnerOnlyFiles.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "rollback-run-" + runId + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public String describeLocation(String planName, String runId) {
        return "in-memory journal, run " + runId;
    }

    @Override
    public String toString() {
        return "InMemoryJournal@" + Integer.toHexString(System.identityHashCode(this));
    }

    private static String key(String planName, String runId) {
        return planName + "\u0000" + runId;
    }
}
