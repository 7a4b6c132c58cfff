package dev.rollback.process.internal;

import dev.rollback.core.Redactor;
import dev.rollback.core.StepContext;
import org.apache.commons.exec.LogOutputStream;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** Receives one output stream of a command line by line: logs it (redacted) and keeps the last lines. */
final class OutputLines extends LogOutputStream {
    private final Logger log;
    private final String prefix;
    private final int keep;
    private final StepContext context;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private long count;

    OutputLines(Logger log, String prefix, int keep, StepContext context) {
        super(0, StandardCharsets.UTF_8);
        this.log = log;
        this.prefix = prefix;
        this.keep = keep;
        this.context = context;
    }

    @Override
    protected void processLine(String line, int level) {
        String safe = Redactor.redact(line);
        log.info("{} {}", prefix, safe);
        synchronized (lines) {
            lines.addLast(safe);
            if (lines.size() > keep) {
                lines.removeFirst();
            }
            count++;
        }
        if (context != null) {
            context.progress(prefix + " " + safe);
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    long count() {
        synchronized (lines) {
            return count;
        }
    }
}
