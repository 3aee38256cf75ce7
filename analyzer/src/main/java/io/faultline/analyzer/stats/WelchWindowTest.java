package io.faultline.analyzer.stats;

import io.faultline.schema.SteadyState;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Per-window steady-state test: Welch's t-test of H0 "the experimental mean is within tolerance of
 * the control mean" against the policy's direction. A window deviates when the experimental mean
 * exceeds the tolerated bound and that excess is significant at the policy's alpha.
 *
 * <p>This is a fixed-sample test applied window by window; with alpha 0.001 per window the chance
 * of a false alarm in a 100-window experiment stays near 10%. The sequential (always-valid) tests
 * of the analyzer issue replace it.
 */
public final class WelchWindowTest {

  private WelchWindowTest() {}

  public static WindowJudgement judge(Summary control, Summary experimental, MetricPolicy policy) {
    return judge(control, experimental, policy, Baseline.NONE);
  }

  /**
   * Judges the window against the warm-up baseline: the control group scaled to the level the
   * experimental group had relative to it before any attack.
   */
  public static WindowJudgement judge(
      Summary rawControl, Summary experimental, MetricPolicy policy, Baseline baseline) {
    Summary control = baseline.apply(rawControl);
    double effect = effect(control.mean(), experimental.mean());
    long needed = Math.max(2, policy.minCount()); // a variance needs two samples
    if (control.count() < needed || experimental.count() < needed) {
      return new WindowJudgement(SteadyState.INSUFFICIENT_DATA, effect, 0.0, Double.NaN);
    }
    OneSided up =
        policy.direction() == Direction.DECREASE ? null : excess(control, experimental, policy, 1);
    OneSided down =
        policy.direction() == Direction.INCREASE ? null : excess(control, experimental, policy, -1);
    OneSided worst = up == null ? down : down == null ? up : (up.p <= down.p ? up : down);
    // Two one-sided looks in EITHER mode: Bonferroni keeps the window's level at alpha.
    double alpha = policy.direction() == Direction.EITHER ? policy.alpha() / 2 : policy.alpha();
    SteadyState state = worst.p < alpha ? SteadyState.DEVIATING : SteadyState.STEADY;
    return new WindowJudgement(state, effect, worst.t, worst.p);
  }

  private record OneSided(double t, double p) {}

  /** sign +1 tests "experimental is too high", -1 "too low". */
  private static OneSided excess(
      Summary control, Summary experimental, MetricPolicy policy, int sign) {
    double scale = 1.0 + sign * policy.relativeTolerance();
    double bound = control.mean() * scale + sign * policy.absoluteTolerance();
    double diff = sign * (experimental.mean() - bound);
    double ve = experimental.variance() / experimental.count();
    double vc = control.variance() * scale * scale / control.count();
    double se = Math.sqrt(ve + vc);
    if (se == 0.0) {
      // Constant groups (a dead target's error rate of 1.0 against 0.0): the excess is exact.
      return diff > 0 ? new OneSided(Double.POSITIVE_INFINITY, 0.0) : new OneSided(0.0, 1.0);
    }
    double t = diff / se;
    double df = welchDegreesOfFreedom(ve, experimental.count(), vc, control.count());
    double p = 1.0 - new TDistribution(null, df).cumulativeProbability(t);
    return new OneSided(t, p);
  }

  static double welchDegreesOfFreedom(double ve, long ne, double vc, long nc) {
    double num = (ve + vc) * (ve + vc);
    double den = ve * ve / (ne - 1) + vc * vc / (nc - 1);
    return den == 0 ? ne + nc - 2 : Math.max(1.0, num / den);
  }

  static double effect(double control, double experimental) {
    double diff = experimental - control;
    return control == 0.0 ? diff : diff / Math.abs(control);
  }
}
