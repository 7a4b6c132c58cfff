package dev.rollback.core.report;

import dev.rollback.core.Durations;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Draws a run's timeline and its phases against their budgets as inline SVG: one bar per step
 * (a segment per attempt), a header row per phase with its budget as a dashed frame, approvals as
 * diamonds, the application's downtime as a red band with its length, and the time between
 * processes as a hatched gap. Every shape has a {@code <title>},
 * which browsers show on hover.
 */
final class SvgTimeline {
    private static final int WIDTH = 980;
    private static final int LABEL = 330;
    private static final int CHART = WIDTH - LABEL - 20;
    private static final int ROW = 20;
    private static final int TOP = 40;

    private SvgTimeline() {
    }

    static String timeline(TimelineLayout l) {
        int phaseRows = l.phases.size();
        int rows = l.rows.size() + phaseRows;
        int height = TOP + rows * ROW + 30 + (l.downtime.isEmpty() ? 0 : 14);
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" width=\"100%\" role=\"img\" aria-label=\"Timeline of the run: one bar per step\">\n");
        b.append("<defs><pattern id=\"gap\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"4\" height=\"8\" fill=\"#d0d0d0\"/></pattern>"
                + "<pattern id=\"cut\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"3\" height=\"6\" fill=\"#ef6c00\"/></pattern></defs>\n");
        // axis
        b.append(line(LABEL, TOP - 8, LABEL + CHART, TOP - 8, "#888"));
        b.append(text(LABEL, TOP - 14, "start " + ReportText.clock(l.start), "start", "axis"));
        b.append(text(LABEL + CHART, TOP - 14, "end " + ReportText.clock(l.end) + " (+" + Durations.human(l.total()) + ")", "end", "axis"));
        // approvals on the axis
        for (TimelineLayout.Marker m : l.approvals) {
            double x = px(m.at());
            b.append("<g class=\"approval\"><title>").append(esc(m.title())).append("</title><path d=\"M").append(f(x)).append(' ')
                    .append(TOP - 14).append(" l5 6 l-5 6 l-5 -6 z\" fill=\"").append(m.granted() ? "#1565c0" : "#c62828").append("\"/></g>\n");
        }
        int y = TOP;
        int phaseIndex = 0;
        for (int i = 0; i < l.rows.size(); i++) {
            if (phaseIndex < l.phases.size() && l.phases.get(phaseIndex).firstRow() == i) {
                TimelineLayout.PhaseSpan p = l.phases.get(phaseIndex++);
                int span = (p.lastRow() - p.firstRow() + 2) * ROW;
                b.append("<g class=\"phase\"><title>").append(esc(p.name() + ": " + p.text() + (p.overBudget() ? ", OVER BUDGET" : "")))
                        .append("</title>");
                b.append("<rect x=\"0\" y=\"").append(y).append("\" width=\"").append(WIDTH).append("\" height=\"").append(span)
                        .append("\" fill=\"").append(phaseIndex % 2 == 0 ? "#f7f7f7" : "#eef3f8").append("\"/>");
                b.append(text(6, y + 14, clip(p.name(), 40) + "  " + p.text(), "start", p.overBudget() ? "phase over" : "phase"));
                if (p.to() > p.from()) {
                    double x0 = px(p.from());
                    double x1 = px(p.budgetTo());
                    b.append("<rect class=\"budget\" x=\"").append(f(x0)).append("\" y=\"").append(y + 5).append("\" width=\"")
                            .append(f(Math.max(2, x1 - x0))).append("\" height=\"10\" fill=\"none\" stroke=\"")
                            .append(p.overBudget() ? "#c62828" : "#1565c0").append("\" stroke-dasharray=\"4 3\"/>");
                    b.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(y + 7).append("\" width=\"")
                            .append(f(Math.max(2, px(p.to()) - x0))).append("\" height=\"6\" fill=\"")
                            .append(p.overBudget() ? "#c62828" : "#90a4ae").append("\"/>");
                    if (p.budgetAfter()) {
                        b.append(text(LABEL + CHART + 2, y + 14, "\u2192", "start", "axis"));
                    }
                }
                b.append("</g>\n");
                y += ROW;
            }
            TimelineLayout.Row r = l.rows.get(i);
            b.append("<g class=\"step\" data-step=\"").append(r.index()).append("\" data-status=\"").append(esc(r.status())).append("\">");
            b.append(text(16, y + 14, clip(r.index() + ". " + r.name(), 44), "start", "label"));
            for (TimelineLayout.Segment s : r.segments()) {
                double x0 = px(s.from());
                double w = Math.max(2.5, px(s.to()) - x0);
                String fill = switch (s.kind()) {
                    case OK -> "#2e7d32";
                    case FAILED -> "#c62828";
                    case INTERRUPTED -> "url(#cut)";
                    case RUNNING -> "#1565c0";
                };
                b.append("<rect class=\"bar ").append(s.kind().name().toLowerCase(Locale.ROOT)).append("\" x=\"").append(f(x0))
                        .append("\" y=\"").append(y + 4).append("\" width=\"").append(f(w)).append("\" height=\"12\" rx=\"2\" fill=\"")
                        .append(fill).append("\"><title>").append(esc(s.title())).append("</title></rect>");
            }
            if (!r.time().isEmpty()) {
                double end = r.segments().isEmpty() ? LABEL : px(r.segments().get(r.segments().size() - 1).to());
                boolean right = end < LABEL + CHART - 90;
                b.append(text(right ? end + 4 : LABEL - 4, y + 14, r.time() + (r.status().equals("ok") ? "" : " " + r.status()),
                        right ? "start" : "end", "time"));
            }
            b.append("</g>\n");
            y += ROW;
        }
        for (TimelineLayout.DownBand d : l.downtime) {
            double x0 = px(d.from());
            double w = Math.max(3, px(d.to()) - x0);
            b.append("<g class=\"downtime\"><title>").append(esc(d.title())).append("</title><rect x=\"").append(f(x0)).append("\" y=\"")
                    .append(TOP - 8).append("\" width=\"").append(f(w)).append("\" height=\"").append(y - TOP + 8)
                    .append("\" fill=\"#c62828\" fill-opacity=\"0.10\" stroke=\"#c62828\" stroke-dasharray=\"3 2\"/>")
                    .append("<rect x=\"").append(f(x0)).append("\" y=\"").append(y + 20).append("\" width=\"").append(f(w))
                    .append("\" height=\"4\" fill=\"#c62828\"/>")
                    .append(text(Math.min(LABEL + CHART, Math.max(LABEL, x0 + w / 2)), y + 36, d.label(), "middle", "downlabel"))
                    .append("</g>\n");
        }
        for (TimelineLayout.GapBox g : l.gaps) {
            double x0 = px(g.from());
            double w = Math.max(4, px(g.to()) - x0);
            b.append("<g class=\"gap\"><title>").append(esc(g.title())).append("</title><rect x=\"").append(f(x0)).append("\" y=\"")
                    .append(TOP - 8).append("\" width=\"").append(f(w)).append("\" height=\"").append(y - TOP + 8)
                    .append("\" fill=\"url(#gap)\" opacity=\"0.8\"/>")
                    .append(text(x0 + w / 2, y + 16, g.crash() ? "process died" : "stopped", "middle", "gaplabel")).append("</g>\n");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    static String budgets(List<Block.PhaseBurn> phases) {
        int height = 16 + phases.size() * 24;
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"budgets\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" width=\"100%\" role=\"img\" aria-label=\"Phases against their budgets\">\n");
        int y = 8;
        double full = CHART * 0.6;
        for (Block.PhaseBurn p : phases) {
            double ratio = p.actualMillis() / (double) Math.max(1, p.budgetMillis());
            double w = Math.max(1, Math.min(CHART, full * ratio));
            String label = Durations.human(Duration.ofMillis(p.actualMillis())) + " of " + Durations.human(Duration.ofMillis(p.budgetMillis()))
                    + String.format(Locale.ROOT, " (%.0f %%)", ratio * 100) + (p.overBudget() ? " OVER BUDGET" : "");
            b.append("<g class=\"burn\"><title>").append(esc(p.name() + ": " + label)).append("</title>")
                    .append(text(6, y + 13, clip(p.name(), 44), "start", "label"))
                    .append("<rect x=\"").append(LABEL).append("\" y=\"").append(y + 2).append("\" width=\"").append(f(full))
                    .append("\" height=\"14\" fill=\"#eceff1\"/>")
                    .append("<rect x=\"").append(LABEL).append("\" y=\"").append(y + 2).append("\" width=\"").append(f(w))
                    .append("\" height=\"14\" fill=\"").append(p.overBudget() ? "#c62828" : "#2e7d32").append("\"/>")
                    .append(line(LABEL + full, y, LABEL + full, y + 18, "#1565c0"))
                    .append(text(LABEL + Math.min(CHART, Math.max(w, full)) + 6, y + 13, label, "start", "time")).append("</g>\n");
            y += 24;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double px(double x) {
        return LABEL + x * CHART;
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return "<line x1=\"" + f(x1) + "\" y1=\"" + f(y1) + "\" x2=\"" + f(x2) + "\" y2=\"" + f(y2) + "\" stroke=\"" + color + "\"/>";
    }

    private static String text(double x, double y, String s, String anchor, String cls) {
        return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls + "\">" + esc(s) + "</text>";
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    private static String f(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
