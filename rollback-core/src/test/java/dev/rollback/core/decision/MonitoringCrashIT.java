package dev.rollback.core.decision;

import dev.rollback.core.Durations;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.MonitorDrillMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a rollback program with SIGKILL inside its monitoring window and resumes it in a new JVM:
 * the resume watches what remained of the window, counting on from what the killed process had
 * watched, and the run succeeds.
 */
class MonitoringCrashIT {
    @TempDir
    Path dir;

    @Test
    void aResumeAfterAKillInsideTheWindowWatchesOnlyWhatRemained() throws Exception {
        Path journalDir = dir.resolve("journal");
        Path marker = dir.resolve("marker");
        ChildJvm first = ChildJvm.start(dir, MonitorDrillMain.class,
                List.of("drill.blockAtRead=12", "drill.marker=" + marker, "drill.window=4000"),
                List.of("--journal", journalDir.toString(), "--reason", "monitoring drill"));
        first.awaitFile(marker, Duration.ofSeconds(60));
        first.kill9();

        FileJournal journal = FileJournal.in(journalDir);
        String runId = journal.runIds("monitor-drill").get(0);
        assertThat(journal.read("monitor-drill", runId)).noneMatch(JournalEvent.RunFinished.class::isInstance);
        Duration watched = MonitoringTest.remembered(journal, "monitor-drill", runId);
        assertThat(watched).as("the killed window remembered how long it had watched").isPositive().isLessThan(Duration.ofSeconds(4));

        ChildJvm second = ChildJvm.start(dir, MonitorDrillMain.class, List.of("drill.window=4000"),
                List.of("--journal", journalDir.toString(), "--resume", runId));
        int code = second.waitFor(Duration.ofSeconds(90));
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", second.stdout(), second.stderr()).isZero();
        assertThat(second.stdout()).contains("restarting after checkpoint 'restored'")
                .contains("resuming the monitoring window: " + Durations.human(watched) + " of 4.0 s watched before the run stopped; "
                        + "watching the remaining " + Durations.human(Duration.ofSeconds(4).minus(watched)));
        assertThat(MonitoringTest.remembered(journal, "monitor-drill", runId)).isEqualTo(Duration.ofSeconds(4));
        List<JournalEvent> events = journal.read("monitor-drill", runId);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(JournalEvent.RunFinished.class,
                f -> assertThat(f.outcome()).isEqualTo("SUCCEEDED"));
        assertThat(events).filteredOn(JournalEvent.StepFinished.class::isInstance)
                .extracting(e -> ((JournalEvent.StepFinished) e).step()).containsExactly("restore", "restored", "monitor for 4.0 s");
    }
}
