package dev.rollback.test;

import dev.rollback.core.ConsoleProgress;
import dev.rollback.core.FailurePolicy;
import dev.rollback.core.PlanBuilder;
import dev.rollback.core.Redactor;
import dev.rollback.core.Rollback;
import dev.rollback.core.RollbackPlan;
import dev.rollback.core.RunNotResumableException;
import dev.rollback.core.RunReport;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.core.StepOptions;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.IncidentReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated redaction test: 1,200 texts (and 1,000 more through a real run) carrying a password in every form a configuration or an
 * error message carries one (URLs with and without {@code //}, malformed ones, DSNs, JDBC properties,
 * query parameters, headers, registered secrets; see {@link SecretLeakCases}). No part of any
 * password comes back from the redactor, from an exception's message, or from a real run whose steps
 * fail with the text, publish it and report progress with it: not in the journal file, the incident
 * report, the run report, the console progress or the SLF4J log lines.
 */
class RedactionGeneratedTest {
    private static final long SEED = 20261129L;
    private static final int CASES = 1_200;
    private static final int PER_STEP = 10;

    @TempDir
    Path tmp;

    @Test
    void noPasswordComesBackFromTheRedactorOrAnExceptionMessage() {
        List<SecretLeakCases.Case> cases = SecretLeakCases.generate(SEED, CASES);
        List<String> leaks = new ArrayList<>();
        for (SecretLeakCases.Case c : cases) {
            String redacted = Redactor.redact(c.text());
            if (c.leaksIn(redacted)) {
                leaks.add(c + "\n    -> " + redacted);
            }
            String message = new RunNotResumableException(c.text()).getMessage();
            if (c.leaksIn(message)) {
                leaks.add(c + "\n    -> exception message " + message);
            }
        }
        assertThat(leaks).as("seed " + SEED + ": %d of %d cases leak", leaks.size(), cases.size()).isEmpty();
        assertThat(cases.stream().map(SecretLeakCases.Case::form).distinct().count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void noPasswordReachesTheJournalTheReportTheConsoleOrTheLogOfARealRun() throws IOException {
        List<SecretLeakCases.Case> cases = SecretLeakCases.generate(SEED + 1, 1_000);
        // ten texts per step, one per line: 100 steps keep the run (two fsyncs per step) fast
        PlanBuilder b = Rollback.plan("leaky-messages");
        int steps = 0;
        for (int i = 0; i < cases.size(); i += PER_STEP) {
            List<String> texts = cases.subList(i, Math.min(cases.size(), i + PER_STEP)).stream().map(SecretLeakCases.Case::text).toList();
            b.step(new LeakyStep("case " + steps++, String.join("\n", texts)), StepOptions.defaults().onFailure(FailurePolicy.CONTINUE));
        }
        RollbackPlan plan = b.build();
        FileJournal journal = FileJournal.in(tmp.resolve("journal"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        RunReport report;
        // slf4j-simple writes to System.err as it is when a line is logged; the runner logs each step at INFO / WARN
        // only when no console progress follows the run, so the console gets a run of its own
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            report = Rollback.runner().journal(journal).run(plan);
            Rollback.runner().journal(FileJournal.in(tmp.resolve("journal-console")))
                    .listener(ConsoleProgress.to(new PrintStream(console, true, StandardCharsets.UTF_8))).run(plan);
        } finally {
            System.setErr(stderr);
        }

        String journalText = Files.readString(journal.file(plan.name(), report.runId()));
        String reportText = Files.readString(report.runDirectory().resolve(IncidentReport.FILE_NAME));
        String logText = log.toString(StandardCharsets.UTF_8);
        String everything;
        try (Stream<Path> files = Files.walk(tmp)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f));
            }
            everything = all.toString();
        }
        String outcome = report.toString() + report.outputs() + report.failureIfAny();
        // the run really carried every text through: each step failed with it and published it
        assertThat(report.steps()).hasSize(steps);
        assertThat(logText).contains("Step 'case 0' failed").contains("Step 'case " + (steps - 1) + "' failed");
        assertThat(reportText).contains("case " + (steps - 1));
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("case " + (steps - 1)).contains("could not connect with");
        assertThat(journalText).contains("could not connect with");
        List<String> leaks = new ArrayList<>();
        for (SecretLeakCases.Case c : cases) {
            for (String[] where : new String[][] {{"journal", journalText}, {"incident report", reportText}, {"log", logText},
                    {"console", console.toString(StandardCharsets.UTF_8)}, {"run report", outcome}, {"journal folder", everything}}) {
                if (c.leaksIn(where[1])) {
                    leaks.add(where[0] + ": " + c);
                }
            }
        }
        assertThat(leaks).as("seed " + (SEED + 1)).isEmpty();
    }

    /** A step that carries the text everywhere a step can: description, progress, output, failure. */
    private record LeakyStep(String name, String text) implements Step {
        @Override
        public StepDescription describe() {
            return StepDescription.of("connect with " + text).param("url", text).command(List.of("psql", text));
        }

        @Override
        public void execute(StepContext context) {
            context.progress("trying " + text);
            context.output("leaky.url", text);
            throw new IllegalStateException("could not connect with " + text);
        }
    }
}
