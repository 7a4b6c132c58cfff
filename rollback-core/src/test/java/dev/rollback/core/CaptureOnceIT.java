package dev.rollback.core;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.CrashDrillMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures are taken once per run: a child JVM captures the live state, starts a destructive swap
 * with no checkpoint before it and is killed inside it; the resume in a new JVM does not take the
 * capture again, so the forensics still hold the pre-rollback state, not what the swap left.
 */
class CaptureOnceIT {
    @TempDir
    Path dir;

    @Test
    void aResumeAfterAKillInsideTheFirstDestructiveStepKeepsTheCaptureTakenBeforeIt() throws Exception {
        Path journalDir = dir.resolve("journal");
        Path effects = dir.resolve("effects.txt");
        Path state = Files.writeString(dir.resolve("live.txt"), "pre-rollback data");
        Path marker = dir.resolve("marker");
        List<String> props = List.of("drill.plan=capture-then-swap", "drill.state=" + state);

        ChildJvm first = ChildJvm.start(dir, CrashDrillMain.class,
                List.of("drill.plan=capture-then-swap", "drill.state=" + state, "drill.block=inside-step:swap", "drill.marker=" + marker),
                List.of(effects.toString(), "--journal", journalDir.toString(), "--yes", "drill"));
        first.awaitFile(marker, Duration.ofSeconds(60));
        first.kill9();
        assertThat(Files.readString(state)).isEqualTo("restored from backup");

        FileJournal journal = FileJournal.in(journalDir);
        String runId = journal.runIds("capture-then-swap").get(0);
        ChildJvm second = ChildJvm.start(dir, CrashDrillMain.class, props,
                List.of(effects.toString(), "--journal", journalDir.toString(), "--yes", "drill", "--resume", runId));
        assertThat(second.waitFor(Duration.ofSeconds(60))).as("stdout:%n%s%nstderr:%n%s", second.stdout(), second.stderr()).isZero();
        assertThat(second.stdout()).contains("skipped      forensic copy (capture already taken in this run before a destructive step "
                + "started; its files and outputs stand as journaled)");

        List<String> done = Files.readAllLines(effects);
        assertThat(Collections.frequency(done, "forensic copy")).as("the capture ran once: %s", done).isEqualTo(1);
        assertThat(Collections.frequency(done, "swap start")).isEqualTo(2);
        assertThat(done).contains("report");
        assertThat(Files.readString(journal.runDirectory("capture-then-swap", runId).resolve("forensics.txt"))).isEqualTo("pre-rollback data");
        List<JournalEvent> events = journal.read("capture-then-swap", runId);
        assertThat(events).filteredOn(JournalEvent.FileCaptured.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((JournalEvent.FileCaptured) e).size()).isEqualTo("pre-rollback data".length()));
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(JournalEvent.RunFinished.class,
                f -> assertThat(f.outcome()).isEqualTo("SUCCEEDED"));
    }
}
