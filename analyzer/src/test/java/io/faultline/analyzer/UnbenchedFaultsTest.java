package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The detector (docs/adr/0014, 0020) on data {@code DetectionBench} does not generate and was not
 * tuned on: a fault in the last datapoints, hundreds of samples per window, AR(1) noise on the log
 * scale, a level shift in both groups, missing windows, a constant metric that moves, and error
 * rates at the edge of the hypothesis at other rates and traffic. Deterministic seeds, 300 runs of
 * 20 warm-up + 60 judged datapoints; false alarms are asserted against alpha plus two binomial
 * standard errors (the bound is on the true rate; 300 runs estimate it to about 1.3 points).
 */
class UnbenchedFaultsTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int RUNS = 300;
  private static final double ALPHA = 0.05;

  /** Alpha plus two binomial standard errors over {@link #RUNS} runs. */
  private static final double SLACK = ALPHA + 2 * Math.sqrt(ALPHA * (1 - ALPHA) / RUNS);

  /** One window of both groups for judged datapoint w (negative: warm-up); null group = none. */
  interface Scenario {
    Summary[] window(Random r, int w);
  }

  static Hypothesis meanAndSpread() {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.1, 0.0, ALPHA, 1),
        false,
        false,
        Double.NaN,
        List.of(Statistic.MEAN, Statistic.SPREAD));
  }

  private static Hypothesis errors(double tolerance) {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.0, tolerance, ALPHA, 1), true, false, Double.NaN);
  }

  /** First deviating judged datapoint, -1 = none. */
  static int firstAlarm(Random r, Scenario s, Hypothesis h) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.horizon = WINDOWS;
    for (int w = -WARMUP; w < WINDOWS; w++) {
      Summary[] g = s.window(r, w);
      Summary c = g[0] == null ? new Summary() : g[0];
      Summary e = g[1] == null ? new Summary() : g[1];
      SteadyState state = WindowJudge.judge(m, c, e, h, (w + 1) * 60_000L).state();
      if (w >= 0 && state == SteadyState.DEVIATING) {
        return w;
      }
    }
    return -1;
  }

  /** Share of runs with an alarm before judged datapoint {@code faultAt} (all: WINDOWS). */
  static double falseAlarms(Scenario s, Hypothesis h, int faultAt, long seed) {
    Random r = new Random(seed);
    int alarms = 0;
    for (int run = 0; run < RUNS; run++) {
      int at = firstAlarm(r, s, h);
      alarms += at >= 0 && at < faultAt ? 1 : 0;
    }
    return (double) alarms / RUNS;
  }

  /** Share of runs with an alarm at or after {@code faultAt}, by {@code by} at the latest. */
  static double found(Scenario s, Hypothesis h, int faultAt, int by, long seed) {
    Random r = new Random(seed);
    int hits = 0;
    for (int run = 0; run < RUNS; run++) {
      int at = firstAlarm(r, s, h);
      hits += at >= faultAt && at <= by ? 1 : 0;
    }
    return (double) hits / RUNS;
  }

  /** Lognormal samples (median 100 x factor, sigma 0.25) per group. */
  static Scenario lognormal(int samples, double control, double experimental, int from) {
    return (r, w) -> {
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < samples; i++) {
        c.add(100 * (w >= from ? control : 1) * Math.exp(0.25 * r.nextGaussian()));
        e.add(100 * (w >= from ? experimental : 1) * Math.exp(0.25 * r.nextGaussian()));
      }
      return new Summary[] {c, e};
    };
  }

  @Test
  void aFaultInTheLastDatapointsIsFoundThere() {
    // a doubling in the last two datapoints of the run, 100 samples per window
    assertThat(found(lognormal(100, 1, 2, 58), meanAndSpread(), 58, 59, 101))
        .isGreaterThanOrEqualTo(0.95);
    // one sample per 10 s: the last five datapoints
    assertThat(found(lognormal(6, 1, 2, 55), meanAndSpread(), 55, 59, 102))
        .isGreaterThanOrEqualTo(0.85);
    assertThat(falseAlarms(lognormal(6, 1, 2, 55), meanAndSpread(), 55, 103))
        .isLessThanOrEqualTo(SLACK);
  }

  @Test
  void hundredsOfSamplesPerWindowKeepAlphaAndShowASmallRise() {
    assertThat(falseAlarms(lognormal(300, 1, 1, 0), meanAndSpread(), WINDOWS, 111))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(lognormal(300, 1, 1.05, 5), meanAndSpread(), WINDOWS, 112))
        .as("+5%% inside the 10%% tolerance")
        .isLessThanOrEqualTo(SLACK);
    assertThat(found(lognormal(300, 1, 1.2, 5), meanAndSpread(), 5, 20, 113))
        .isGreaterThanOrEqualTo(0.95);
  }

  /** AR(1) with phi 0.8 on the log scale of each group's one sample per datapoint. */
  static Scenario autocorrelated(int samples, double rise, int from) {
    double[] state = new double[2];
    return (r, w) -> {
      if (w == -WARMUP) {
        state[0] = r.nextGaussian();
        state[1] = r.nextGaussian();
      }
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < samples; i++) {
        state[0] = 0.8 * state[0] + 0.6 * r.nextGaussian();
        state[1] = 0.8 * state[1] + 0.6 * r.nextGaussian();
        c.add(100 * Math.exp(0.25 * state[0]));
        e.add(100 * (w >= from ? rise : 1) * Math.exp(0.25 * state[1]));
      }
      return new Summary[] {c, e};
    };
  }

  @Test
  void autocorrelatedLogNormalNoiseKeepsAlpha() {
    for (int samples : new int[] {1, 6}) {
      assertThat(
              falseAlarms(autocorrelated(samples, 1, 0), meanAndSpread(), WINDOWS, 120 + samples))
          .as("AR(1) 0.8, %d samples, clean", samples)
          .isLessThanOrEqualTo(SLACK);
      assertThat(
              falseAlarms(
                  autocorrelated(samples, 1.05, 5), meanAndSpread(), WINDOWS, 130 + samples))
          .as("AR(1) 0.8, %d samples, +5%%", samples)
          .isLessThanOrEqualTo(SLACK);
    }
  }

  @Test
  void aLevelShiftInBothGroupsIsNoDeviation() {
    for (int samples : new int[] {100, 6, 1}) {
      assertThat(falseAlarms(lognormal(samples, 1.5, 1.5, 10), meanAndSpread(), WINDOWS, 140))
          .as("both +50%%, %d samples", samples)
          .isLessThanOrEqualTo(SLACK);
    }
  }

  @Test
  void missingWindowsNeitherRaiseAlarmsNorHideADoubling() {
    // every fourth window the experimental group reports nothing, every seventh neither group
    Scenario clean = withGaps(lognormal(6, 1, 1, 0));
    assertThat(falseAlarms(clean, meanAndSpread(), WINDOWS, 151)).isLessThanOrEqualTo(SLACK);
    Scenario doubled = withGaps(lognormal(6, 1, 2, 30));
    assertThat(found(doubled, meanAndSpread(), 30, 45, 152)).isGreaterThanOrEqualTo(0.95);
  }

  static Scenario withGaps(Scenario s) {
    return (r, w) -> {
      Summary[] g = s.window(r, w);
      if (Math.floorMod(w, 7) == 3) {
        return new Summary[] {null, null};
      }
      if (Math.floorMod(w, 4) == 1) {
        return new Summary[] {g[0], null};
      }
      return g;
    };
  }

  /**
   * Both groups report exactly {@code 100} until datapoint {@code from}, then the experimental x.
   */
  static Scenario constant(double x, int from) {
    return (r, w) -> {
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < 6; i++) {
        c.add(100);
        e.add(w >= from ? x : 100);
      }
      return new Summary[] {c, e};
    };
  }

  @Test
  void aConstantMetricThatMovesBeyondTheToleranceIsADeviationAndInsideItIsNot() {
    Random r = new Random(160);
    assertThat(firstAlarm(r, constant(100, 0), meanAndSpread())).isEqualTo(-1);
    assertThat(firstAlarm(r, constant(105, 10), meanAndSpread())).isEqualTo(-1);
    assertThat(firstAlarm(r, constant(130, 10), meanAndSpread())).isBetween(10, 11);
  }

  /**
   * Errors per request, both groups at {@code base} until datapoint {@code from}, then the control
   * at {@code controlTo} and the experimental group at {@code experimentalTo}.
   */
  static Scenario errorRates(
      int requests, double base, double controlTo, double experimentalTo, int from) {
    return (r, w) -> {
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < requests; i++) {
        c.add(r.nextDouble() < (w >= from ? controlTo : base) ? 1 : 0);
        e.add(r.nextDouble() < (w >= from ? experimentalTo : base) ? 1 : 0);
      }
      return new Summary[] {c, e};
    };
  }

  @Test
  void errorRatesAtTheEdgeOfTheToleranceKeepAlphaAtOtherRatesAndTraffic() {
    // the experimental group's rate sits at control + tolerance from datapoint 5: any alarm is
    // false. Few expected errors per window are the skewed case (docs/adr/0020)
    assertThat(falseAlarms(errorRates(100, 0.01, 0.01, 0.015, 5), errors(0.005), WINDOWS, 171))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(20, 0.05, 0.05, 0.055, 5), errors(0.005), WINDOWS, 172))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(1000, 0.001, 0.001, 0.006, 5), errors(0.005), WINDOWS, 173))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(100, 0.001, 0.001, 0.006, 5), errors(0.005), WINDOWS, 174))
        .isLessThanOrEqualTo(SLACK);
  }

  @Test
  void anErrorRiseInBothGroupsIsNoDeviation() {
    // a shared cause (a dependency): the difference does not move, so any alarm is false. Before
    // docs/adr/0026 the level (every control window) lagged the control's rise: 61-65% of runs
    assertThat(falseAlarms(errorRates(100, 0.01, 0.03, 0.03, 5), errors(0.005), WINDOWS, 191))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(100, 0.01, 0.03, 0.03, 40), errors(0.005), WINDOWS, 192))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(1000, 0.001, 0.01, 0.01, 20), errors(0.005), WINDOWS, 193))
        .isLessThanOrEqualTo(SLACK);
    assertThat(falseAlarms(errorRates(100, 0.01, 1.0, 1.0, 30), errors(0.005), WINDOWS, 194))
        .as("an outage of both groups")
        .isLessThanOrEqualTo(SLACK);
  }

  @Test
  void errorsTrebledLateAtOneHundredRequestsPerWindowAreFound() {
    // DetectionBench's row: 1% -> 3% in the last 20 of 60 datapoints (86% there, 200 runs)
    assertThat(found(errorRates(100, 0.01, 0.01, 0.03, 40), errors(0.005), 40, 59, 181))
        .isGreaterThanOrEqualTo(0.85);
    assertThat(found(errorRates(100, 0.01, 0.01, 1.0, 40), errors(0.005), 40, 40, 182))
        .as("an outage in its first window (the exact count evidence, docs/adr/0026)")
        .isGreaterThanOrEqualTo(0.99);
  }
}
