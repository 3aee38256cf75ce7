package io.faultline.cli.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the Markdown and HTML renderings write a figure: "n/a" for what was not measured. */
final class ReportFormat {

  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private ReportFormat() {}

  static String number(Double v) {
    return v == null ? "n/a" : number(v.doubleValue());
  }

  static String number(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return Math.abs(v) >= 1
        ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  static String time(long epochMs) {
    return TIME.format(Instant.ofEpochMilli(epochMs));
  }

  /** "3/12": deviating windows of judged ones. */
  static String windows(MetricReport m, String separator) {
    return m.judged() ? m.deviatingWindows() + separator + m.windows() : "n/a";
  }

  static String deviating(AttackPeriod a) {
    return a.deviatingMetrics().isEmpty() ? "-" : String.join(", ", a.deviatingMetrics());
  }

  static String errorsServed(ServiceOutage o) {
    return o == null ? "n/a" : o.errorsText();
  }

  static String errorWindow(ServiceOutage o) {
    return o == null ? "n/a" : o.errorWindowText();
  }

  static String dbFailover(ServiceOutage o) {
    return o == null ? "n/a" : o.dbFailoverText();
  }
}
