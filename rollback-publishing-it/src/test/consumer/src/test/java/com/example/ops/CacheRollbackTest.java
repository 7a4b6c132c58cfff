package com.example.ops;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheRollbackTest {
    @TempDir
    Path dir;

    @Test
    void rollsTheConfigBackAndJournalsIt() throws Exception {
        Path config = dir.resolve("cache.conf");
        Files.writeString(config, "ttl=0\n");
        Files.writeString(dir.resolve("cache.conf.previous"), "ttl=60\n");

        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        RunReport report = Rollback.runner().journal(journal).run(CacheRollback.plan(config));

        assertEquals(RunOutcome.SUCCEEDED, report.outcome());
        assertEquals("ttl=60\n", Files.readString(config));
        assertTrue(Files.exists(report.runDirectory().resolve("cache.conf.bad")));
        var events = journal.read("cache-config-back", report.runId());
        assertEquals(11, events.size(), "RunStarted, 4 x (StepStarted, StepFinished), FileCaptured, RunFinished");
        assertEquals(1, events.stream().filter(e -> e instanceof JournalEvent.FileCaptured f && f.path().equals("cache.conf.bad")).count(),
                "the file the capture wrote is journaled with its size and hash");
    }
}
