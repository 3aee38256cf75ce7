package io.faultline.cli.report;

import static io.faultline.cli.report.HtmlReport.esc;
import static io.faultline.cli.report.ReportFormat.number;

import io.faultline.cli.report.MetricReport.Window;
import io.faultline.schema.Durations;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The report's inline SVG: a timeline of attacks and, per metric, control vs experimental window
 * means over the same time axis ({@link ExperimentReport#t0()} to {@link ExperimentReport#t1()}).
 */
final class SvgCharts {

  private static final int W = 960;
  private static final int LEFT = 110;
  private static final int RIGHT = 20;

  private final ExperimentReport report;

  SvgCharts(ExperimentReport report) {
    this.report = report;
  }

  private double x(long t) {
    return LEFT + (double) (t - report.t0()) * (W - LEFT - RIGHT) / (report.t1() - report.t0());
  }

  private double end(AttackPeriod a) {
    return x(a.endedAt() == null ? report.t1() : a.endedAt());
  }

  private static void open(StringBuilder h, String attrs, int height, String label) {
    h.append("<svg ")
        .append(attrs)
        .append("xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(label))
        .append('"');
  }

  void timeline(StringBuilder h) {
    int rowH = 26;
    List<AttackPeriod> attacks = report.attacks();
    int height = 40 + Math.max(1, attacks.size()) * rowH;
    open(h, "class=\"timeline\" ", height, "attack timeline");
    h.append(">\n");
    timeAxis(h, height - 20, 10);
    if (attacks.isEmpty()) {
      h.append("<text x=\"")
          .append(LEFT)
          .append("\" y=\"24\" class=\"muted\">no attack started</text>");
    }
    int y = 10;
    for (AttackPeriod a : attacks) {
      double xs = x(a.startedAt());
      h.append(
          fmt(
              "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\"><title>%s</title></rect>",
              xs, y, Math.max(3, end(a) - xs), esc(a.attackId())));
      String label = a.fault().length() > 17 ? a.fault().substring(0, 16) + "…" : a.fault();
      h.append(
          fmt(
              "<text x=\"%d\" y=\"%d\" class=\"lbl\" text-anchor=\"end\">%s</text>",
              LEFT - 6, y + 12, esc(label)));
      if (a.detectedAt() != null) {
        h.append(
            fmt(
                "<circle class=\"detect\" cx=\"%.1f\" cy=\"%d\" r=\"5\"><title>detected after %s</title></circle>",
                x(a.detectedAt()), y + 8, Durations.format(a.mttdMs())));
      }
      if (a.recoveredAt() != null) {
        h.append(
            fmt(
                "<circle class=\"recover\" cx=\"%.1f\" cy=\"%d\" r=\"5\"><title>recovered in %s</title></circle>",
                x(a.recoveredAt()), y + 8, report.recovery(a.mttrMs())));
      }
      y += rowH;
    }
    h.append("</svg>\n");
  }

  private void timeAxis(StringBuilder h, int y, int top) {
    h.append(
        fmt(
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
            LEFT, y, W - RIGHT, y));
    long span = (report.t1() - report.t0()) / 1000;
    long step = niceStep(span / 8.0);
    for (long s = 0; s <= span; s += step) {
      double xx = x(report.t0() + s * 1000);
      h.append(
          fmt(
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
              xx, top, xx, y));
      h.append(
          fmt(
              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>",
              xx, y + 14, s));
    }
  }

  private static long niceStep(double raw) {
    for (long s : new long[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600}) {
      if (s >= raw) {
        return s;
      }
    }
    return 7200;
  }

  /** Control vs experimental window means, attacks shaded, the first deviating window marked. */
  void plot(StringBuilder h, MetricReport metric) {
    int height = 220;
    int top = 28;
    int bottom = height - 24;
    h.append("<figure class=\"plot\">");
    open(h, "", height, metric.metric());
    h.append(" data-metric=\"").append(esc(metric.metric())).append("\">\n");
    h.append("<text class=\"title\" x=\"")
        .append(LEFT)
        .append("\" y=\"16\">")
        .append(esc(metric.metric()))
        .append(" (window mean)</text>\n");
    for (AttackPeriod a : report.attacks()) {
      double xs = x(a.startedAt());
      h.append(
          fmt(
              "<rect class=\"attack\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
              xs, top, Math.max(2, end(a) - xs), bottom - top, esc(a.fault())));
    }
    timeAxis(h, bottom, top);
    List<Window> windows = metric.series();
    if (windows.isEmpty()) {
      h.append("<text class=\"muted\" x=\"")
          .append(W / 2)
          .append("\" y=\"")
          .append((top + bottom) / 2)
          .append("\" text-anchor=\"middle\">no window verdicts</text></svg></figure>\n");
      return;
    }
    double max = 0;
    double min = 0;
    for (Window w : windows) {
      max = Math.max(max, Math.max(w.control(), w.experimental()));
      min = Math.min(min, Math.min(w.control(), w.experimental()));
    }
    if (max == min) {
      max = min + 1;
    }
    final double lo = min;
    final double hi = max * 1.05;
    DoubleUnaryOperator yOf = v -> bottom - (v - lo) * (bottom - top) / (hi - lo);
    for (int i = 0; i <= 4; i++) {
      double val = lo + (hi - lo) * i / 4;
      double yy = yOf.applyAsDouble(val);
      h.append(
          fmt(
              "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              LEFT, yy, W - RIGHT, yy, LEFT - 6, yy + 4, number(val)));
    }
    StringBuilder control = new StringBuilder();
    StringBuilder experimental = new StringBuilder();
    for (Window w : windows) {
      double mid = x((w.start() + w.end()) / 2);
      control.append(fmt("%.1f,%.1f ", mid, yOf.applyAsDouble(w.control())));
      experimental.append(fmt("%.1f,%.1f ", mid, yOf.applyAsDouble(w.experimental())));
    }
    h.append("<polyline class=\"control\" points=\"")
        .append(control.toString().strip())
        .append("\"/>\n");
    h.append("<polyline class=\"experimental\" points=\"")
        .append(experimental.toString().strip())
        .append("\"/>\n");
    for (Window w : windows) {
      if (w.deviating()) {
        h.append(
            fmt(
                "<circle class=\"dev\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>DEVIATING, effect %s</title></circle>",
                x((w.start() + w.end()) / 2),
                yOf.applyAsDouble(w.experimental()),
                number(w.effect())));
      }
    }
    Window first = metric.firstDeviation();
    if (first != null) {
      double xs = x(first.start());
      double xe = x(first.end());
      h.append(
          fmt(
              "<rect class=\"first-deviation\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
                  + "<text class=\"dev-label\" x=\"%.1f\" y=\"%d\">first deviation +%s</text>\n",
              xs,
              top,
              Math.max(2, xe - xs),
              bottom - top,
              Math.min(xe + 4, W - 170.0),
              top + 12,
              Durations.format(first.start() - report.t0())));
    }
    h.append("</svg></figure>\n");
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
