package io.faultline.cli.report;

import static io.faultline.cli.report.ReportFormat.deviating;
import static io.faultline.cli.report.ReportFormat.number;

import io.faultline.cli.report.ExperimentReport.Figures;
import io.faultline.cli.report.ExperimentReport.Happening;
import io.faultline.cli.report.ExperimentReport.Run;
import io.faultline.schema.Durations;
import java.time.Instant;
import java.util.Locale;

/**
 * The report as one self-contained HTML page: inline CSS and SVG ({@link SvgCharts}), no script, no
 * network; the verdict and why, the figures, the plots, the tables and the file as run.
 */
public final class HtmlReport {

  private HtmlReport() {}

  public static String render(ExperimentReport report) {
    StringBuilder h = new StringBuilder(64 * 1024);
    String cls =
        switch (report.outcome().exitCode()) {
          case Outcome.HELD -> "held";
          case Outcome.NOT_HELD -> "failed";
          case Outcome.ABORTED -> "aborted";
          default -> "unknown";
        };
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.append("<title>faultline report: ").append(esc(report.name())).append("</title>\n");
    h.append("<style>").append(CSS).append("</style></head><body>\n");
    header(h, report);
    h.append("<section id=\"verdict\" class=\"verdict ")
        .append(cls)
        .append("\"><h2>")
        .append(esc(report.outcome().headline()))
        .append("</h2><p>")
        .append(esc(report.outcome().why()))
        .append("</p></section>\n");
    figures(h, report);

    SvgCharts charts = new SvgCharts(report);
    h.append("<section id=\"timeline\"><h2>Timeline of attacks</h2>\n");
    charts.timeline(h);
    h.append("</section>\n");
    h.append("<section id=\"metrics\"><h2>Control vs experimental</h2>\n");
    h.append(
        "<p class=\"legend\"><span class=\"sw control\"></span>control <span class=\"sw experimental\"></span>experimental"
            + " <span class=\"sw attack\"></span>attack running <span class=\"sw deviation\"></span>first deviating window</p>\n");
    report.metrics().forEach(m -> charts.plot(h, m));
    h.append("</section>\n");

    h.append("<section id=\"judgement\"><h2>Per-metric judgement (Kayenta-style)</h2>\n<table>");
    row(
        h,
        "th",
        "metric",
        "direction",
        "tolerance",
        "critical",
        "classification",
        "interval",
        "state",
        "deviating windows",
        "first deviation",
        "alerts",
        "noisy",
        "time to resolve",
        "MTBF");
    for (MetricReport m : report.metrics()) {
      String c = m.classificationText();
      h.append("<tr><td>")
          .append(esc(m.metric()))
          .append("</td><td>")
          .append(m.direction() == null ? "n/a" : m.direction().toLowerCase(Locale.ROOT))
          .append("</td><td>")
          .append(number(m.tolerance()))
          .append("</td><td>")
          .append(m.critical() ? "yes" : "no")
          .append("</td><td class=\"c-")
          .append(c.toLowerCase(Locale.ROOT).replace('/', '-'))
          .append("\">")
          .append(c)
          .append("</td><td>")
          .append(
              m.intervalLow() == null
                  ? "n/a"
                  : "[" + number(m.intervalLow()) + ", " + number(m.intervalHigh()) + "]")
          .append("</td><td>")
          .append(m.state() == null ? "n/a" : m.state())
          .append("</td><td>")
          .append(ReportFormat.windows(m, " / "))
          .append("</td><td>")
          .append(sinceStart(report, m.firstDeviationAt()))
          .append("</td><td>")
          .append(m.alertsFired())
          .append("</td><td>")
          .append(m.noisyAlerts() == null ? "n/a" : m.noisyAlerts())
          .append("</td><td>")
          .append(Durations.format(m.timeToResolveMs()))
          .append("</td><td>")
          .append(m.judged() ? Durations.format(m.mtbfMs()) : "n/a")
          .append("</td></tr>\n");
    }
    h.append("</table><p class=\"meta\">score: ")
        .append(report.figures() == null ? "n/a" : number(report.figures().score()))
        .append(" (share of metrics classified PASS)</p></section>\n");

    h.append("<section id=\"attacks\"><h2>Attacks</h2>\n<table>");
    row(
        h,
        "th",
        "attack",
        "fault",
        "targets",
        "start",
        "end",
        "MTTD",
        "MTTR",
        "deviating",
        "errors served",
        "error window",
        "DB failover");
    for (AttackPeriod a : report.attacks()) {
      row(
          h,
          "td",
          "<code>" + esc(a.attackId()) + "</code>",
          esc(a.fault()),
          esc(String.join(", ", a.targets())),
          sinceStart(report, a.startedAt()),
          a.endedAt() == null
              ? "n/a"
              : sinceStart(report, a.endedAt())
                  + (a.endedBy() == null ? "" : " " + esc(a.endedBy())),
          Durations.format(a.mttdMs()),
          report.recovery(a.mttrMs()),
          esc(deviating(a)),
          esc(ReportFormat.errorsServed(a.outage())),
          esc(ReportFormat.errorWindow(a.outage())),
          esc(ReportFormat.dbFailover(a.outage())));
    }
    h.append("</table></section>\n");

    h.append("<section id=\"alerts\"><h2>Alerts and events</h2>\n<table>");
    row(h, "th", "time", "what", "detail");
    for (Happening e : report.log()) {
      row(h, "td", sinceStart(report, e.at()), esc(e.what()), esc(e.detail()));
    }
    h.append("</table></section>\n");

    Run run = report.run();
    h.append("<section id=\"definition\"><h2>The experiment file as run</h2><pre>")
        .append(
            esc(
                run == null || run.definition().isBlank()
                    ? "n/a (no Experiment record on the experiments topic)"
                    : run.definition()))
        .append("</pre></section>\n");
    h.append("<footer>faultline report, built from the topics alone at ")
        .append(ReportFormat.TIME.format(Instant.now()))
        .append("</footer>\n");
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void header(StringBuilder h, ExperimentReport report) {
    h.append("<header><h1>")
        .append(esc(report.name()))
        .append("</h1><p class=\"meta\">experiment <code>")
        .append(esc(report.experimentId()))
        .append("</code>");
    Run run = report.run();
    if (run != null) {
      if (run.owner() != null) {
        h.append(" · owner ").append(esc(run.owner()));
      }
      h.append(" · state ").append(run.state());
      if (run.startedAt() != null) {
        h.append(" · started ").append(ReportFormat.time(run.startedAt()));
      }
      if (run.endedAt() != null && run.startedAt() != null) {
        h.append(" · ran ").append(Durations.format(run.endedAt() - run.startedAt()));
      }
    }
    h.append("</p></header>\n");
  }

  private static void figures(StringBuilder h, ExperimentReport report) {
    Figures f = report.figures();
    h.append("<section id=\"figures\" class=\"figures\">");
    figure(h, "MTTD", f == null ? "n/a" : Durations.format(f.mttdMs()), "mean time to detect");
    figure(h, "MTTR", f == null ? "n/a" : report.recovery(f.mttrMs()), "mean time to recover");
    figure(h, "score", f == null ? "n/a" : number(f.score()), "metrics PASS, of 100");
    figure(h, "alerts", f == null ? "n/a" : Long.toString(f.alertsFired()), "fired");
    figure(h, "noisy", f == null ? "n/a" : Long.toString(f.noisyAlerts()), "self-resolving alerts");
    figure(h, "MTBF", f == null ? "n/a" : Durations.format(f.mtbfMs()), "between alert firings");
    figure(h, "windows", Long.toString(report.windowsSeen()), "judged");
    h.append("</section>\n");
  }

  private static void figure(StringBuilder h, String label, String value, String note) {
    h.append("<div class=\"fig\"><div class=\"v\">")
        .append(esc(value))
        .append("</div><div class=\"l\">")
        .append(esc(label))
        .append("</div><div class=\"n\">")
        .append(esc(note))
        .append("</div></div>");
  }

  /** One table row; the cells are HTML already. */
  private static void row(StringBuilder h, String cell, String... cells) {
    h.append("<tr>");
    for (String c : cells) {
      h.append('<').append(cell).append('>').append(c).append("</").append(cell).append('>');
    }
    h.append("</tr>\n");
  }

  private static String sinceStart(ExperimentReport report, Long at) {
    return at == null ? "n/a" : "+" + Durations.format(at - report.t0());
  }

  public static String esc(String s) {
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
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  public static final String CSS =
      """
      body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1000px;color:#1d2430;background:#fff}
      h1{margin:0 0 4px;font-size:24px} h2{font-size:17px;margin:26px 0 8px}
      .meta{color:#5b6573;margin:0} code{font-family:'DejaVu Sans Mono',monospace;font-size:12px}
      .verdict{border-radius:6px;padding:10px 16px;margin:16px 0;border-left:6px solid}
      .verdict h2{margin:0 0 4px} .verdict p{margin:0}
      .held{background:#e8f6ec;border-color:#1f9d55} .failed{background:#fdecec;border-color:#d64545}
      .aborted{background:#fff4e0;border-color:#e08a00} .unknown{background:#eef1f5;border-color:#8a94a3}
      .figures{display:flex;flex-wrap:wrap;gap:10px}
      .fig{border:1px solid #dde2ea;border-radius:6px;padding:8px 12px;min-width:105px}
      .fig .v{font-size:20px;font-weight:600} .fig .l{font-weight:600} .fig .n{color:#5b6573;font-size:12px}
      table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #e3e7ee;padding:4px 6px;text-align:left}
      th{background:#f4f6f9} .c-high,.c-low{color:#c62828;font-weight:600} .c-pass{color:#1f7a3f;font-weight:600}
      pre{background:#f6f8fa;border:1px solid #e3e7ee;padding:10px;overflow:auto;font-size:12px}
      figure.plot{margin:6px 0 14px} svg text{font-size:11px;fill:#3b4452} svg .title{font-size:13px;font-weight:600}
      .axis{stroke:#6b7380} .grid{stroke:#eceff3} .tick{fill:#6b7380}
      rect.attack{fill:#f2b134;fill-opacity:.22} rect.bar{fill:#f2b134} .lbl{font-weight:600}
      polyline{fill:none;stroke-width:2} polyline.control{stroke:#2f6fdb} polyline.experimental{stroke:#e4572e}
      circle.dev{fill:#c62828} circle.detect{fill:#c62828} circle.recover{fill:#1f9d55}
      rect.first-deviation{fill:#c62828;fill-opacity:.18;stroke:#c62828;stroke-dasharray:4 3} .dev-label{fill:#c62828;font-weight:600}
      .muted{fill:#8a94a3;color:#8a94a3}
      .legend .sw{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
      .sw.control{background:#2f6fdb} .sw.experimental{background:#e4572e} .sw.attack{background:#f2b134;opacity:.5} .sw.deviation{background:#c62828;opacity:.4}
      footer{color:#8a94a3;font-size:12px;margin-top:30px}
      """;
}
