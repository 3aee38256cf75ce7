package io.faultline.collector;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.Map;
import java.util.TreeMap;

/** Builds samples of one experiment; every source tags its samples through one of these. */
public record Samples(String experimentId) {

  public MetricSample of(
      String metric, Group group, String target, long timestampMs, double value, String unit) {
    return of(metric, group, target, timestampMs, value, unit, Map.of());
  }

  public MetricSample of(
      String metric,
      Group group,
      String target,
      long timestampMs,
      double value,
      String unit,
      Map<String, String> labels) {
    return MetricSample.newBuilder()
        .setExperimentId(experimentId)
        .setMetric(metric)
        .setGroup(group)
        .setTarget(target)
        .setTimestamp(timestampMs)
        .setValue(value)
        .setUnit(unit)
        .setLabels(new TreeMap<>(labels))
        .build();
  }

  /** A failure in a few words: the exception's class and, when it has one, its message. */
  public static String reason(Throwable e) {
    String name = e.getClass().getSimpleName();
    return e.getMessage() == null ? name : name + ": " + e.getMessage();
  }

  /** A sample saying the source failed to observe {@code metric}: value NaN, error=true. */
  public MetricSample failed(
      String metric, Group group, String target, long timestampMs, String unit, String reason) {
    MetricSample s =
        of(
            metric,
            group,
            target,
            timestampMs,
            Double.NaN,
            unit,
            Map.of("reason", String.valueOf(reason)));
    s.setError(true);
    return s;
  }
}
