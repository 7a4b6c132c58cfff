package dev.rollback.core.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders report blocks as one self-contained HTML page: inline CSS and SVG, no script, no font,
 * no image or link that would reach the network (its Content-Security-Policy forbids it), and a
 * print style so that it prints as it shows.
 */
final class HtmlReport {
    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w*])_(.+?)_(?![\\w*])");

    static final String STYLE = """
            :root { --ok: #2e7d32; --bad: #c62828; --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce0; }
            * { box-sizing: border-box; }
            body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); }
            main { max-width: 1020px; margin: 0 auto; padding: 24px; }
            h1 { font-size: 22px; margin: 0 0 16px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
            table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
            th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
            th { background: #f3f4f6; } tr.bad td { background: #fdecea; }
            code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
            code { background: #f3f4f6; padding: 0 3px; border-radius: 3px; }
            pre { background: #1d1d1f; color: #f5f5f7; padding: 10px 12px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
            pre code { background: none; color: inherit; padding: 0; }
            .alert { border: 2px solid var(--bad); border-radius: 8px; padding: 4px 16px 8px; margin: 0 0 20px; background: #fff8f7; }
            .alert h2 { color: var(--bad); border: 0; margin-top: 10px; }
            svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
            svg text.phase { font-weight: 600; } svg text.over { font-weight: 600; fill: var(--bad); }
            svg text.axis, svg text.time { fill: var(--muted); } svg text.gaplabel { fill: #b26a00; font-weight: 600; }
            svg text.downlabel { fill: var(--bad); font-weight: 600; }
            footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
            @media print {
              main { max-width: none; padding: 0; } body { font-size: 11px; }
              * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
              h2 { break-after: avoid; } tr, svg, .alert { break-inside: avoid; }
              pre { background: #fff; color: #000; border: 1px solid #999; }
            }
            """;

    private HtmlReport() {
    }

    static String render(String title, List<Block> blocks) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(SvgTimeline.esc(title)).append("</title>\n<style>").append(STYLE).append("</style>\n</head>\n<body>\n<main>\n");
        blocks.forEach(x -> block(b, x));
        b.append("</main>\n</body>\n</html>\n");
        return b.toString();
    }

    private static void block(StringBuilder b, Block block) {
        if (block instanceof Block.Heading h) {
            b.append("<h").append(h.level()).append('>').append(inline(h.text())).append("</h").append(h.level()).append(">\n");
        } else if (block instanceof Block.Text t) {
            b.append(t.text().startsWith("_") ? "<footer>" : "<p>").append(inline(t.text()))
                    .append(t.text().startsWith("_") ? "</footer>\n" : "</p>\n");
        } else if (block instanceof Block.Bullets l) {
            b.append("<ul>\n");
            for (String item : l.items()) {
                List<String> lines = item.lines().toList();
                b.append("<li>").append(inline(lines.get(0)));
                if (lines.size() > 1) {
                    b.append("<ul>");
                    lines.stream().skip(1).forEach(x -> b.append("<li>").append(inline(x)).append("</li>"));
                    b.append("</ul>");
                }
                b.append("</li>\n");
            }
            b.append("</ul>\n");
        } else if (block instanceof Block.Table t) {
            b.append("<table>\n");
            if (t.headers().stream().anyMatch(x -> !x.isEmpty())) {
                b.append("<thead><tr>");
                t.headers().forEach(x -> b.append("<th>").append(inline(x)).append("</th>"));
                b.append("</tr></thead>\n");
            }
            b.append("<tbody>\n");
            for (List<String> row : t.rows()) {
                boolean bad = row.stream().anyMatch(x -> x.contains("**FAILED") || x.contains("**INTERRUPTED") || x.contains("**NOT approved"));
                b.append(bad ? "<tr class=\"bad\">" : "<tr>");
                row.forEach(x -> b.append("<td>").append(inline(x)).append("</td>"));
                b.append("</tr>\n");
            }
            b.append("</tbody></table>\n");
        } else if (block instanceof Block.Code c) {
            b.append("<pre><code>").append(SvgTimeline.esc(c.text())).append("</code></pre>\n");
        } else if (block instanceof Block.Alert a) {
            b.append("<section class=\"alert\" id=\"current-state\">\n<h2>").append(inline(a.title())).append("</h2>\n");
            a.body().forEach(x -> block(b, x));
            b.append("</section>\n");
        } else if (block instanceof Block.Timeline t) {
            b.append(SvgTimeline.timeline(t.layout()));
        } else if (block instanceof Block.PhaseBudgets p) {
            b.append(SvgTimeline.budgets(p.phases()));
        }
    }

    /** Escapes text, then turns the two inline marks into tags. */
    static String inline(String text) {
        String s = SvgTimeline.esc(text);
        s = CODE.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<code>" + m.group(1) + "</code>"));
        s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<strong>" + m.group(1) + "</strong>"));
        s = ITALIC.matcher(s).replaceAll(m -> Matcher.quoteReplacement("<em>" + m.group(1) + "</em>"));
        return s;
    }
}
