package dev.rollback.process;

import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The seeds' status-page file ({@code echo "System Maintenance - Restoring from Backup" >
 * /var/www/status-page/message.txt}), written atomically so the web server never serves half a message.
 *
 * <pre>{@code
 * plan.step(StatusPage.file(Path.of("/var/www/status-page/message.txt")).message("System Maintenance - Restoring from Backup"));
 * }</pre>
 */
public final class StatusPage {
    private final Path file;

    private StatusPage(Path file) {
        this.file = file;
    }

    /**
     * @param file the message file the status page serves
     * @return the status page
     */
    public static StatusPage file(Path file) {
        return new StatusPage(Objects.requireNonNull(file, "file"));
    }

    /**
     * @param text the message; {@code ${plan}} and {@code ${runId}} are replaced when it runs
     * @return a step writing it
     */
    public Step message(String text) {
        Objects.requireNonNull(text, "text");
        return new EnvFile.FileStep("status page: " + (text.length() <= 40 ? text : text.substring(0, 37) + "..."),
                StepDescription.of("write status page " + file).param("message", text)) {
            @Override
            void run(StepContext ctx) throws IOException {
                String t = text.replace("${plan}", ctx.planName()).replace("${runId}", ctx.runId());
                AtomicFiles.write(file, (t.endsWith("\n") ? t : t + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }
}
