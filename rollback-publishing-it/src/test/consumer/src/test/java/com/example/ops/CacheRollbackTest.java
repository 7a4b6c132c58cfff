package com.example.ops;

import dev.rollback.core.Rollback;
import dev.rollback.core.RunOutcome;
import dev.rollback.core.RunReport;
import dev.rollback.core.journal.FileJournal;
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
        assertEquals(10, journal.read("cache-config-back", report.runId()).size(),
                "RunStarted, 4 x (StepStarted, StepFinished), RunFinished");
    }
}
