package dev.rollback.process;

import dev.rollback.core.Redactor;
import dev.rollback.core.Secret;
import dev.rollback.core.Step;
import dev.rollback.core.StepContext;
import dev.rollback.core.StepDescription;
import dev.rollback.process.internal.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A dotenv file ({@code .env.production}): back it up, set a key (the seeds'
 * {@code sed -i 's|postgresql://.*|mongodb://...|'}), restore it. Comments, order and other keys
 * are kept. Values are quoted as a shell would need them, so {@code =}, quotes, {@code #} and
 * spaces survive and the file can still be {@code source}d.
 *
 * <p>The file stays the file it was: a symbolic link is written through to its target and stays a
 * link; owner, group and mode are kept; writes are atomic (temporary file beside it, then a move),
 * or in place when only that keeps owner and group. A file the runner's user cannot write, or one
 * with no write bit at all ({@code 0444}, which root could otherwise write), is refused with a
 * {@link FileStepException} naming its mode and the fix, and left unchanged. Backups are
 * owner-only ({@code 0600}): they hold the file's secrets.
 *
 * <pre>{@code
 * EnvFile env = EnvFile.at(Path.of("/srv/nextcrm/.env.production"));
 * plan.capture(env.backup())                                  // output envfile.<name>.backup
 *     .step(env.set("DATABASE_URL", Secret.fromEnv("MONGO_URL")))
 *     ...
 *     .step(env.restoreFromBackup());                         // put the old file back
 * }</pre>
 */
public final class EnvFile {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9_./:@%+,=-]*");

    private final Path path;

    private EnvFile(Path path) {
        this.path = path;
    }

    /**
     * @param path the env file
     * @return the env file
     */
    public static EnvFile at(Path path) {
        return new EnvFile(Objects.requireNonNull(path, "path"));
    }

    /** @return the file */
    public Path path() {
        return path;
    }

    /** @return the output key under which {@link #backup()} publishes the backup's path */
    public String backupOutputKey() {
        return "envfile." + path.getFileName() + ".backup";
    }

    /**
     * Reads the file's keys and values, quotes removed.
     *
     * @return the entries in file order (the last one wins for a key set twice)
     * @throws FileStepException when it cannot be read
     */
    public Map<String, String> read() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines()) {
            Entry e = parse(line);
            if (e != null) {
                values.put(e.key, e.value);
            }
        }
        return values;
    }

    /**
     * @param key a key
     * @return its value, if set
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(read().get(key));
    }

    /**
     * A step that copies the file to {@code <file>.backup-<UTC timestamp>} (permissions kept) and
     * publishes its path as output {@link #backupOutputKey()}. Run again in the same run, it keeps
     * the first backup.
     *
     * @return the step
     */
    public Step backup() {
        return new FileStep("back up " + path, StepDescription.of("back up " + path).param("file", path)) {
            @Override
            void run(StepContext ctx) throws IOException {
                // Run again after a resume: keep the first backup, which holds the file before any change.
                Optional<String> earlier = ctx.output(backupOutputKey());
                if (earlier.isPresent() && Files.exists(Path.of(earlier.get()))) {
                    return;
                }
                Path b = AtomicFiles.backup(path, ctx.clock());
                ctx.output(backupOutputKey(), b.toString());
            }
        };
    }

    /**
     * A step that sets a key, replacing every line that sets it, or appending it.
     *
     * @param key   the key, such as {@code DATABASE_URL}
     * @param value the value; shown redacted in descriptions
     * @return the step
     */
    public Step set(String key, String value) {
        return setStep(key, Objects.requireNonNull(value, "value"), value);
    }

    /**
     * A step that sets a key to a secret; the value is masked in descriptions, journal and logs.
     *
     * @param key   the key
     * @param value the secret
     * @return the step
     */
    public Step set(String key, Secret value) {
        return setStep(key, Objects.requireNonNull(value, "value").reveal(), value);
    }

    private Step setStep(String key, String value, Object shown) {
        checkKey(key);
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("The value for " + key + " contains a line break, which env files cannot hold on one line");
        }
        StepDescription d = StepDescription.of("set " + key + " in " + path).param("file", path).param(key, shown);
        return new FileStep("set " + key + " in " + path.getFileName(), d) {
            @Override
            void run(StepContext ctx) throws IOException {
                List<String> out = new ArrayList<>();
                boolean done = false;
                for (String line : lines()) {
                    Entry e = parse(line);
                    if (e != null && e.key.equals(key)) {
                        if (!done) {
                            out.add((e.exported ? "export " : "") + key + "=" + quote(value));
                            done = true;
                        }
                    } else {
                        out.add(line);
                    }
                }
                if (!done) {
                    out.add(key + "=" + quote(value));
                }
                AtomicFiles.write(path, (String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /**
     * A step that puts the content of {@code source} back in place of the file, atomically.
     *
     * @param source an earlier copy of the file
     * @return the step
     */
    public Step restoreFrom(Path source) {
        Objects.requireNonNull(source, "source");
        return new FileStep("restore " + path.getFileName() + " from " + source.getFileName(),
                StepDescription.of("restore " + path + " from " + source).param("file", path).param("from", source)) {
            @Override
            void run(StepContext ctx) throws IOException {
                AtomicFiles.write(path, Files.readAllBytes(source));
            }
        };
    }

    /**
     * A step that restores the backup made by {@link #backup()} earlier in the run (also before a resume).
     *
     * @return the step
     */
    public Step restoreFromBackup() {
        return new FileStep("restore " + path.getFileName() + " from backup",
                StepDescription.of("restore " + path + " from its backup").param("file", path).param("from", "output " + backupOutputKey())) {
            @Override
            void run(StepContext ctx) throws IOException {
                AtomicFiles.write(path, Files.readAllBytes(Path.of(ctx.requireOutput(backupOutputKey()))));
            }
        };
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FileStepException("Env file " + path + " does not exist; nothing was changed. Check the path.", e);
        } catch (IOException e) {
            throw new FileStepException("Cannot read env file " + path + ": " + e + "; nothing was changed.", e);
        }
    }

    private static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("Invalid env key '" + key + "': use letters, digits, '_' and '.', not starting with a digit");
        }
    }

    /** One KEY=value line. */
    private static final class Entry {
        final String key;
        final String value;
        final boolean exported;

        Entry(String key, String value, boolean exported) {
            this.key = key;
            this.value = value;
            this.exported = exported;
        }
    }

    static Entry parse(String line) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        boolean exported = false;
        if (s.startsWith("export ")) {
            exported = true;
            s = s.substring(7).stripLeading();
        }
        int eq = s.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        String key = s.substring(0, eq).strip();
        if (!KEY.matcher(key).matches()) {
            return null;
        }
        return new Entry(key, unquote(s.substring(eq + 1)), exported);
    }

    static String unquote(String raw) {
        String v = raw.stripLeading();
        if (v.startsWith("'")) {
            int end = v.indexOf('\'', 1);
            return end < 0 ? v.substring(1) : v.substring(1, end);
        }
        if (v.startsWith("\"")) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() && "\\\"$`".indexOf(v.charAt(i + 1)) >= 0) {
                    b.append(v.charAt(++i));
                } else if (c == '"') {
                    break;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
        // unquoted: an inline comment starts at whitespace followed by '#'
        int hash = -1;
        for (int i = 1; i < v.length(); i++) {
            if (v.charAt(i) == '#' && Character.isWhitespace(v.charAt(i - 1))) {
                hash = i;
                break;
            }
        }
        return (hash < 0 ? v : v.substring(0, hash)).strip();
    }

    static String quote(String value) {
        if (SIMPLE.matcher(value).matches() && !value.isEmpty()) {
            return value;
        }
        if (value.indexOf('\'') < 0) {
            return "'" + value + "'";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if ("\\\"$`".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    /** A step on a file whose I/O failures become {@link FileStepException}s. */
    abstract static class FileStep implements Step {
        private final String name;
        private final StepDescription description;

        FileStep(String name, StepDescription description) {
            this.name = Redactor.redact(name);
            this.description = description;
        }

        abstract void run(StepContext ctx) throws IOException;

        @Override
        public String name() {
            return name;
        }

        @Override
        public StepDescription describe() {
            return description;
        }

        @Override
        public void execute(StepContext context) {
            try {
                run(context);
            } catch (AtomicFiles.ReadOnlyFileException e) {
                throw new FileStepException(name + " refused: " + e.getMessage(), e);
            } catch (NoSuchFileException e) {
                throw new FileStepException(name + " failed: " + e.getFile() + " does not exist" + (e.getReason() == null ? "" : " (" + e.getReason() + ")")
                        + "; the target file is unchanged.", e);
            } catch (IOException e) {
                throw new FileStepException(name + " failed: " + e + "; the target file is unchanged (writes are atomic). "
                        + "Check the folder's permissions and free space.", e);
            }
        }
    }
}
