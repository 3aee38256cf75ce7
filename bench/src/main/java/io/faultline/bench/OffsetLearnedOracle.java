package io.faultline.bench;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * The power bound of a detector that must learn the groups' offset (docs/adr/0057): the most
 * powerful fixed-sample test at level alpha that knows the change time, the effect and the
 * variances (for AR(1) the autocorrelation too), is valid under a cause shared by both groups, so
 * it judges the experimental group minus the control, and does not know the offset between them, so
 * it estimates that offset from the datapoints before the change. Its statistic is the contrast (E
 * - C since the change) - (E - C before it) in the scale the detector judges on, simulated at the
 * hypothesis's edge (critical value: the 1 - alpha quantile) and under the fault (power: the share
 * above it). Plain functions; no I/O.
 */
final class OffsetLearnedOracle {

  private OffsetLearnedOracle() {}

  /** Per-sample standard deviation of the normal and AR(1) processes. */
  static final double SD = 25;

  /** Log-scale standard deviation of the lognormal process. */
  static final double LOG_SD = 0.25;

  /** Lag-1 autocorrelation of the AR(1) process, per sample. */
  static final double PHI = 0.8;

  /** Poisson counts' mean. */
  static final double COUNT_MEAN = 20;

  /**
   * Samples per group before and since the change (pre, post), and for AR(1) the gap between them
   * (samples neither side sees: judged windows before the change when the offset is learned from
   * the warm-up alone).
   */
  record Design(int pre, int gap, int post) {
    Design {
      if (pre < 2 || post < 1 || gap < 0) {
        throw new IllegalArgumentException(
            "design pre "
                + pre
                + ", gap "
                + gap
                + ", post "
                + post
                + ": pre must be at least 2, post at least 1, gap at least 0");
      }
    }
  }

  /**
   * The power: the share of {@code runs} draws of {@code fault} above the 1 - alpha quantile of as
   * many draws of {@code edge} (a test that rejects when the statistic is large).
   */
  static double power(int runs, double alpha, DoubleSupplier edge, DoubleSupplier fault) {
    if (runs < 20 || !(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException(
          "oracle runs " + runs + ", alpha " + alpha + ": runs at least 20, alpha in (0, 1)");
    }
    double[] atEdge = new double[runs];
    for (int i = 0; i < runs; i++) {
      atEdge[i] = edge.getAsDouble();
    }
    Arrays.sort(atEdge);
    double critical = atEdge[Math.min(runs - 1, (int) Math.ceil((1 - alpha) * runs) - 1)];
    int above = 0;
    for (int i = 0; i < runs; i++) {
      above += fault.getAsDouble() > critical ? 1 : 0;
    }
    return (double) above / runs;
  }

  /**
   * A level change of independent normal samples (sd {@code sd}; lognormal: their logs): E - C
   * since the change minus E - C before it, each group's mean drawn from its exact distribution.
   * {@code shift} is the experimental group's level change (the control's does not move).
   */
  static DoubleSupplier levelContrast(Random r, double sd, double shift, Design d) {
    double pre = sd / Math.sqrt(d.pre());
    double post = sd / Math.sqrt(d.post());
    return () ->
        (shift + post * r.nextGaussian() - post * r.nextGaussian())
            - (pre * r.nextGaussian() - pre * r.nextGaussian());
  }

  /**
   * Poisson counts (mean {@link #COUNT_MEAN} per sample; the experimental group's mean x {@code
   * factor} since the change), judged on the log scale as the detector does: log(E / C) of the sums
   * since the change minus the same before it.
   */
  static DoubleSupplier countContrast(RandomGenerator g, double factor, Design d) {
    PoissonDistribution pre = poisson(g, COUNT_MEAN * d.pre());
    PoissonDistribution post = poisson(g, COUNT_MEAN * d.post());
    PoissonDistribution faulty = poisson(g, COUNT_MEAN * factor * d.post());
    return () ->
        Math.log((faulty.sample() + 0.5) / (post.sample() + 0.5))
            - Math.log((pre.sample() + 0.5) / (pre.sample() + 0.5));
  }

  private static PoissonDistribution poisson(RandomGenerator g, double mean) {
    return new PoissonDistribution(g, mean, PoissonDistribution.DEFAULT_EPSILON, 10_000);
  }

  /**
   * A spread change (the experimental group's standard deviation x {@code factor} since the
   * change), judged as the detector does on half the log of the variances' ratio: each group's sum
   * of squared deviations from its known level is sd^2 chi^2_n. For AR(1) with phi known the same
   * holds for the sum of squared innovations (the variance's sufficient statistic), so the three
   * continuous processes share this draw.
   */
  static DoubleSupplier spreadContrast(RandomGenerator g, double factor, Design d) {
    GammaDistribution pre = new GammaDistribution(g, d.pre() / 2.0, 2.0);
    GammaDistribution post = new GammaDistribution(g, d.post() / 2.0, 2.0);
    double f2 = factor * factor;
    return () ->
        0.5 * Math.log(f2 * post.sample() / post.sample())
            - 0.5 * Math.log(pre.sample() / pre.sample());
  }

  /**
   * 0/1 outcomes (errors per request) at 1% in both groups before the change and in the control
   * after it, {@code rate} in the experimental group since the change: the rate difference since
   * the change minus the one before it.
   */
  static DoubleSupplier rateContrast(RandomGenerator g, double rate, int preRequests, int post) {
    BinomialDistribution pre = new BinomialDistribution(g, preRequests, 0.01);
    BinomialDistribution control = new BinomialDistribution(g, post, 0.01);
    BinomialDistribution faulty = new BinomialDistribution(g, post, rate);
    return () ->
        (faulty.sample() - control.sample()) / (double) post
            - (pre.sample() - pre.sample()) / (double) preRequests;
  }

  /**
   * An AR(1) level change: the difference D = E - C of two independent AR(1) series (phi {@link
   * #PHI}, marginal sd {@link #SD}) is itself AR(1) with twice the variance; simulated sample by
   * sample, and the step estimated by generalised least squares with phi known ({@link #glsStep}),
   * which is the most powerful invariant estimate for a Gaussian AR(1).
   */
  static DoubleSupplier ar1Contrast(Random r, double shift, Design d) {
    int n = d.pre() + d.gap() + d.post();
    double[] y = new double[d.pre() + d.post()];
    int[] time = new int[y.length];
    boolean[] after = new boolean[y.length];
    double innovation = SD * Math.sqrt(2 * (1 - PHI * PHI));
    return () -> {
      double state = SD * Math.sqrt(2) * r.nextGaussian();
      int k = 0;
      for (int t = 0; t < n; t++) {
        if (t > 0) {
          state = PHI * state + innovation * r.nextGaussian();
        }
        boolean isPost = t >= d.pre() + d.gap();
        if (t < d.pre() || isPost) {
          y[k] = state + (isPost ? shift : 0);
          time[k] = t;
          after[k] = isPost;
          k++;
        }
      }
      return glsStep(y, time, after, PHI);
    };
  }

  /**
   * The generalised least-squares estimate of the step in y = level + step x after + AR(1) noise
   * (phi known, level unknown), observed at increasing sample times (a gap of L samples between two
   * observations is one innovation of lag L: x_i - phi^L x_{i-1} over sqrt(1 - phi^2L)).
   */
  static double glsStep(double[] y, int[] time, boolean[] after, double phi) {
    double s11 = 0;
    double s12 = 0;
    double s22 = 0;
    double b1 = 0;
    double b2 = 0;
    for (int i = 0; i < y.length; i++) {
      double yi;
      double level;
      double step;
      double s = after[i] ? 1 : 0;
      if (i == 0) {
        yi = y[0];
        level = 1;
        step = s;
      } else {
        double a = Math.pow(phi, time[i] - time[i - 1]);
        double scale = 1 / Math.sqrt(1 - a * a);
        yi = (y[i] - a * y[i - 1]) * scale;
        level = (1 - a) * scale;
        step = (s - a * (after[i - 1] ? 1 : 0)) * scale;
      }
      s11 += level * level;
      s12 += level * step;
      s22 += step * step;
      b1 += level * yi;
      b2 += step * yi;
    }
    double det = s11 * s22 - s12 * s12;
    if (!(det > 0)) {
      throw new IllegalArgumentException(
          "glsStep: the step is not estimable (observations " + y.length + " on one side only)");
    }
    return (s11 * b2 - s12 * b1) / det;
  }

  /** A commons-math generator seeded from the row, for the exact count and chi-square draws. */
  static RandomGenerator generator(Random r) {
    JDKRandomGenerator g = new JDKRandomGenerator();
    g.setSeed(r.nextLong());
    return g;
  }
}
