package io.faultline.analyzer.stats;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * A change detector that pools the evidence since the change (an e-detector; Shin, Ramdas and
 * Rinaldo, "E-detectors: a nonparametric framework for sequential change detection", 2022): one
 * statistic over every datapoint of a metric, so a fault that began several datapoints ago keeps
 * adding to the same evidence; windows no longer reset it.
 *
 * <p>Each datapoint t gives e-values e_t(k), one per effect size k of a grid (per side of the
 * hypothesis' direction): under the hypothesis ("at most theta0 beyond the expected level") each
 * has expectation at most 1 given the past. The detector keeps, per k, the Shiryaev–Roberts
 * statistic R_t(k) = (R_{t-1}(k) + 1) e_t(k) and the CUSUM M_t(k) = max(M_{t-1}(k), 1) e_t(k), and
 * raises an alarm when the average R_t of the R_t(k) reaches c = horizon / alpha. R_t - t is a
 * supermartingale under the hypothesis, so by optional stopping at the alarm (or the horizon) c
 * P(an alarm within n datapoints) <= E[R] <= n: <b>the chance of any false alarm within the first
 * {@code horizon} datapoints is at most alpha</b>, and without a planned length the average run
 * length to a false alarm is at least c. The estimated change point is where the largest CUSUM's
 * segment began; the effect and its interval are the mean difference since then.
 *
 * <p>Two kinds of e-value:
 *
 * <ul>
 *   <li>{@link #updateNormal}: a difference d with variance v (already standardised by the caller's
 *       warm-up scale). Per side z = (+-d - theta0) / sqrt(v); with AR(1) noise (phi learned in the
 *       warm-up) it is prewhitened, r = (z - phi max(z_prev, 0)) / sqrt(1 - phi^2) (the max keeps a
 *       recovery from a drop from looking like a rise), and e(k) = exp(k r - k^2 / 2), the normal
 *       likelihood ratio of a shift of k standard units: at most 1 in expectation when the true
 *       shift is at most theta0.
 *   <li>{@link #updateCounts}: x events in n trials (errors per request) against the rate p0 it may
 *       have: e(k) = (p1/p0)^x ((1-p1)/(1-p0))^(n-x) with p1 = p0 + f_k (1 - p0), the binomial
 *       likelihood ratio, at most 1 in expectation whenever the true rate is at most p0.
 * </ul>
 *
 * <p>Plain functions over a serializable {@link State}; no I/O.
 */
public final class EDetector {

  /** Shifts, in standard units of one datapoint, the normal mixture spreads its weight over. */
  static final double[] SHIFTS = {0.25, 0.5, 1, 2, 4, 8, 16};

  /** Excess fractions p1 = p0 + f (1 - p0) of the count mixture. */
  static final double[] EXCESS = {0.005, 0.01, 0.02, 0.05, 0.2, 0.9};

  /** Datapoints the guarantee covers when the experiment's length is unknown (ARL form). */
  public static final long DEFAULT_HORIZON = 720;

  /** Everything carried from one datapoint to the next (public fields: JSON in a state store). */
  public static final class State {
    /** Datapoints judged since the detector began. */
    public long points;

    /** Per side: the previous standardised excess, for prewhitening (NaN = none yet). */
    public double[] previous = {Double.NaN, Double.NaN};

    /** Per side and component: log Shiryaev–Roberts, log CUSUM and the CUSUM segment's start. */
    public double[] logR;

    public double[] logM;
    public long[] start;

    /** Per component since its segment's start: sum of differences, of variances, datapoints. */
    public double[] sumD;

    public double[] sumV;
    public double[] count;
  }

  /**
   * What one datapoint says.
   *
   * @param logStatistic log of the averaged Shiryaev–Roberts statistic
   * @param threshold log c
   * @param pValue horizon / R (capped at 1): below alpha exactly when the detector alarms
   * @param changePoint the time (the caller's {@code at}) of the datapoint at which the strongest
   *     CUSUM's segment began: the estimated start of the deviation
   * @param effect mean difference since the change point (the caller's scale)
   * @param low lower end of its interval
   * @param high upper end
   */
  public record Step(
      boolean alarm,
      double logStatistic,
      double threshold,
      double pValue,
      long changePoint,
      double effect,
      double low,
      double high) {}

  private final Direction direction;
  private final double alpha;
  private final long horizon;
  private final double theta0;
  private final double phi;
  private final double z;

  /**
   * @param alpha the false-alarm bound over {@code horizon} datapoints
   * @param horizon planned number of judged datapoints (e.g. the experiment's length over the
   *     window); {@link #DEFAULT_HORIZON} when unknown
   * @param theta0 tolerated difference from the expected level, in the caller's scale (for counts:
   *     ignored, the caller passes p0 with the tolerance in it)
   * @param phi lag-1 autocorrelation of the datapoints' differences (0 = independent)
   * @param confidence of the effect's interval, e.g. 0.95
   */
  public EDetector(
      Direction direction,
      double alpha,
      long horizon,
      double theta0,
      double phi,
      double confidence) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon " + horizon + ": must be at least 1");
    }
    if (!(phi >= 0 && phi < 1)) {
      throw new IllegalArgumentException("phi " + phi + ": must be in [0, 1)");
    }
    this.direction = direction;
    this.alpha = alpha;
    this.horizon = horizon;
    this.theta0 = Math.abs(theta0);
    this.phi = phi;
    this.z = new NormalDistribution().inverseCumulativeProbability(1 - (1 - confidence) / 2);
  }

  public double threshold() {
    return Math.log(horizon / alpha);
  }

  public double theta0() {
    return theta0;
  }

  /**
   * One datapoint of a continuous metric at time {@code at}: difference d from the expected level,
   * its variance v.
   */
  public Step updateNormal(State state, long at, double d, double v) {
    int k = SHIFTS.length;
    ensure(state, k);
    double sd = Math.sqrt(Math.max(v, 1e-300));
    double innovation = Math.sqrt(1 - phi * phi);
    double[] logE = new double[2 * k];
    for (int side = 0; side < 2; side++) {
      if (!watches(side)) {
        Arrays.fill(logE, side * k, side * k + k, Double.NEGATIVE_INFINITY);
        continue;
      }
      double zNow = ((side == 0 ? d : -d) - theta0) / sd;
      double prev = state.previous[side];
      double r = Double.isNaN(prev) ? zNow : (zNow - phi * Math.max(prev, 0.0)) / innovation;
      state.previous[side] = zNow;
      for (int i = 0; i < k; i++) {
        logE[side * k + i] = SHIFTS[i] * r - SHIFTS[i] * SHIFTS[i] / 2;
      }
    }
    return step(state, at, logE, d, v);
  }

  /**
   * One datapoint of a count at time {@code at}: {@code events} of {@code trials} in the
   * experimental group; {@code p0High} is the highest rate it may have (watched for a rise), {@code
   * p0Low} the lowest (for a fall).
   */
  public Step updateCounts(
      State state,
      long at,
      double events,
      double trials,
      double p0High,
      double p0Low,
      double expected) {
    int k = EXCESS.length;
    ensure(state, k);
    double x = Math.max(0.0, Math.min(events, trials));
    double n = Math.max(0.0, trials);
    double up0 = Math.min(0.999, Math.max(1e-6, p0High));
    double down0 = Math.min(0.999, p0Low);
    double[] logE = new double[2 * k];
    for (int i = 0; i < k; i++) {
      double f = EXCESS[i];
      if (watches(0)) {
        double p1 = up0 + f * (1 - up0);
        logE[i] = x * Math.log(p1 / up0) + (n - x) * (Math.log1p(-p1) - Math.log1p(-up0));
      } else {
        logE[i] = Double.NEGATIVE_INFINITY;
      }
      if (watches(1) && down0 > 1e-6) {
        double q1 = down0 * (1 - f);
        logE[k + i] = x * Math.log(q1 / down0) + (n - x) * (Math.log1p(-q1) - Math.log1p(-down0));
      } else {
        logE[k + i] = Double.NEGATIVE_INFINITY;
      }
    }
    double rate = n > 0 ? x / n : expected;
    double p = Math.min(0.999, Math.max(1e-4, expected));
    return step(state, at, logE, rate - expected, p * (1 - p) / Math.max(1.0, n));
  }

  private boolean watches(int side) {
    return side == 0 ? direction != Direction.DECREASE : direction != Direction.INCREASE;
  }

  private static void ensure(State state, int k) {
    if (state.logR == null || state.logR.length != 2 * k) {
      state.logR = new double[2 * k];
      state.logM = new double[2 * k];
      state.start = new long[2 * k];
      state.sumD = new double[2 * k];
      state.sumV = new double[2 * k];
      state.count = new double[2 * k];
      Arrays.fill(state.logR, Double.NEGATIVE_INFINITY);
    }
  }

  private Step step(State state, long at, double[] logE, double d, double v) {
    state.points++;
    int components = 0;
    double best = Double.NEGATIVE_INFINITY;
    int bestAt = -1;
    for (int i = 0; i < logE.length; i++) {
      if (logE[i] == Double.NEGATIVE_INFINITY && !watches(i < logE.length / 2 ? 0 : 1)) {
        continue;
      }
      components++;
      state.logR[i] = logAddExp(state.logR[i], 0.0) + logE[i];
      if (state.logM[i] <= 0 || state.count[i] == 0) {
        state.logM[i] = 0.0;
        state.start[i] = at;
        state.sumD[i] = 0;
        state.sumV[i] = 0;
        state.count[i] = 0;
      }
      state.logM[i] += logE[i];
      state.sumD[i] += d;
      state.sumV[i] += v;
      state.count[i]++;
      if (state.logM[i] > best) {
        best = state.logM[i];
        bestAt = i;
      }
    }
    double logR = logMeanExp(state.logR, components);
    double threshold = threshold();
    boolean alarm = logR >= threshold;
    double pValue = Math.min(1.0, Math.exp(Math.log(horizon) - logR));
    if (bestAt < 0) {
      return new Step(alarm, logR, threshold, pValue, at, d, d, d);
    }
    double n = state.count[bestAt];
    double mean = state.sumD[bestAt] / n;
    // the interval's width: the datapoints' variances, widened by the AR(1) long-run factor
    double se = Math.sqrt(state.sumV[bestAt] * (1 + phi) / (1 - phi)) / n;
    return new Step(
        alarm, logR, threshold, pValue, state.start[bestAt], mean, mean - z * se, mean + z * se);
  }

  /** Closes the evidence: the metric was judged back within tolerance. */
  public static void reset(State state) {
    state.logR = null;
    state.previous = new double[] {Double.NaN, Double.NaN};
  }

  private static double logAddExp(double a, double b) {
    double max = Math.max(a, b);
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }

  private static double logMeanExp(double[] values, int count) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY || count == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double sum = 0;
    for (double v : values) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum / count);
  }
}
