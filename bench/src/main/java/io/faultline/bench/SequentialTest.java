package io.faultline.bench;

import io.faultline.analyzer.stats.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * The analyzer's sequential test before docs/adr/0010 (ADR 0006), kept here only for {@link
 * Adr0006Judge} and {@link StatsCoreBench} to compare with the e-detector.
 *
 * <p>A sequential change test over the windows of one metric that may be checked after every
 * window: the chance that it ever raises a false alarm while the experimental group stays within
 * tolerance of its expected level is at most alpha, however many windows are checked.
 *
 * <p>Every judged window j (numbered from 1 after the warm-up) opens a test of "the deviation began
 * at window j". Test j is a mixture likelihood ratio, a nonnegative (super)martingale under the
 * hypothesis, so by Ville's inequality it ever reaches 1/a_j with probability at most a_j; with a_j
 * = alpha * 6 / (pi^2 j^2) the a_j sum to alpha. An alarm is raised when any open test reaches its
 * bound. Only the newest {@code maxOpen} tests are kept (dropping a test can only remove alarms).
 * After the metric is judged back within tolerance the open tests are closed; numbering goes on, so
 * the bound still holds over the whole experiment.
 *
 * <p>Two likelihoods, one per kind of metric:
 *
 * <ul>
 *   <li>{@link #mean}: continuous metrics. A window gives d = experimental mean minus the expected
 *       level (the control mapped through the warm-up baseline) and its variance v. Against the
 *       hypothesis d ~ N(theta0, v) a normal mixture of variance tau^2 over the excess gives, with
 *       I = sum 1/v and U = sum (d - theta0)/v, log L = -log(1 + tau^2 I)/2 + tau^2 U^2 / (2 (1 +
 *       tau^2 I)) (Johari et al., "Always valid inference", 2017).
 *   <li>{@link #rate}: counts and rates (0/1 outcomes such as errors per request). A window gives x
 *       errors in n requests of the experimental group; the hypothesis rate p0 is the control's
 *       long-run rate (an upper confidence bound) plus the baseline offset and tolerance. The
 *       sequential Bayes factor is an equally weighted mixture over excess rates p1 = p0 + f (1 -
 *       p0) of the product of binomial likelihood ratios (p1/p0)^x ((1-p1)/(1-p0))^(n-x).
 * </ul>
 */
final class SequentialTest {

  /** Excess fractions of the rate mixture. */
  static final double[] RATE_GRID = {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};

  public enum Kind {
    MEAN,
    RATE
  }

  /** The serializable state: the number of windows seen and the open tests' accumulators. */
  public static final class State {
    /** Windows judged so far (the index of the next test opened is windows + 1). */
    public long windows;

    /** Per open test: [index j, then the kind's accumulators for the up and down sides]. */
    public List<double[]> open = new ArrayList<>();
  }

  /** What one window's update says: the largest log statistic and the always-valid p-value. */
  public record Step(boolean alarm, double logStatistic, double pValue) {}

  private final Kind kind;
  private final Direction direction;
  private final double alpha;
  private final double theta0;
  private final double tau2;
  private final int maxOpen;

  private SequentialTest(
      Kind kind, Direction direction, double alpha, double theta0, double tau, int maxOpen) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    if (maxOpen < 1) {
      throw new IllegalArgumentException("maxOpen " + maxOpen + ": must be at least 1");
    }
    this.kind = kind;
    this.direction = direction;
    this.alpha = alpha;
    this.theta0 = Math.abs(theta0);
    this.tau2 = Math.max(tau * tau, 1e-12);
    this.maxOpen = maxOpen;
  }

  /**
   * A mean test.
   *
   * @param theta0 the tolerated difference from the expected level, in the metric's unit
   * @param tau the mixture's scale: the size of effect it is most sensitive to
   */
  public static SequentialTest mean(Direction direction, double alpha, double theta0, double tau) {
    return new SequentialTest(Kind.MEAN, direction, alpha, theta0, tau, 64);
  }

  /**
   * A rate test.
   *
   * @param tolerance the tolerated absolute rise (or fall) of the rate over the expected rate
   */
  public static SequentialTest rate(Direction direction, double alpha, double tolerance) {
    return new SequentialTest(Kind.RATE, direction, alpha, tolerance, 1.0, 64);
  }

  public Kind kind() {
    return kind;
  }

  public double alpha() {
    return alpha;
  }

  public double theta0() {
    return theta0;
  }

  /** One window of a continuous metric: difference d from the expected level, variance v of d. */
  public Step updateMean(State state, double d, double v) {
    if (kind != Kind.MEAN) {
      throw new IllegalStateException("updateMean on a " + kind + " test");
    }
    double w = 1.0 / Math.max(v, 1e-12);
    return step(
        state,
        acc -> {
          acc[1] += w;
          acc[2] += (d - theta0) * w;
          acc[3] += (d + theta0) * w;
        });
  }

  /**
   * One window of a rate: {@code errors} of {@code n} in the experimental group; {@code
   * expectedHigh} and {@code expectedLow} bound the rate it should have (the control's long-run
   * rate mapped through the baseline, plus and minus a confidence margin).
   */
  public Step updateRate(
      State state, double errors, double n, double expectedHigh, double expectedLow) {
    if (kind != Kind.RATE) {
      throw new IllegalStateException("updateRate on a " + kind + " test");
    }
    double x = Math.max(0.0, Math.min(errors, n)); // 0/1 outcomes: at most n errors
    double up0 = Math.min(0.999, Math.max(1e-6, expectedHigh + theta0));
    double down0 = Math.min(0.999, expectedLow - theta0);
    return step(
        state,
        acc -> {
          for (int g = 0; g < RATE_GRID.length; g++) {
            double f = RATE_GRID[g];
            double p1 = up0 + f * (1 - up0);
            acc[1 + g] += x * Math.log(p1 / up0) + (n - x) * (Math.log1p(-p1) - Math.log1p(-up0));
            if (down0 > 1e-6) {
              double q1 = down0 * (1 - f);
              acc[1 + RATE_GRID.length + g] +=
                  x * Math.log(q1 / down0) + (n - x) * (Math.log1p(-q1) - Math.log1p(-down0));
            } else {
              acc[1 + RATE_GRID.length + g] = Double.NEGATIVE_INFINITY;
            }
          }
        });
  }

  private interface Accumulate {
    void into(double[] acc);
  }

  private Step step(State state, Accumulate accumulate) {
    state.windows++;
    int width = kind == Kind.MEAN ? 4 : 1 + 2 * RATE_GRID.length;
    double[] fresh = new double[width];
    fresh[0] = state.windows;
    state.open.add(fresh);
    while (state.open.size() > maxOpen) {
      state.open.remove(0);
    }
    double best = Double.NEGATIVE_INFINITY;
    double pValue = 1.0;
    boolean alarm = false;
    double sides = direction == Direction.EITHER ? 2.0 : 1.0;
    for (double[] acc : state.open) {
      accumulate.into(acc);
      double j = acc[0];
      double spent = Math.log(Math.PI * Math.PI * j * j / 6.0) + Math.log(sides);
      double log = logStatistic(acc);
      best = Math.max(best, log);
      // always-valid p-value of test j: its level over its likelihood ratio
      pValue = Math.min(pValue, Math.exp(Math.min(0.0, spent - log)));
      if (log - spent >= -Math.log(alpha)) {
        alarm = true;
      }
    }
    return new Step(alarm, best, Math.min(1.0, pValue));
  }

  /** Closes every open test: the metric was judged back within tolerance. */
  public void reset(State state) {
    state.open.clear();
  }

  double logStatistic(double[] acc) {
    double up = Double.NEGATIVE_INFINITY;
    double down = Double.NEGATIVE_INFINITY;
    if (kind == Kind.MEAN) {
      double i = acc[1];
      double shrink = -0.5 * Math.log1p(tau2 * i);
      if (direction != Direction.DECREASE && acc[2] > 0) {
        up = shrink + tau2 * acc[2] * acc[2] / (2 * (1 + tau2 * i));
      }
      if (direction != Direction.INCREASE && acc[3] < 0) {
        down = shrink + tau2 * acc[3] * acc[3] / (2 * (1 + tau2 * i));
      }
    } else {
      int g = RATE_GRID.length;
      if (direction != Direction.DECREASE) {
        up = logMeanExp(acc, 1, g);
      }
      if (direction != Direction.INCREASE) {
        down = logMeanExp(acc, 1 + g, g);
      }
    }
    return Math.max(up, down);
  }

  private static double logMeanExp(double[] values, int from, int count) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = from; i < from + count; i++) {
      max = Math.max(max, values[i]);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (int i = from; i < from + count; i++) {
      sum += Math.exp(values[i] - max);
    }
    return max + Math.log(sum / count);
  }
}
