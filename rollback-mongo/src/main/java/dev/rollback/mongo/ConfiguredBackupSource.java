package dev.rollback.mongo;

import dev.rollback.core.StepContext;

import java.nio.file.Path;
import java.util.Objects;

/** A backup source read with options; the path comes from the source it wraps. */
final class ConfiguredBackupSource implements BackupSource {
    private final BackupSource base;
    private final BackupOptions options;

    ConfiguredBackupSource(BackupSource base, BackupOptions options) {
        this.base = base instanceof ConfiguredBackupSource c ? c.base : Objects.requireNonNull(base, "base");
        this.options = options;
    }

    @Override
    public Path resolve(StepContext context) {
        return base.resolve(context);
    }

    @Override
    public String description() {
        String o = options.describe();
        return base.description() + (o.isEmpty() ? "" : " (" + o + ")");
    }

    @Override
    public BackupOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "BackupSource[" + description() + "]";
    }
}
