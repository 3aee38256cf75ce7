package io.faultline.cli.history;

import io.faultline.cli.report.HtmlReport;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The history as one HTML page in the report's style: per service the week table and a small trend
 * plot (inline SVG, no script) of held share, incidents, alerts, noisy alerts and the p50 of MTTD,
 * MTTR, MTBF and alert time to resolve across the weeks shown, and the top alerts of each week.
 */
public final class HistoryHtml {

  private static final int W = 300;
  private static final int H = 70;

  private HistoryHtml() {}

  public static String render(List<HistoryTable.ServiceRows> services) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>faultline history</title><style>")
        .append(HtmlReport.CSS)
        .append("</style></head><body>\n<h1>Resilience over time</h1>\n")
        .append("<p class=\"meta\">per service and ISO week of the experiments' start</p>\n");
    if (services.isEmpty()) {
      h.append("<p>No history yet.</p>");
    }
    for (HistoryTable.ServiceRows s : services) {
      h.append("<section class=\"service\"><h2>")
          .append(HtmlReport.esc(s.service()))
          .append("</h2>\n<div class=\"figures\">");
      plot(h, "held %", s.weeks(), WeekFigures::heldPercent);
      plot(h, "incidents", s.weeks(), w -> (double) w.incidentsTotal());
      plot(h, "alerts", s.weeks(), w -> (double) w.alerts());
      plot(h, "noisy alerts", s.weeks(), w -> (double) w.noisyAlerts());
      plot(h, "MTTD p50 (ms)", s.weeks(), w -> p50(w.mttd()));
      plot(h, "MTTR p50 (ms)", s.weeks(), w -> p50(w.mttr()));
      plot(h, "MTBF p50 (ms)", s.weeks(), w -> p50(w.mtbf()));
      plot(h, "alert time to resolve p50 (ms)", s.weeks(), w -> p50(w.timeToResolve()));
      h.append("</div>\n<table><tr><th>week</th><th>runs</th><th>held</th><th>not held</th>")
          .append("<th>incidents by SEV</th><th>alerts</th><th>noisy</th><th>MTTD p50</th>")
          .append("<th>MTTR p50</th><th>MTBF p50</th><th>time to resolve p50</th>")
          .append("<th>top alerts</th></tr>\n");
      for (WeekFigures w : s.weeks()) {
        row(h, w);
      }
      if (s.allTime() != null) {
        row(h, s.allTime());
      }
      h.append("</table></section>\n");
    }
    return h.append("</body></html>\n").toString();
  }

  private static void row(StringBuilder h, WeekFigures w) {
    h.append("<tr><td>")
        .append(HtmlReport.esc(w.week()))
        .append("</td><td>")
        .append(w.experiments())
        .append("</td><td>")
        .append(w.held())
        .append("</td><td>")
        .append(w.notHeld())
        .append("</td><td>")
        .append(
            HtmlReport.esc(
                w.incidents().isEmpty() ? "-" : new java.util.TreeMap<>(w.incidents()).toString()))
        .append("</td><td>")
        .append(w.alerts())
        .append("</td><td>")
        .append(w.noisyAlerts())
        .append("</td><td>")
        .append(HistoryTable.ms(w.mttd().p50Ms()))
        .append("</td><td>")
        .append(HistoryTable.ms(w.mttr().p50Ms()))
        .append("</td><td>")
        .append(HistoryTable.ms(w.mtbf().p50Ms()))
        .append("</td><td>")
        .append(HistoryTable.ms(w.timeToResolve().p50Ms()))
        .append("</td><td>")
        .append(HtmlReport.esc(HistoryTable.top(w)))
        .append("</td></tr>\n");
  }

  private static Double p50(WeekFigures.Summary s) {
    return s.p50Ms() == null ? null : (double) s.p50Ms();
  }

  /** One polyline over the weeks; a week without a value breaks nothing, it is left out. */
  private static void plot(
      StringBuilder h, String label, List<WeekFigures> weeks, Function<WeekFigures, Double> value) {
    double max = 0;
    for (WeekFigures w : weeks) {
      Double v = value.apply(w);
      if (v != null) {
        max = Math.max(max, v);
      }
    }
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < weeks.size(); i++) {
      Double v = value.apply(weeks.get(i));
      if (v == null) {
        continue;
      }
      double x = weeks.size() == 1 ? W / 2.0 : 10 + i * (W - 20.0) / (weeks.size() - 1);
      double y = H - 10 - (max == 0 ? 0 : v / max * (H - 20));
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    h.append("<div class=\"fig\"><div class=\"l\">")
        .append(HtmlReport.esc(label))
        .append("</div><svg class=\"trend\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" role=\"img\" aria-label=\"")
        .append(HtmlReport.esc(label))
        .append(
            " per week\"><polyline fill=\"none\" stroke=\"#3366cc\" stroke-width=\"2\" points=\"")
        .append(points.toString().trim())
        .append("\"/></svg></div>");
  }
}
