package io.faultline.analyzer;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The analyzer's derived metrics, kept in memory by the processors and written in Prometheus' text
 * exposition format (version 0.0.4) by {@link #scrape()}. Every family is declared here once with
 * its help text and type; labels are experiment, metric, group, attack, fault or state.
 */
public final class AnalyzerMetrics {

  /** One metric family: name, type, help and the value per label set. */
  private record Family(String name, String type, String help, Map<String, Double> series) {}

  public static final String WINDOW_MEAN = "faultline_window_mean";
  public static final String WINDOW_P99 = "faultline_window_p99";
  public static final String WINDOW_SAMPLES = "faultline_window_samples";
  public static final String EFFECT = "faultline_effect";
  public static final String TEST_STATISTIC = "faultline_test_statistic";
  public static final String P_VALUE = "faultline_p_value";
  public static final String STATE = "faultline_state";
  public static final String WINDOWS_JUDGED = "faultline_windows_judged_total";
  public static final String MTTD = "faultline_mttd_seconds";
  public static final String MTTR = "faultline_mttr_seconds";
  public static final String ALERTS_FIRED = "faultline_alerts_fired_total";
  public static final String ALERTS_FIRING = "faultline_alerts_firing";
  public static final String ALERTS_NOISY = "faultline_alerts_noisy_total";
  public static final String ALERT_RESOLVE = "faultline_alert_resolve_seconds";
  public static final String SCORE = "faultline_experiment_score";
  public static final String ABORTED = "faultline_experiment_aborted";
  public static final String SAMPLES_LATE = "faultline_samples_late_total";
  public static final String SAMPLES_DROPPED = "faultline_samples_dropped_total";

  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  public AnalyzerMetrics() {
    gauge(WINDOW_MEAN, "mean of the last closed window, per experiment, metric and group");
    gauge(WINDOW_P99, "99th percentile (DDSketch, 1% accuracy) of the last closed window");
    gauge(WINDOW_SAMPLES, "samples in the last closed window");
    gauge(EFFECT, "relative effect of the last window: experimental vs expected level");
    gauge(TEST_STATISTIC, "log likelihood ratio of the sequential test after the last window");
    gauge(P_VALUE, "always-valid p-value of the sequential test after the last window");
    gauge(STATE, "1 for the metric's current state (STEADY, DEVIATING, INSUFFICIENT_DATA)");
    counter(WINDOWS_JUDGED, "closed windows judged, per experiment and metric");
    gauge(MTTD, "time to detect, per experiment and attack");
    gauge(MTTR, "time to recover, per experiment and attack");
    counter(ALERTS_FIRED, "alerts fired, per experiment and metric");
    gauge(ALERTS_FIRING, "1 while the metric's alert is firing");
    counter(ALERTS_NOISY, "alerts that resolved by themselves within the noisy time");
    gauge(ALERT_RESOLVE, "mean time from FIRING to RESOLVED, per experiment and metric");
    gauge(SCORE, "share of metrics the end judgement classifies PASS, 0..100");
    gauge(ABORTED, "1 when the analyzer halted the experiment");
    counter(SAMPLES_LATE, "samples that arrived after their window ended, within the grace");
    counter(SAMPLES_DROPPED, "samples that arrived after their window's grace: not counted");
  }

  private void gauge(String name, String help) {
    families.put(name, new Family(name, "gauge", help, new ConcurrentSkipListMap<>()));
  }

  private void counter(String name, String help) {
    families.put(name, new Family(name, "counter", help, new ConcurrentSkipListMap<>()));
  }

  /** Sets a series; labels alternate name and value. */
  public void set(String family, double value, String... labels) {
    series(family).put(labelText(labels), value);
  }

  public void increment(String family, double by, String... labels) {
    series(family).merge(labelText(labels), by, Double::sum);
  }

  /** Removes a series, e.g. the states a metric is not in any more. */
  public void remove(String family, String... labels) {
    series(family).remove(labelText(labels));
  }

  /** The current value, or NaN when the series does not exist. */
  public double value(String family, String... labels) {
    Double v = series(family).get(labelText(labels));
    return v == null ? Double.NaN : v;
  }

  private Map<String, Double> series(String family) {
    Family f = families.get(family);
    if (f == null) {
      throw new IllegalArgumentException("metric family '" + family + "' is not declared");
    }
    return f.series();
  }

  private static final Map<String, String> ESCAPED = new ConcurrentHashMap<>();

  static String labelText(String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels must be name/value pairs: " + labels.length);
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1] == null ? "" : labels[i + 1]);
    }
    StringBuilder b = new StringBuilder();
    for (var e : sorted.entrySet()) {
      b.append(b.length() == 0 ? "" : ",").append(e.getKey()).append("=\"");
      b.append(ESCAPED.computeIfAbsent(e.getValue(), AnalyzerMetrics::escape)).append('"');
    }
    return b.toString();
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** The text exposition format. */
  public String scrape() {
    StringBuilder b = new StringBuilder(4096);
    for (Family f : families.values()) {
      b.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
      b.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
      for (var s : f.series().entrySet()) {
        b.append(f.name());
        if (!s.getKey().isEmpty()) {
          b.append('{').append(s.getKey()).append('}');
        }
        b.append(' ').append(number(s.getValue())).append('\n');
      }
    }
    return b.toString();
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.6g", v);
  }
}
