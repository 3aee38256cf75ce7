package io.faultline.analyzer.stats;

/**
 * How the experimental group related to the control group in the warm-up, before any attack: two
 * "identical" deployments are never quite identical (a busier CPU, a colder cache). Each window's
 * control figures are mapped onto the experimental group's expected level, {@code control * scale +
 * offset}, and the test asks whether the experimental group moved away from that. Relative metrics
 * (latency) use a ratio; absolute ones (rates) use a difference.
 */
public record Baseline(double scale, double offset) {

  public static final Baseline NONE = new Baseline(1.0, 0.0);

  /** Ratios further than this from 1 are capped: a 10x gap is a broken setup, not a baseline. */
  static final double MAX_SCALE = 4.0;

  /** From the pooled warm-up summaries of both groups, under the metric's policy. */
  public static Baseline learn(Summary control, Summary experimental, MetricPolicy policy) {
    if (control.count() < policy.minCount() || experimental.count() < policy.minCount()) {
      return NONE;
    }
    if (policy.relativeTolerance() > 0 && control.mean() > 0 && experimental.mean() > 0) {
      double ratio = experimental.mean() / control.mean();
      return new Baseline(Math.max(1 / MAX_SCALE, Math.min(MAX_SCALE, ratio)), 0.0);
    }
    return new Baseline(1.0, experimental.mean() - control.mean());
  }

  /** The control summary as the experimental group's expected level. */
  Summary apply(Summary control) {
    if (this.equals(NONE)) {
      return control;
    }
    double mean = control.mean() * scale + offset;
    double variance = control.variance() * scale * scale;
    long n = control.count();
    return new Summary(
        n,
        mean,
        variance * (n - 1),
        control.min() * scale + offset,
        control.max() * scale + offset,
        mean * n);
  }
}
