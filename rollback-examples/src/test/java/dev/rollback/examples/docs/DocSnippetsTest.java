package dev.rollback.examples.docs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The code shown in README.md and docs/ is the code that compiles and is tested here. */
class DocSnippetsTest {

    @Test
    void everySnippetInTheDocsEqualsItsSource() {
        List<DocSnippets.Drift> drifts = DocSnippets.check(DocSnippets.repositoryRoot());
        assertThat(drifts).as("docs out of date; rewrite them with "
                        + "mvn -B -q -pl rollback-examples test-compile exec:java -Dexec.classpathScope=test "
                        + "-Dexec.mainClass=dev.rollback.examples.docs.DocSnippets%n%s",
                drifts.stream().map(d -> d.doc() + ": " + d.source() + "#" + d.tag() + "\n--- expected\n" + d.expected() + "--- found\n" + d.actual())
                        .collect(Collectors.joining("\n")))
                .isEmpty();
        assertThat(DocSnippets.count(DocSnippets.repositoryRoot())).as("snippets in the docs").isPositive();
    }
}
