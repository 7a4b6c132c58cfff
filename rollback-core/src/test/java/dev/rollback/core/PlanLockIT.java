package dev.rollback.core;

import dev.rollback.core.testing.ChildJvm;
import dev.rollback.core.testing.CrashDrillMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-plan lock across processes: refused while held, free again once the holder is killed. */
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

        ChildJvm third = ChildJvm.start(dir, CrashDrillMain.class, List.of(),
                List.of(dir.resolve("effects-3").toString(), "--journal", journal.toString()));
        assertThat(third.waitFor(Duration.ofSeconds(60))).as("stderr: %s", third.stderr()).isZero();
        assertThat(third.stdout()).contains("SUCCEEDED");
    }
}
