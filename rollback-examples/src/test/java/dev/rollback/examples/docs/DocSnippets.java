package dev.rollback.examples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the code in the docs equal to compiled, tested code. A Markdown file marks a snippet as
 *
 * <pre>
 * &lt;!-- snippet: rollback-examples/src/main/java/.../Seed000.java#plan --&gt;
 * ```java
 * ...
 * ```
 * &lt;!-- end snippet --&gt;
 * </pre>
 *
 * and the source file marks the region with {@code // tag::plan[]} and {@code // end::plan[]}.
 * {@link #check(Path)} lists every snippet that differs from its source; {@link #write(Path)}
 * rewrites them. {@code DocSnippetsTest} fails the build on any difference.
 */
public final class DocSnippets {
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- snippet: ([^#\\s]+)#([\\w.-]+) -->\\n```(\\w*)\\n(.*?)```\\n<!-- end snippet -->", Pattern.DOTALL);

    private DocSnippets() {
    }

    /** One snippet that differs from its source. */
    record Drift(Path doc, String source, String tag, String expected, String actual) {
    }

    /**
     * @param root the repository root
     * @return the snippets that differ (empty when the docs are up to date)
     */
    static List<Drift> check(Path root) {
        List<Drift> drifts = new ArrayList<>();
        for (Path doc : docs(root)) {
            String text = read(doc);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                String expected = region(root, m.group(1), m.group(2));
                if (!expected.equals(m.group(4))) {
                    drifts.add(new Drift(doc, m.group(1), m.group(2), expected, m.group(4)));
                }
            }
        }
        return drifts;
    }

    /**
     * @param root the repository root
     * @return how many snippets there are in all docs
     */
    static int count(Path root) {
        int n = 0;
        for (Path doc : docs(root)) {
            Matcher m = BLOCK.matcher(read(doc));
            while (m.find()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Rewrites every snippet from its source.
     *
     * @param root the repository root
     */
    static void write(Path root) {
        for (Path doc : docs(root)) {
            String text = read(doc);
            Matcher m = BLOCK.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String code = region(root, m.group(1), m.group(2));
                m.appendReplacement(out, Matcher.quoteReplacement("<!-- snippet: " + m.group(1) + "#" + m.group(2) + " -->\n```"
                        + m.group(3) + "\n" + code + "```\n<!-- end snippet -->"));
            }
            m.appendTail(out);
            if (!out.toString().equals(text)) {
                try {
                    Files.writeString(doc, out.toString(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The tagged region of a source file, without the tag lines, with common indentation removed. */
    static String region(Path root, String source, String tag) {
        Path file = root.resolve(source);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("snippet source " + source + " does not exist");
        }
        List<String> lines = read(file).lines().toList();
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.equals("// tag::" + tag + "[]")) {
                start = i + 1;
            } else if (l.equals("// end::" + tag + "[]") && start >= 0) {
                end = i;
                break;
            }
        }
        if (start < 0 || end < 0) {
            throw new IllegalStateException("no region '" + tag + "' (// tag::" + tag + "[] ... // end::" + tag + "[]) in " + source);
        }
        List<String> region = lines.subList(start, end);
        int indent = region.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String l : region) {
            b.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return b.toString();
    }

    private static List<Path> docs(Path root) {
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rewrites the docs' snippets from their sources.
     *
     * <pre>mvn -B -q -pl rollback-examples test-compile exec:java -Dexec.classpathScope=test \
     *     -Dexec.mainClass=dev.rollback.examples.docs.DocSnippets</pre>
     *
     * @param args optional repository root (default: the parent of the working directory's module, or it)
     */
    public static void main(String[] args) {
        Path root = args.length > 0 ? Path.of(args[0]) : repositoryRoot();
        write(root);
        System.out.println("Docs snippets rewritten under " + root + " (" + count(root) + " snippets)");
    }

    /** @return the repository root, from a module folder or the root itself */
    public static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("docs")) ? here : here.getParent();
    }
}
