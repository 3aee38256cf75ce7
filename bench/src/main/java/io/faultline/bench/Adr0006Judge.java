package io.faultline.bench;

import io.faultline.analyzer.stats.Baseline;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The analyzer's judgement as it was before docs/adr/0010 (ADR 0006: a fresh mixture test per
 * window at level alpha 6 / (pi^2 j^2)), frozen here so that {@link DetectionBench} can compare it
 * with today's in the same run. Not used by the analyzer.
 *
 * <p>The first {@code warmupWindows} windows in which both groups have enough samples, and which
 * end by {@code learnUntil} (the end of the experiment's warm-up, when it declares one), are the
 * warm-up (INSUFFICIENT_DATA): a metric that reported late learns from the windows it had before
 * the first attack (at least {@link #MIN_WARMUP_WINDOWS}), never from the attack itself; they fix
 * the baseline (docs/adr/0003), the tolerated difference theta0 (the hypothesis' tolerance plus a
 * confidence margin for the baseline's own error), the mixture's scale and the window-to-window
 * drift of the difference. Every later window updates the {@link SequentialTest}: DEVIATING from
 * the window at which it raises an alarm until a window is back within theta0, STEADY otherwise,
 * INSUFFICIENT_DATA when a group has too few samples.
 */
final class Adr0006Judge {

  /** Fewest warm-up windows a baseline is learned from when the warm-up ends early. */
  public static final int MIN_WARMUP_WINDOWS = 2;

  private Adr0006Judge() {}

  /** Everything one experiment+metric carries from window to window (JSON in the store). */
  public static final class Monitor {
    /** Warm-up windows this metric needs (set when the monitor is created). */
    public int warmupWindows;

    /** Epoch ms after which no window is learned from (the first attack may start); 0 = none. */
    public long learnUntil;

    /** The warm-up ended with too few windows; logged once. */
    public boolean unlearned;

    /** How many windows the baseline was learned from. */
    public int learnedFrom;

    public List<double[]> warmup = new ArrayList<>(); // per window: c mean, c var, c n, e mean...
    public boolean ready;
    public double scale = 1.0;
    public double offset;
    public double theta0; // tolerance plus the baseline's error margin
    public double tau;
    public double driftVariance; // window-to-window variance of the difference beyond sampling
    public double controlCount; // rate metrics: control outcomes since the warm-up began
    public double controlErrors;
    public boolean deviating;
    public SequentialTest.State test = new SequentialTest.State();
  }

  /** The outcome of one window. */
  public record Judged(SteadyState state, double effect, double statistic, Double pValue) {}

  /** As {@link #judge(Monitor, Summary, Summary, Hypothesis, long)} with no learning deadline. */
  public static Judged judge(
      Monitor m, Summary control, Summary experimental, Hypothesis hypothesis) {
    return judge(m, control, experimental, hypothesis, Long.MIN_VALUE);
  }

  /**
   * Updates the monitor with the window ending at {@code windowEnd} and judges it: a pure function
   * of its arguments.
   */
  public static Judged judge(
      Monitor m, Summary control, Summary experimental, Hypothesis hypothesis, long windowEnd) {
    MetricPolicy policy = hypothesis.policy();
    boolean usable =
        control.count() >= policy.minCount() && experimental.count() >= policy.minCount();
    if (hypothesis.rate() && usable) {
      m.controlCount += control.count();
      m.controlErrors += control.sum();
    }
    boolean pastWarmUp = m.learnUntil > 0 && windowEnd > m.learnUntil;
    if (!m.ready && pastWarmUp) {
      if (m.warmup.size() >= MIN_WARMUP_WINDOWS) {
        finishWarmUp(m, hypothesis); // early, with what it had: this window is judged below
      } else {
        m.unlearned = true;
        return new Judged(
            SteadyState.INSUFFICIENT_DATA, effect(control.mean(), experimental.mean()), 0.0, null);
      }
    }
    if (!m.ready) {
      if (usable) {
        m.warmup.add(
            new double[] {
              control.mean(), control.variance(), control.count(),
              experimental.mean(), experimental.variance(), experimental.count()
            });
      }
      if (m.warmup.size() >= m.warmupWindows) {
        finishWarmUp(m, hypothesis);
      }
      return new Judged(
          SteadyState.INSUFFICIENT_DATA, effect(control.mean(), experimental.mean()), 0.0, null);
    }
    double expected = control.mean() * m.scale + m.offset;
    double effect = effect(expected, experimental.mean());
    if (!usable) {
      return new Judged(SteadyState.INSUFFICIENT_DATA, effect, 0.0, null);
    }
    SequentialTest test = test(m, hypothesis);
    SequentialTest.Step step;
    double excess; // the window's own difference from the expected level
    if (hypothesis.rate()) {
      double p = m.controlErrors / Math.max(1.0, m.controlCount);
      double margin = 2 * Math.sqrt(Math.max(p * (1 - p), 1e-4) / Math.max(1.0, m.controlCount));
      double rate = experimental.mean();
      expected = p + m.offset;
      effect = effect(expected, rate);
      step =
          test.updateRate(
              m.test,
              experimental.sum(),
              experimental.count(),
              expected + margin,
              expected - margin);
      excess = rate - expected;
    } else {
      double d = experimental.mean() - expected;
      double v =
          experimental.variance() / experimental.count()
              + control.variance() * m.scale * m.scale / control.count();
      step = test.updateMean(m.test, d, v + m.driftVariance);
      excess = d;
    }
    boolean within =
        switch (policy.direction()) {
          case INCREASE -> excess <= m.theta0;
          case DECREASE -> excess >= -m.theta0;
          case EITHER -> Math.abs(excess) <= m.theta0;
        };
    SteadyState state;
    if (m.deviating && within) {
      m.deviating = false;
      test.reset(m.test);
      state = SteadyState.STEADY;
    } else if (step.alarm() || m.deviating) {
      m.deviating = true;
      state = SteadyState.DEVIATING;
    } else {
      state = SteadyState.STEADY;
    }
    double statistic = Double.isInfinite(step.logStatistic()) ? 0.0 : step.logStatistic();
    return new Judged(state, effect, statistic, step.pValue());
  }

  static SequentialTest test(Monitor m, Hypothesis hypothesis) {
    MetricPolicy policy = hypothesis.policy();
    double alpha = m.warmupWindows == 0 || hypothesis.rate() ? policy.alpha() : policy.alpha() / 2;
    return hypothesis.rate()
        ? SequentialTest.rate(policy.direction(), alpha, m.theta0)
        : SequentialTest.mean(policy.direction(), alpha, m.theta0, m.tau);
  }

  /** Fixes baseline, theta0, tau and the between-window variance from the warm-up windows. */
  static void finishWarmUp(Monitor m, Hypothesis hypothesis) {
    MetricPolicy policy = hypothesis.policy();
    Summary c = new Summary();
    Summary e = new Summary();
    double within = 0;
    for (double[] w : m.warmup) {
      c.merge(new Summary((long) w[2], w[0], w[1] * (w[2] - 1), w[0], w[0], w[0] * w[2]));
      e.merge(new Summary((long) w[5], w[3], w[4] * (w[5] - 1), w[3], w[3], w[3] * w[5]));
      within += w[4] / w[5] + w[1] / w[2];
    }
    // Rates are compared with the control's long-run rate directly: a few hundred warm-up
    // requests fix an offset only to within points, which would swamp a tolerance of a point.
    Baseline baseline =
        m.warmupWindows == 0 || hypothesis.rate() ? Baseline.NONE : Baseline.learn(c, e, policy);
    m.scale = baseline.scale();
    m.offset = baseline.offset();
    Summary d = new Summary();
    for (double[] w : m.warmup) {
      d.add(w[3] - (w[0] * m.scale + m.offset));
    }
    double typical = m.warmup.isEmpty() ? 0.0 : within / m.warmup.size();
    // random effects: what the warm-up differences vary beyond their sampling noise is drift
    m.driftVariance = Math.max(0.0, d.variance() - typical);
    double level = Math.abs(m.warmup.isEmpty() ? 0.0 : e.mean());
    m.theta0 =
        policy.relativeTolerance() * level
            + policy.absoluteTolerance()
            + baselineMargin(m, hypothesis, c, e, d);
    m.tau = Math.max(m.theta0 / 2, Math.sqrt(typical + m.driftVariance));
    if (m.tau <= 0) {
      m.tau = Math.max(1e-6, 0.1 * level);
    }
    m.ready = true;
    m.learnedFrom = m.warmup.size();
    m.warmup = new ArrayList<>();
  }

  /**
   * The baseline is estimated, and its error would bias every later window alike, which no
   * sequential test can average away. So half of alpha goes to a confidence bound on that error
   * (normal, from the warm-up's window-to-window and within-window spread) and the tolerance is
   * widened by it; the sequential test runs at the other half. Zero without a baseline.
   */
  static double baselineMargin(
      Monitor m, Hypothesis hypothesis, Summary control, Summary experimental, Summary d) {
    if (m.warmupWindows == 0 || m.warmup.isEmpty() || hypothesis.rate()) {
      return 0.0;
    }
    double windows = m.warmup.size();
    double varE = 0;
    double varC = 0;
    for (double[] w : m.warmup) {
      varE += w[4] / w[5];
      varC += w[1] / w[2];
    }
    varE /= windows * windows;
    varC /= windows * windows;
    // the difference of the warm-up means: sampling noise plus the drift of the difference
    double variance = varE + varC * m.scale * m.scale + m.driftVariance / windows;
    MetricPolicy policy = hypothesis.policy();
    double sides = policy.direction() == Direction.EITHER ? 4 : 2;
    double z = new NormalDistribution().inverseCumulativeProbability(1 - policy.alpha() / sides);
    return z * Math.sqrt(variance);
  }

  static double effect(double expected, double experimental) {
    double diff = experimental - expected;
    return expected == 0.0 ? diff : diff / Math.abs(expected);
  }
}
