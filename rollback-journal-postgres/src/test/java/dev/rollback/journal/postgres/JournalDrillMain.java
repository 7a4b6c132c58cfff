package dev.rollback.journal.postgres;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.Step;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.journal.Holder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A rollback program for the shared-journal drills, started as child JVMs posing as different
 * hosts ({@code -Drollback.host=host-a}) through the real command line. Each step appends
 * "{@code <host> <step>}" to an effects file (forced to disk), so the test sees which machine ran
 * what. {@code drill.block=inside-step:NAME} stops the step there (writing {@code drill.marker});
 * with {@code drill.go=FILE} it goes on once that file exists, else it waits until killed.
 *
 * <pre>
 * s1 (publishes drill.s1) - s2 - cp1 - s3 (remembers a decision) - s4 - cp2 - s5 (reads drill.s1) - s6
 * </pre>
 */
public final class JournalDrillMain {
    /** The plan's name. */
    public static final String PLAN = "shared-drill";

    private JournalDrillMain() {
    }

    /**
     * @param args {@code EFFECTS_FILE} then the program's flags
     */
    public static void main(String[] args) {
        Path effects = Path.of(args[0]);
        int code = RollbackCommand.named("shared-drill")
                .execute(Arrays.copyOfRange(args, 1, args.length), o -> plan(effects));
        System.exit(code);
    }

    static RollbackPlan plan(Path effects) {
        String host = Holder.localHostName();
        return Rollback.plan(PLAN)
                .step(effect("s1", effects, host, ctx -> ctx.output("drill.s1", "published by " + host)))
                .step(effect("s2", effects, host, ctx -> { }))
                .checkpoint("cp1")
                .step(effect("s3", effects, host, ctx -> {
                    String decided = ctx.resolveOnce("drill.decision", () -> "decided on " + host);
                    append(effects, host + " s3 recalled '" + decided + "'\n");
                }))
                .step(effect("s4", effects, host, ctx -> { }))
                .checkpoint("cp2")
                .step(effect("s5", effects, host, ctx -> append(effects, host + " s5 saw '" + ctx.requireOutput("drill.s1") + "'\n")))
                .step(effect("s6", effects, host, ctx -> { }))
                .build();
    }

    private static Step effect(String name, Path effects, String host, dev.rollback.core.StepAction action) {
        return Step.of(name, ctx -> {
            append(effects, host + " " + name + " start\n");
            action.execute(ctx);
            if (System.getProperty("drill.block", "").equals("inside-step:" + name)) {
                block();
            }
            append(effects, host + " " + name + "\n");
        });
    }

    private static void block() throws InterruptedException {
        Path marker = Path.of(System.getProperty("drill.marker"));
        String go = System.getProperty("drill.go");
        try {
            Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
            Files.writeString(tmp, String.valueOf(ProcessHandle.current().pid()));
            Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        while (go == null || !Files.exists(Path.of(go))) {
            Thread.sleep(20);
        }
    }

    static void append(Path file, String line) {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            c.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
