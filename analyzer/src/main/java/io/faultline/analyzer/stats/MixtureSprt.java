package io.faultline.analyzer.stats;

/**
 * A mixture sequential probability ratio test (mSPRT; Johari, Pekelis and Walsh, "Always valid
 * inference", 2017) of the difference of two means, experimental minus control, against the
 * tolerated difference. It may be checked after every observation: the chance that it ever declares
 * a deviation when the true difference is within tolerance stays at most alpha, however often it is
 * looked at.
 *
 * <p>With D the difference of the running means, v its variance (s_e^2/n_e + s_c^2/n_c) and a
 * normal mixing distribution of variance tau^2 over the effect, the statistic is
 *
 * <pre>  L = sqrt(v / (v + tau^2)) * exp( tau^2 (D - theta0)^2 / (2 v (v + tau^2)) )</pre>
 *
 * and a deviation is declared when L >= 1/alpha with D beyond theta0 in the bad direction (each
 * side at alpha/2 for EITHER). theta0 and tau are fixed from the warm-up: theta0 = tolerance *
 * |control mean|, tau = max(theta0, half the pooled standard deviation), so the mixture puts its
 * weight on effects of the size the tolerance speaks of.
 */
public final class MixtureSprt {

  private final Direction direction;
  private final double alpha;
  private final double theta0;
  private final double tau2;
  private final double varianceFloor;
  private final Summary control = new Summary();
  private final Summary experimental = new Summary();

  public MixtureSprt(Direction direction, double alpha, double theta0, double tau) {
    this(direction, alpha, theta0, tau, 0.0);
  }

  /**
   * @param varianceFloor a per-observation variance below which neither group's estimate may fall
   *     (the warm-up's), so a few similar values cannot make the test overconfident
   */
  public MixtureSprt(
      Direction direction, double alpha, double theta0, double tau, double varianceFloor) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    this.direction = direction;
    this.alpha = alpha;
    this.theta0 = Math.abs(theta0);
    this.tau2 = Math.max(tau * tau, 1e-12);
    this.varianceFloor = Math.max(0.0, varianceFloor);
  }

  /** Fixes theta0, tau and the variance floor from warm-up summaries of both groups. */
  public static MixtureSprt fromWarmUp(
      Summary control, Summary experimental, Direction direction, double tolerance, double alpha) {
    double theta0 = tolerance * Math.abs(control.mean());
    double pooledVariance = (control.variance() + experimental.variance()) / 2;
    return new MixtureSprt(
        direction, alpha, theta0, Math.max(theta0, Math.sqrt(pooledVariance) / 2), pooledVariance);
  }

  /** A fresh test with the same theta0, tau and floor, at another level (alpha spending). */
  public MixtureSprt restart(double newAlpha) {
    return new MixtureSprt(direction, newAlpha, theta0, Math.sqrt(tau2), varianceFloor);
  }

  public double alpha() {
    return alpha;
  }

  public void addControl(double value) {
    control.add(value);
  }

  public void addExperimental(double value) {
    experimental.add(value);
  }

  /** Log of the mixture likelihood ratio for the bad side(s); -inf while it cannot be computed. */
  public double logStatistic() {
    if (control.count() < 2 || experimental.count() < 2) {
      return Double.NEGATIVE_INFINITY;
    }
    double d = experimental.mean() - control.mean();
    double v =
        Math.max(experimental.variance(), varianceFloor) / experimental.count()
            + Math.max(control.variance(), varianceFloor) / control.count();
    v = Math.max(v, 1e-12);
    double up = direction == Direction.DECREASE ? Double.NEGATIVE_INFINITY : side(d - theta0, v, 1);
    double down =
        direction == Direction.INCREASE ? Double.NEGATIVE_INFINITY : side(d + theta0, v, -1);
    return Math.max(up, down);
  }

  private double side(double excess, double v, int sign) {
    if (sign * excess <= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    return 0.5 * Math.log(v / (v + tau2)) + tau2 * excess * excess / (2 * v * (v + tau2));
  }

  public boolean deviates() {
    double level = direction == Direction.EITHER ? alpha / 2 : alpha;
    return logStatistic() >= -Math.log(level);
  }

  public Summary control() {
    return control;
  }

  public Summary experimental() {
    return experimental;
  }
}
