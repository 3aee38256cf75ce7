package io.faultline.analyzer.stats;

/**
 * What "steady" means for one metric: the experimental group may differ from the control group by
 * at most {@code relativeTolerance} of the control mean plus {@code absoluteTolerance} in the given
 * direction; a larger difference must be significant at level {@code alpha} to count.
 *
 * @param minCount fewer samples than this in either group gives INSUFFICIENT_DATA (1: a single
 *     sample per group is a datapoint)
 */
public record MetricPolicy(
    Direction direction,
    double relativeTolerance,
    double absoluteTolerance,
    double alpha,
    long minCount) {

  public MetricPolicy {
    if (relativeTolerance < 0 || absoluteTolerance < 0) {
      throw new IllegalArgumentException(
          "tolerance " + relativeTolerance + "/" + absoluteTolerance + ": must be >= 0");
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    if (minCount < 1) {
      throw new IllegalArgumentException("minCount " + minCount + ": must be at least 1");
    }
  }

  /**
   * Defaults by metric name, documented in analyzer/README.md: latencies may rise 25% + 2 ms, rates
   * 2 points, anything else 25%; alpha 0.001 per window.
   */
  public static MetricPolicy defaultFor(String metric) {
    if (metric.endsWith(".rate") || metric.endsWith(".ratio") || metric.endsWith(".error")) {
      return new MetricPolicy(Direction.INCREASE, 0.0, 0.02, 0.001, 1);
    }
    if (metric.contains("latency") || metric.endsWith(".ms")) {
      return new MetricPolicy(Direction.INCREASE, 0.25, 2.0, 0.001, 1);
    }
    if (metric.contains("error")) {
      return new MetricPolicy(Direction.INCREASE, 0.25, 1.0, 0.001, 1);
    }
    return new MetricPolicy(Direction.EITHER, 0.25, 0.0, 0.001, 1);
  }
}
