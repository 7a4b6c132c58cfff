package dev.rollback.examples.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command, {@code ./demo}, as a test: the whole rollback against the lab succeeds cleanly. */
class EmbeddedDemoIT {
    @TempDir
    Path work;

    @Test
    void theDemoRollsNextcrmBackToMongoDbWithoutAWarning() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit = EmbeddedDemo.run(work, 300, new PrintStream(console, true, StandardCharsets.UTF_8));
        String printed = console.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("approved by lead@example.com as Migration Lead", "approved by dba@example.com as DBA")
                .contains("Outcome:         SUCCEEDED\n").doesNotContain("FAILED").contains("Downtime: ");
        Matcher loss = Pattern.compile("Data-loss window: (\\d+) rows written to PostgreSQL after the backup \\(expected (\\d+)\\)").matcher(printed);
        assertThat(loss.find()).as(printed).isTrue();
        assertThat(loss.group(1)).isEqualTo(loss.group(2));
        Matcher report = Pattern.compile("Incident report: (\\S+)").matcher(printed);
        assertThat(report.find()).isTrue();
        Path runDirectory = Path.of(report.group(1)).getParent();
        assertThat(Files.readString(runDirectory.resolve("incident-report.md"))).contains("**SUCCEEDED**");
        assertThat(runDirectory.resolve("forensics/application.log")).content().contains("PrismaClientKnownRequestError");
    }
}
