package dev.rollback.core.report;

import dev.rollback.core.Durations;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Renders report blocks as Markdown: tables, a text timeline and a Mermaid {@code gantt} block. */
final class MarkdownReport {
    private static final int WIDTH = 50;

    private MarkdownReport() {
    }

    static String render(List<Block> blocks) {
        StringBuilder b = new StringBuilder();
        blocks.forEach(block -> block(b, block));
        return b.toString();
    }

    private static void block(StringBuilder b, Block block) {
        if (block instanceof Block.Heading h) {
            b.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
        } else if (block instanceof Block.Text t) {
            b.append(t.text()).append("\n\n");
        } else if (block instanceof Block.Bullets l) {
            for (String item : l.items()) {
                List<String> lines = item.lines().toList();
                b.append("- ").append(lines.get(0)).append('\n');
                lines.stream().skip(1).forEach(line -> b.append("  - ").append(line).append('\n'));
            }
            b.append('\n');
        } else if (block instanceof Block.Table t) {
            table(b, t);
        } else if (block instanceof Block.Code c) {
            b.append("```").append(c.language()).append('\n').append(c.text()).append("\n```\n\n");
        } else if (block instanceof Block.Alert a) {
            b.append("## ").append(a.title()).append("\n\n");
            StringBuilder inner = new StringBuilder();
            a.body().forEach(x -> block(inner, x));
            inner.toString().strip().lines().forEach(line -> b.append(line.isEmpty() ? ">" : "> " + line).append('\n'));
            b.append('\n');
        } else if (block instanceof Block.Timeline t) {
            textTimeline(b, t.layout());
            mermaid(b, t.layout());
        } else if (block instanceof Block.PhaseBudgets p) {
            phases(b, p);
        }
    }

    private static void table(StringBuilder b, Block.Table t) {
        b.append("| ").append(String.join(" | ", t.headers().stream().map(MarkdownReport::cell).toList())).append(" |\n|");
        t.headers().forEach(x -> b.append("---|"));
        b.append('\n');
        for (List<String> row : t.rows()) {
            b.append("| ").append(String.join(" | ", row.stream().map(MarkdownReport::cell).toList())).append(" |\n");
        }
        b.append('\n');
    }

    /** One text row per step; a gap between processes is a column of {@code /}. */
    private static void textTimeline(StringBuilder b, TimelineLayout l) {
        if (l.rows.stream().allMatch(r -> r.segments().isEmpty())) {
            return;
        }
        int nameWidth = l.rows.stream().mapToInt(r -> label(r).length()).max().orElse(10);
        if (!l.downtime.isEmpty()) {
            nameWidth = Math.max(nameWidth, "app down".length());
        }
        b.append("```text\n");
        if (!l.downtime.isEmpty()) {
            char[] line = " ".repeat(WIDTH).toCharArray();
            for (TimelineLayout.DownBand d : l.downtime) {
                int from = Math.min(WIDTH - 1, col(d.from()));
                for (int i = from; i <= Math.max(from, Math.min(WIDTH - 1, col(d.to()) - 1)); i++) {
                    line[i] = '=';
                }
            }
            b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s |%s| %s%n", "app down", new String(line),
                    String.join(", ", l.downtime.stream().map(d -> d.label().substring("app down ".length())).toList())));
        }
        for (TimelineLayout.Row r : l.rows) {
            char[] line = " ".repeat(WIDTH).toCharArray();
            for (TimelineLayout.GapBox g : l.gaps) {
                for (int i = col(g.from()); i <= Math.min(WIDTH - 1, col(g.to())); i++) {
                    line[i] = '/';
                }
            }
            for (TimelineLayout.Segment s : r.segments()) {
                int from = Math.min(WIDTH - 1, col(s.from()));
                int to = Math.max(from, Math.min(WIDTH - 1, col(s.to()) - 1));
                char mark = switch (s.kind()) {
                    case OK -> '#';
                    case FAILED -> 'X';
                    case INTERRUPTED -> '!';
                    case RUNNING -> '>';
                };
                for (int i = from; i <= to; i++) {
                    line[i] = mark;
                }
            }
            b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s |%s| %s%s%n", label(r), new String(line), r.time(),
                    r.status().equals("ok") || r.status().isEmpty() ? "" : " " + r.status()));
        }
        b.append("```\n\n");
        if (!l.gaps.isEmpty()) {
            l.gaps.forEach(g -> b.append("- `/` gap: ").append(g.title()).append('\n'));
            b.append('\n');
        }
        l.downtime.forEach(d -> b.append("- `=` ").append(d.title()).append('\n'));
        if (!l.downtime.isEmpty()) {
            b.append('\n');
        }
        b.append("`#` ok, `X` failed, `!` interrupted by the death of its process, `>` running"
                + (l.downtime.isEmpty() ? "" : ", `=` the app was down (stopped to verified healthy)") + ".\n\n");
    }

    private static String label(TimelineLayout.Row r) {
        return r.index() + ". " + r.name();
    }

    private static int col(double x) {
        return (int) Math.round(x * WIDTH);
    }

    /** The same picture for renderers that draw Mermaid (GitHub, GitLab, most wikis). */
    private static void mermaid(StringBuilder b, TimelineLayout l) {
        b.append("```mermaid\ngantt\n    dateFormat x\n    axisFormat %H:%M:%S\n");
        String phase = "";
        int id = 0;
        for (TimelineLayout.Row r : l.rows) {
            if (r.segments().isEmpty()) {
                continue;
            }
            String p = r.phase() == null ? "Steps" : r.phase();
            if (!p.equals(phase)) {
                b.append("    section ").append(mermaidText(p)).append('\n');
                phase = p;
            }
            for (TimelineLayout.Segment s : r.segments()) {
                String tag = switch (s.kind()) {
                    case OK -> "done, ";
                    case FAILED -> "crit, ";
                    case INTERRUPTED, RUNNING -> "active, ";
                };
                long from = s.start().toEpochMilli();
                long to = Math.max(from + 1, s.end().toEpochMilli());
                b.append("    ").append(mermaidText(label(r))).append(" :").append(tag).append("s").append(++id).append(", ")
                        .append(from).append(", ").append(to).append('\n');
            }
        }
        if (!l.downtime.isEmpty()) {
            b.append("    section Downtime\n");
            for (TimelineLayout.DownBand d : l.downtime) {
                b.append("    ").append(mermaidText(d.label())).append(" :crit, d").append(++id).append(", ")
                        .append(d.start().toEpochMilli()).append(", ").append(Math.max(d.start().toEpochMilli() + 1, d.end().toEpochMilli()))
                        .append('\n');
            }
        }
        if (!l.gaps.isEmpty()) {
            b.append("    section Between processes\n");
            for (TimelineLayout.GapBox g : l.gaps) {
                b.append("    ").append(g.crash() ? "process died, resumed later" : "stopped, resumed later").append(" :crit, g")
                        .append(++id).append(", ").append(g.start().toEpochMilli()).append(", ")
                        .append(Math.max(g.start().toEpochMilli() + 1, g.end().toEpochMilli())).append('\n');
            }
        }
        b.append("```\n\n");
    }

    private static String mermaidText(String s) {
        return s.replace(":", " -").replace(";", ",").replace("#", "no.").replace("\n", " ");
    }

    private static void phases(StringBuilder b, Block.PhaseBudgets p) {
        int nameWidth = p.phases().stream().mapToInt(x -> x.name().length()).max().orElse(10);
        b.append("```text\n");
        for (Block.PhaseBurn x : p.phases()) {
            long budget = Math.max(1, x.budgetMillis());
            int used = (int) Math.min(WIDTH, x.actualMillis() * WIDTH / budget);
            b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s [%s] %s of %s%s%n", x.name(), "#".repeat(used) + ".".repeat(WIDTH - used),
                    Durations.human(Duration.ofMillis(x.actualMillis())), Durations.human(Duration.ofMillis(x.budgetMillis())),
                    x.overBudget() ? "  OVER BUDGET" : ""));
        }
        b.append("```\n\n");
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
