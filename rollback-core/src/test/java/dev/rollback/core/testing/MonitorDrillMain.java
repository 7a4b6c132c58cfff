package dev.rollback.core.testing;

import dev.rollback.core.Rollback;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.decision.Condition;
import dev.rollback.core.decision.DecisionTable;
import dev.rollback.core.decision.Monitoring;
import dev.rollback.core.decision.Rule;
import dev.rollback.core.decision.Signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A rollback program whose last step is a monitoring window, for crash drills in a child JVM. With
 * the system property {@code drill.blockAtRead=N} the window's signal stops dead on its N-th read
 * (inside the window, after the window has remembered how long it watched) and writes the file
 * named by {@code drill.marker}, until the parent kills the process. {@code drill.window} is the
 * window in milliseconds.
 */
public final class MonitorDrillMain {
    private MonitorDrillMain() {
    }

    /**
     * @param args the usual rollback flags
     */
    public static void main(String[] args) {
        int blockAt = Integer.getInteger("drill.blockAtRead", 0);
        Path marker = Path.of(System.getProperty("drill.marker", "marker"));
        Duration window = Duration.ofMillis(Long.getLong("drill.window", 4000));
        AtomicInteger reads = new AtomicInteger();
        Monitoring watch = Monitoring.rules(DecisionTable.of(Rule.must("error rate > 5%", Condition.signal("error.rate").above(0.05))))
                .signals(Signal.of("error.rate", () -> {
                    if (reads.incrementAndGet() == blockAt) {
                        blockForever(marker);
                    }
                    return 0.001;
                }))
                .every(Duration.ofMillis(50));
        int code = RollbackCommand.named("monitor-drill")
                .execute(args, o -> Rollback.plan("monitor-drill")
                        .step("restore", ctx -> ctx.output("drill.restored", "yes"))
                        .checkpoint("restored")
                        .step(watch.forWindow(window))
                        .build());
        System.exit(code);
    }

    private static void blockForever(Path marker) {
        try {
            Files.writeString(marker, String.valueOf(ProcessHandle.current().pid()));
            Thread.sleep(Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
