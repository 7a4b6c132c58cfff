package dev.rollback.core.testing;

import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunListener;
import dev.rollback.core.Step;
import dev.rollback.core.cli.RollbackCommand;
import dev.rollback.core.journal.JournalEvent;

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
 * A rollback program for crash drills, started as a child JVM by the tests. Every step appends
 * its name to an effects file (forced to disk), so the parent can count how often each ran.
 * The system property {@code drill.block} makes it stop dead at one point until it is killed:
 * {@code after-step:NAME}, {@code inside-step:NAME} or {@code after-checkpoint:NAME}; it writes
 * the file named by {@code drill.marker} when it gets there. With {@code drill.plan=capture-then-swap}
 * it runs a plan shaped like the seeds' restores instead: a capture of the file named by
 * {@code drill.state} into the run folder, then a destructive swap that overwrites that file, with
 * no checkpoint between them.
 */
public final class CrashDrillMain {
    private CrashDrillMain() {
    }

    /**
     * @param args {@code EFFECTS_FILE} then the usual rollback flags
     */
    public static void main(String[] args) {
        Path effects = Path.of(args[0]);
        String block = System.getProperty("drill.block", "");
        Path marker = Path.of(System.getProperty("drill.marker", effects + ".marker"));
        int code = RollbackCommand.named("crash-drill")
                .customizeRunner(r -> r.listener(new RunListener() {
                    @Override
                    public void event(RollbackPlan plan, JournalEvent e) {
                        if (e instanceof JournalEvent.StepFinished f && block.equals("after-step:" + f.step())
                                || e instanceof JournalEvent.CheckpointReached c && block.equals("after-checkpoint:" + c.name())) {
                            blockForever(marker);
                        }
                    }
                }))
                .execute(Arrays.copyOfRange(args, 1, args.length), o -> System.getProperty("drill.plan", "").equals("capture-then-swap")
                        ? captureThenSwap(effects, Path.of(System.getProperty("drill.state")), block, marker) : plan(effects, block, marker));
        System.exit(code);
    }

    static RollbackPlan plan(Path effects, String block, Path marker) {
        return Rollback.plan("crash-drill")
                .step(effect("s1", effects, block, marker))
                .step(effect("s2", effects, block, marker))
                .checkpoint("cp1")
                .step(effect("s3", effects, block, marker))
                .step(effect("s4", effects, block, marker))
                .checkpoint("cp2")
                .step(effect("s5", effects, block, marker))
                .step(effect("s6", effects, block, marker))
                .build();
    }

    static RollbackPlan captureThenSwap(Path effects, Path state, String block, Path marker) {
        return Rollback.plan("capture-then-swap")
                .capture("forensic copy", ctx -> {
                    append(effects, "forensic copy\n");
                    Files.writeString(ctx.runDirectory().resolve("forensics.txt"), Files.readString(state));
                    ctx.output("forensics.copy", "forensics.txt");
                })
                .restore(new Step() {
                    @Override
                    public String name() {
                        return "swap";
                    }

                    @Override
                    public boolean destructive() {
                        return true;
                    }

                    @Override
                    public void execute(dev.rollback.core.StepContext ctx) throws Exception {
                        append(effects, "swap start\n");
                        Files.writeString(state, "restored from backup");
                        if (block.equals("inside-step:swap")) {
                            blockForever(marker);
                        }
                        append(effects, "swap\n");
                    }
                })
                .step(effect("report", effects, block, marker))
                .build();
    }

    private static Step effect(String name, Path effects, String block, Path marker) {
        return Step.of(name, ctx -> {
            append(effects, name + " start\n");
            if (block.equals("inside-step:" + name)) {
                blockForever(marker);
            }
            append(effects, name + "\n");
            ctx.output("drill." + name, "done");
        });
    }

    private static void append(Path file, String line) {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            c.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
