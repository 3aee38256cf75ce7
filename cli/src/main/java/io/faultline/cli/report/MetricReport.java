package io.faultline.cli.report;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.Classification;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One metric: its hypothesis (direction null when the file had none), the analyzer's judgement
 * (classification null when the result had none), alerts counted from the judgement or the alerts
 * topic, whichever saw more, and its window verdicts in time order.
 */
public record MetricReport(
    String metric,
    String direction,
    Double tolerance,
    boolean critical,
    String classification,
    String state,
    Long windows,
    Long deviatingWindows,
    Long firstDeviationAt,
    Double intervalLow,
    Double intervalHigh,
    long alertsFired,
    Long noisyAlerts,
    Long timeToResolveMs,
    Long mtbfMs,
    List<Window> series) {

  public boolean judged() {
    return classification != null;
  }

  /** The classification, or "n/a" when the analyzer did not reach one. */
  public String classificationText() {
    return classification == null || classification.equals(Classification.UNKNOWN.name())
        ? "n/a"
        : classification;
  }

  /** The first window judged DEVIATING, or null. */
  public Window firstDeviation() {
    return series.stream().filter(Window::deviating).findFirst().orElse(null);
  }

  /** One window verdict: control and experimental means (and p99s), effect and state. */
  public record Window(
      long start,
      long end,
      double control,
      double experimental,
      Double controlP99,
      Double experimentalP99,
      double effect,
      String state) {

    public boolean deviating() {
      return SteadyState.DEVIATING.name().equals(state);
    }
  }

  /** Every metric the recording names (verdicts, result or hypotheses), by name. */
  static List<MetricReport> of(ExperimentRecording rec) {
    Map<String, List<Window>> series = new LinkedHashMap<>();
    for (WindowVerdict v : rec.verdicts()) {
      series
          .computeIfAbsent(v.getMetric(), k -> new ArrayList<>())
          .add(
              new Window(
                  v.getWindowStart(),
                  v.getWindowEnd(),
                  v.getControl().getMean(),
                  v.getExperimental().getMean(),
                  v.getControl().getP99(),
                  v.getExperimental().getP99(),
                  v.getEffect(),
                  v.getState().name()));
    }
    Map<String, MetricJudgement> judgements = new LinkedHashMap<>();
    if (rec.result() != null) {
      rec.result().getMetrics().forEach(m -> judgements.putIfAbsent(m.getMetric(), m));
    }
    Map<String, MetricHypothesis> hypotheses = new LinkedHashMap<>();
    if (rec.experiment() != null) {
      rec.experiment().getHypotheses().forEach(h -> hypotheses.putIfAbsent(h.getMetric(), h));
    }
    TreeSet<String> names = new TreeSet<>(series.keySet());
    names.addAll(judgements.keySet());
    names.addAll(hypotheses.keySet());
    List<MetricReport> out = new ArrayList<>();
    for (String metric : names) {
      MetricJudgement j = judgements.get(metric);
      MetricHypothesis h = hypotheses.get(metric);
      AlertCount alerts = AlertCount.of(rec.alerts(), metric);
      Long timeToResolve =
          j != null && j.getMeanTimeToResolveMs() != null
              ? j.getMeanTimeToResolveMs()
              : alerts.meanTimeToResolveMs();
      out.add(
          new MetricReport(
              metric,
              h == null ? null : h.getDirection().name(),
              h == null ? null : h.getTolerance(),
              (h != null && h.getCritical()) || (j != null && j.getCritical()),
              j == null ? null : j.getClassification().name(),
              j == null ? null : j.getState().name(),
              j == null ? null : (long) j.getWindows(),
              j == null ? null : (long) j.getDeviatingWindows(),
              j == null ? null : j.getFirstDeviationAt(),
              j == null ? null : j.getIntervalLow(),
              j == null ? null : j.getIntervalHigh(),
              Math.max(j == null ? 0 : j.getAlertsFired(), alerts.fired()),
              j == null ? null : (long) j.getNoisyAlerts(),
              timeToResolve,
              j == null ? null : j.getMtbfMs(),
              List.copyOf(series.getOrDefault(metric, List.of()))));
    }
    return List.copyOf(out);
  }

  /** Alerts fired for a metric on the alerts topic, and their mean time to resolve (or null). */
  private record AlertCount(long fired, Long meanTimeToResolveMs) {
    static AlertCount of(List<Alert> alerts, String metric) {
      Map<String, Long> firing = new LinkedHashMap<>();
      long fired = 0;
      long resolvedSum = 0;
      long resolved = 0;
      for (Alert a : alerts) {
        if (!a.getMetric().equals(metric)) {
          continue;
        }
        if (a.getStatus() == AlertStatus.FIRING
            && firing.putIfAbsent(a.getAlertId(), a.getTimestamp()) == null) {
          fired++;
        } else if (a.getStatus() == AlertStatus.RESOLVED && firing.containsKey(a.getAlertId())) {
          resolvedSum += a.getTimestamp() - firing.remove(a.getAlertId());
          resolved++;
        }
      }
      return new AlertCount(fired, resolved == 0 ? null : resolvedSum / resolved);
    }
  }
}
