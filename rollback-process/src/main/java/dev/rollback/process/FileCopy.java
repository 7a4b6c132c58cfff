package dev.rollback.process;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Copies a file over another (a config from the last release, a {@code schema.prisma}), after
 * backing up what it overwrites; {@link #restoreStep()} puts the backup back.
 *
 * <pre>{@code
 * FileCopy schema = FileCopy.of(Path.of("prisma/schema.mongodb.prisma"), Path.of("prisma/schema.prisma"));
 * plan.step(schema);                 // backup published as output file.schema.prisma.backup
 * plan.step(schema.restoreStep());   // undo
 * }</pre>
 */
public final class FileCopy implements Step {
    private final Path source;
    private final Path target;

    private FileCopy(Path source, Path target) {
        this.source = source;
        this.target = target;
    }

    /**
     * @param source the file to copy
     * @param target the file to replace (backed up first if it exists)
     * @return the step
     */
    public static FileCopy of(Path source, Path target) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("FileCopy source and target are the same file: " + source);
        }
        return new FileCopy(source, target);
    }

    /** @return the output key under which the backup of the target is published */
    public String backupOutputKey() {
        return "file." + target.getFileName() + ".backup";
    }

    @Override
    public String name() {
        return "copy " + source.getFileName() + " to " + target;
    }

    @Override
    public StepDescription describe() {
        return StepDescription.of(name()).param("source", source).param("target", target).param("backup", "output " + backupOutputKey());
    }

    @Override
    public void execute(StepContext context) {
        try {
            if (!Files.isRegularFile(source)) {
                throw new FileStepException("Cannot copy " + source + ": it does not exist or is not a file; " + target + " is unchanged.", null);
            }
            if (Files.exists(target) && context.output(backupOutputKey()).isEmpty()) {
                context.output(backupOutputKey(), AtomicFiles.backup(target, context.clock()).toString());
            }
            AtomicFiles.write(target, Files.readAllBytes(source));
        } catch (AtomicFiles.ReadOnlyFileException e) {
            throw new FileStepException("Copying " + source + " to " + target + " refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new FileStepException("Copying " + source + " to " + target + " failed: " + e + "; " + target
                    + " is unchanged (writes are atomic).", e);
        }
    }

    /**
     * @return a step putting back the target's backup made by this copy earlier in the run
     */
    public Step restoreStep() {
        return new EnvFile.FileStep("restore " + target + " from backup",
                StepDescription.of("restore " + target + " from backup").param("from", "output " + backupOutputKey())) {
            @Override
            void run(StepContext ctx) throws IOException {
                AtomicFiles.write(target, Files.readAllBytes(Path.of(ctx.requireOutput(backupOutputKey()))));
            }
        };
    }
}
