package dev.rollback.core;

import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.CrashDrillMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-plan lock across processes: refused while held, free again once the holder is killed; the
 * killed run is then interrupted, so a new run is refused until it is resumed (or abandoned).
 */
class PlanLockIT {
    @TempDir
    Path dir;

    @Test
    void aSecondProcessIsRefusedWhileTheFirstHoldsTheLockAndGetsItAfterSigkill() throws Exception {
        Path journal = dir.resolve("journal");
        Path marker = dir.resolve("holding");
        ChildJvm holder = ChildJvm.start(dir, CrashDrillMain.class, List.of("drill.block=inside-step:s2", "drill.marker=" + marker),
                List.of(dir.resolve("effects-1").toString(), "--journal", journal.toString()));
        holder.awaitFile(marker, Duration.ofSeconds(60));

        ChildJvm second = ChildJvm.start(dir, CrashDrillMain.class, List.of(),
                List.of(dir.resolve("effects-2").toString(), "--journal", journal.toString()));
        assertThat(second.waitFor(Duration.ofSeconds(60))).isEqualTo(3);
        assertThat(second.stderr()).contains("Another run of plan 'crash-drill' is in progress")
                .contains("pid " + holder.process().pid());

        holder.kill9();

        String killed = dev.rollback.core.journal.FileJournal.in(journal).runIds("crash-drill").get(0);
        ChildJvm third = ChildJvm.start(dir, CrashDrillMain.class, List.of(),
                List.of(dir.resolve("effects-3").toString(), "--journal", journal.toString()));
        assertThat(third.waitFor(Duration.ofSeconds(60))).as("stderr: %s", third.stderr()).isEqualTo(3);
        assertThat(third.stderr()).contains("has an interrupted run").contains("run " + killed)
                .contains("Resume it:  crash-drill --resume " + killed + " --journal " + journal)
                .contains("Abandon it: crash-drill --abandon " + killed + " --reason TEXT --journal " + journal);
        assertThat(dir.resolve("effects-3")).doesNotExist();

        ChildJvm fourth = ChildJvm.start(dir, CrashDrillMain.class, List.of(),
                List.of(dir.resolve("effects-4").toString(), "--journal", journal.toString(), "--resume", killed));
        assertThat(fourth.waitFor(Duration.ofSeconds(60))).as("stderr: %s", fourth.stderr()).isZero();
        assertThat(fourth.stdout()).contains("SUCCEEDED");
    }
}
