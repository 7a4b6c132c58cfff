package dev.rollback.core.journal;

import dev.rollback.core.StepKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileJournalTest {
    @TempDir
    Path dir;

    private static JournalEvent.StepStarted started(int i) {
        return new JournalEvent.StepStarted("run-1", Instant.parse("2026-11-25T00:00:00Z"), i, "step " + i, StepKind.ACTION, 1);
    }

    private static Holder holder(String runId) {
        return Holder.thisProcess(runId, "tester");
    }

    @Test
    void writesOneJsonLinePerEventAndReadsThemBack() throws Exception {
        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        try (Journal.JournalWriter w = journal.open("nextcrm rollback", holder("run-1"))) {
            w.append(started(1));
            w.append(started(2));
        }
        Path file = journal.file("nextcrm rollback", "run-1");
        assertThat(Files.readAllLines(file)).hasSize(2);
        assertThat(journal.read("nextcrm rollback", "run-1")).containsExactly(started(1), started(2));
        assertThat(journal.runIds("nextcrm rollback")).containsExactly("run-1");
        assertThat(journal.read("nextcrm rollback", "no-such-run")).isEmpty();
    }

    @Test
    void filesAndFoldersAreReadableByTheOwnerOnly() throws Exception {
        FileJournal journal = FileJournal.in(dir.resolve("journal"));
        try (Journal.JournalWriter w = journal.open("p", holder("run-1"))) {
            w.append(started(1));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file("p", "run-1")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("journal")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file("p", "run-1").getParent()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.runDirectory("p", "run-1")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file("p", "run-1").resolveSibling("plan.lock")))).isEqualTo("rw-------");
    }

    @Test
    void aTornLastLineIsIgnoredOnReadAndCutBeforeAppending() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        try (Journal.JournalWriter w = journal.open("p", holder("run-1"))) {
            w.append(started(1));
        }
        Path file = journal.file("p", "run-1");
        Files.writeString(file, "{\"v\":1,\"type\":\"StepStarted\",\"runId\":\"run-1\",\"ti", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        assertThat(journal.read("p", "run-1")).containsExactly(started(1));

        try (Journal.JournalWriter w = journal.open("p", holder("run-1"))) {
            w.append(started(2));
        }
        assertThat(journal.read("p", "run-1")).containsExactly(started(1), started(2));
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void aCorruptLineInTheMiddleIsAnErrorNamingFileAndLine() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        try (Journal.JournalWriter w = journal.open("p", holder("run-1"))) {
            w.append(started(1));
        }
        Path file = journal.file("p", "run-1");
        Files.writeString(file, "garbage\n" + Files.readString(file));
        assertThatThrownBy(() -> journal.read("p", "run-1")).isInstanceOf(JournalException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt at line 1");
    }

    @Test
    void aSecondRunOfThePlanIsRefusedWhileTheFirstHoldsTheLockAndAllowedAfter() {
        FileJournal journal = FileJournal.in(dir);
        Journal.JournalWriter first = journal.open("p", holder("run-1"));
        assertThatThrownBy(() -> journal.open("p", holder("run-2")))
                .isInstanceOf(JournalLockedException.class)
                .hasMessageContaining("Another run of plan 'p' is in progress")
                .hasMessageContaining("pid " + ProcessHandle.current().pid())
                .hasMessageContaining("run run-1");
        // another plan is not blocked
        journal.open("other", holder("run-3")).close();
        first.close();
        journal.open("p", holder("run-2")).close();
    }

    @Test
    void planNamesThatAreNotSafeFileNamesGetTheirOwnFolders() {
        FileJournal journal = FileJournal.in(dir);
        assertThat(journal.planDirectory("../../etc").getParent()).isEqualTo(dir);
        assertThat(journal.planDirectory("a/b")).isNotEqualTo(journal.planDirectory("a_b"));
    }

    @Test
    void folderNamesKeepSafeNamesAndGiveEveryOtherNameAHashOfItsOwn() {
        assertThat(FileJournal.folderName("nextcrm-back_to.mongo-2")).isEqualTo("nextcrm-back_to.mongo-2");
        assertThat(FileJournal.folderName("nextcrm back")).matches("nextcrm_back-[0-9a-f]{8}");
        assertThat(FileJournal.folderName(".hidden")).as("never a hidden folder").matches("\\.hidden-[0-9a-f]{8}");
        assertThat(FileJournal.folderName("a/b")).isNotEqualTo(FileJournal.folderName("a:b")).startsWith("a_b-");
        assertThat(FileJournal.folderName("nextcrm back")).as("the same name, the same folder").isEqualTo(FileJournal.folderName("nextcrm back"));
    }

    @Test
    void planNamesAreReadFromThePlansEventsNotFromTheirFolderNames() throws Exception {
        FileJournal journal = FileJournal.in(dir);
        assertThat(FileJournal.in(dir.resolve("missing")).planNames()).isEmpty();
        try (Journal.JournalWriter w = journal.open("nextcrm back", holder("run-1"))) {
            w.append(new JournalEvent.RunStarted("run-1", Instant.parse("2026-11-25T00:00:00Z"), "nextcrm back", "fp", "tester", "", "h", 1, 1));
        }
        try (Journal.JournalWriter w = journal.open("no start", holder("run-2"))) {
            w.append(started(1));
        }
        Files.createDirectories(dir.resolve("unrelated-folder"));
        Files.writeString(dir.resolve("a-file.txt"), "not a plan");

        assertThat(journal.planNames()).containsExactly("nextcrm back");
        assertThat(journal.toString()).isEqualTo("FileJournal[" + dir + "]");
        assertThat(journal.describeLocation("nextcrm back", "run-1")).isEqualTo(journal.file("nextcrm back", "run-1").toString())
                .endsWith("run-1.jsonl");
        assertThat(journal.lock("nextcrm back")).as("no runner holds it").isEmpty();
        assertThat(journal.lock("never run")).isEmpty();
    }

    @Test
    void anUnwritableRootGivesAClearError() throws Exception {
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> FileJournal.in(file.resolve("j")).open("p", holder("r")))
                .isInstanceOf(JournalException.class).hasMessageContaining("Could not create the journal folder for plan 'p'")
                .hasMessageContaining(file.toString()).hasMessageContaining("a file stands where the journal needs a folder");
    }
}
