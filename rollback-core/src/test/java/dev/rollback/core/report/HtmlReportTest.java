package dev.rollback.core.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kind of block of a report as the HTML page shows it, and the inline marks that journal text may carry. */
class HtmlReportTest {

    private static String body(Block... blocks) {
        String html = HtmlReport.render("Run r-1 <of> 'app'", List.of(blocks));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>Run r-1 &lt;of&gt; 'app'</title>")
                .contains("Content-Security-Policy").endsWith("</main>\n</body>\n</html>\n");
        return html.substring(html.indexOf("<main>\n") + 7, html.indexOf("</main>"));
    }

    @Test
    void headingsParagraphsAndTheFooter() {
        assertThat(body(new Block.Heading(3, "Steps & checks"))).isEqualTo("<h3>Steps &amp; checks</h3>\n");
        assertThat(body(new Block.Text("The restore ran."))).isEqualTo("<p>The restore ran.</p>\n");
        assertThat(body(new Block.Text("_Written by rollback from the journal._")))
                .isEqualTo("<footer><em>Written by rollback from the journal.</em></footer>\n");
    }

    @Test
    void bulletsWithSubItemsOnTheirFollowingLines() {
        assertThat(body(new Block.Bullets(List.of("kept: `db_before`", "leftover: a copy\nits size: 2 GB\nremove it by hand", "one"))))
                .isEqualTo("<ul>\n"
                        + "<li>kept: <code>db_before</code></li>\n"
                        + "<li>leftover: a copy<ul><li>its size: 2 GB</li><li>remove it by hand</li></ul></li>\n"
                        + "<li>one</li>\n"
                        + "</ul>\n");
    }

    @Test
    void tablesCallOutTheRowsThatFailedAndDropAnEmptyHeader() {
        String html = body(new Block.Table(List.of("Step", "Status"), List.of(
                List.of("1. dump", "ok"),
                List.of("2. restore", "**FAILED**"),
                List.of("3. start", "**INTERRUPTED**"),
                List.of("4. drop", "**NOT approved** by the DBA"),
                List.of("5. FAILED in its name", "ok"))));
        assertThat(html).isEqualTo("<table>\n"
                + "<thead><tr><th>Step</th><th>Status</th></tr></thead>\n"
                + "<tbody>\n"
                + "<tr><td>1. dump</td><td>ok</td></tr>\n"
                + "<tr class=\"bad\"><td>2. restore</td><td><strong>FAILED</strong></td></tr>\n"
                + "<tr class=\"bad\"><td>3. start</td><td><strong>INTERRUPTED</strong></td></tr>\n"
                + "<tr class=\"bad\"><td>4. drop</td><td><strong>NOT approved</strong> by the DBA</td></tr>\n"
                + "<tr><td>5. FAILED in its name</td><td>ok</td></tr>\n"
                + "</tbody></table>\n");

        assertThat(body(new Block.Table(List.of("", ""), List.of(List.of("Outcome", "FAILED")))))
                .isEqualTo("<table>\n<tbody>\n<tr><td>Outcome</td><td>FAILED</td></tr>\n</tbody></table>\n");
    }

    @Test
    void codeIsShownAsItIsAndTheAlertHoldsItsBlocks() {
        assertThat(body(new Block.Code("bash", "app-rollback --resume r-1 --set 'A=<b> & \"c\"' `x` **y**")))
                .isEqualTo("<pre><code>app-rollback --resume r-1 --set 'A=&lt;b&gt; &amp; &quot;c&quot;' `x` **y**</code></pre>\n");
        assertThat(body(new Block.Alert("The app is **DOWN**", List.of(new Block.Text("Start it."), new Block.Code("bash", "start")))))
                .isEqualTo("<section class=\"alert\" id=\"current-state\">\n<h2>The app is <strong>DOWN</strong></h2>\n"
                        + "<p>Start it.</p>\n<pre><code>start</code></pre>\n</section>\n");
    }

    @Test
    void inlineMarksBecomeTagsAndEverythingElseIsEscaped() {
        assertThat(HtmlReport.inline("`a<b>` **bold** _em_ snake_case_name 2*3 <script>"))
                .isEqualTo("<code>a&lt;b&gt;</code> <strong>bold</strong> <em>em</em> snake_case_name 2*3 &lt;script&gt;");
        assertThat(HtmlReport.inline("$1 and \\ in `$HOME\\bin` and **$2**"))
                .as("replacement text is taken literally").isEqualTo("$1 and \\ in <code>$HOME\\bin</code> and <strong>$2</strong>");
    }

    @Test
    void theTimelineAndTheBudgetsAreInlineSvg() {
        String html = body(new Block.PhaseBudgets(List.of(new Block.PhaseBurn("Phase 1", 1_000, 2_000))));
        assertThat(html).startsWith("<svg class=\"budgets\"").contains("1.0 s of 2.0 s (50 %)");
    }
}
