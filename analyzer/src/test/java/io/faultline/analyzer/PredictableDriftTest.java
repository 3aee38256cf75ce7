package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.stats.Summary;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A single-sample metric's drift variance keeps learning after the warm-up, and each datapoint's
 * variance comes from the datapoints before it only (docs/adr/0051); window means learn it too,
 * until the attack's start (docs/adr/0056).
 */
class PredictableDriftTest {

  @Test
  void theDriftIsTheSpreadBeyondTheSamplingVarianceRaisedForAutocorrelation() {
    // independent: 10 / (5 - 1) - 0.5
    assertThat(WindowJudge.drift(5, 10, 0, 0.5)).isCloseTo(2.0, within(1e-12));
    // phi 0.5, 21 differences: calm 1 - (3 - 1) / 20 = 0.9; bound 19 / chi2_19(0.05) = 19 /
    // 10.11701 = 1.878025; 20 / 20 / 0.9 * 1.878025 = 2.086694
    assertThat(WindowJudge.drift(21, 20, 0.5, 0.0)).isCloseTo(2.086694, within(1e-5));
    // the sampling variance alone explains it: no drift; one difference: none either
    assertThat(WindowJudge.drift(5, 10, 0, 3.0)).isZero();
    assertThat(WindowJudge.drift(1, 0, 0, 0)).isZero();
  }

  /** The Kendall-corrected lag-1 autocorrelation, its series' sum of squares about the mean. */
  static double[] lagAndSquares(double[] values) {
    int n = values.length;
    double mean = Summary.of(values).mean();
    double squares = 0;
    double lag = 0;
    for (int i = 0; i < n; i++) {
      squares += (values[i] - mean) * (values[i] - mean);
      if (i > 0) {
        lag += (values[i] - mean) * (values[i - 1] - mean);
      }
    }
    double r = lag / squares;
    return new double[] {r + (1 + 3 * r) / n, squares};
  }

  @Test
  void theControlsLongRunVarianceIsTheirBoundedVarianceTimesTheAr1FactorForBothGroups() {
    // docs/adr/0062: the control's window means, their lag-1 autocorrelation (Kendall-corrected)
    double[] values = {4.61, 4.70, 4.66, 4.52, 4.49, 4.58, 4.71, 4.75, 4.63, 4.55};
    WindowJudge.Track t = new WindowJudge.Track();
    t.log = true;
    for (double v : values) {
      WindowJudge.addToLongRun(t, v);
    }
    int n = values.length;
    double[] lagAndSquares = lagAndSquares(values);
    double r = lagAndSquares[0];
    double squares = lagAndSquares[1];
    assertThat(r).isGreaterThan(0.0); // the series is autocorrelated: the bound applies
    double expected = 2 * WindowJudge.drift(n, squares, r, 0.0) * (1 + r) / (1 - r);
    assertThat(WindowJudge.longRunVariance(t)).isCloseTo(expected, within(1e-9));
    // on the linear scale the experimental group's share is the control's times scale^2
    t.log = false;
    t.scale = 2.0;
    assertThat(WindowJudge.longRunVariance(t)).isCloseTo(2.5 * expected, within(1e-9));
  }

  @Test
  void aControlOfTwoWindowsOrAConstantOneKeepsTheLongRunVarianceItHad() {
    WindowJudge.Track t = new WindowJudge.Track();
    t.longRunVariance = 0.3;
    WindowJudge.addToLongRun(t, 5.0);
    WindowJudge.addToLongRun(t, 5.2);
    assertThat(WindowJudge.longRunVariance(t)).isEqualTo(0.3);
    WindowJudge.Track constant = new WindowJudge.Track();
    for (int i = 0; i < 5; i++) {
      WindowJudge.addToLongRun(constant, 4.0);
    }
    assertThat(WindowJudge.longRunVariance(constant)).isZero();
  }

  @Test
  void theRunningSpreadIsTheVarianceOfEveryDifference() {
    WindowJudge.Track t = new WindowJudge.Track();
    double[] values = {3, -1, 4, 1, -5, 9, 2};
    for (double v : values) {
      WindowJudge.addToSpread(t, v);
    }
    Summary s = Summary.of(values);
    assertThat(t.spreadCount).isEqualTo(7.0);
    assertThat(t.spreadMean).isCloseTo(s.mean(), within(1e-12));
    assertThat(t.spreadSquares / 6).isCloseTo(s.variance(), within(1e-12));
  }

  /** Both groups at level 100 with one sample per window; {@code last} is the last experimental. */
  private static WindowJudge.Monitor judged(int windows, double last, boolean predictable) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.predictableDrift = predictable;
    Random r = new Random(5);
    for (int w = 0; w < 20 + windows; w++) {
      double c = 100 + 25 * r.nextGaussian();
      double e = w == 20 + windows - 1 ? last : 100 + 25 * r.nextGaussian();
      WindowJudge.judge(m, Summary.of(c), Summary.of(e), Telemetry.meanHypothesis());
    }
    return m;
  }

  @Test
  void aDatapointsVarianceDoesNotLookAtTheDatapoint() {
    WindowJudge.Monitor a = judged(10, 100, true);
    WindowJudge.Monitor b = judged(10, 180, true);
    WindowJudge.Track ta = a.tracks.get(0);
    WindowJudge.Track tb = b.tracks.get(0);
    assertThat(ta.clipped).isTrue();
    // the warm-up's 20 differences and the 10 judged ones are in the spread
    assertThat(ta.spreadCount).isEqualTo(30.0);
    // the last datapoint was judged with the drift learned before it: the same in both runs
    assertThat(ta.driftVariance).isEqualTo(tb.driftVariance);
    assertThat(tb.spreadSquares).isGreaterThan(ta.spreadSquares);
    // and the next datapoint is judged with a drift that has learned from it
    WindowJudge.judge(a, Summary.of(100), Summary.of(100), Telemetry.meanHypothesis());
    WindowJudge.judge(b, Summary.of(100), Summary.of(100), Telemetry.meanHypothesis());
    assertThat(tb.driftVariance).isGreaterThan(ta.driftVariance);
  }

  /**
   * Six samples per group and window (one per 10 s), window w spanning [w s, w s + 1 s); the attack
   * starts at judged window 5; from {@code faultAt} on the experimental level is x{@code level}.
   */
  private static WindowJudge.Monitor windowMeans(int windows, int faultAt, double level) {
    return windowMeans(windows, faultAt, level, 25_000L);
  }

  private static WindowJudge.Monitor windowMeans(
      int windows, int faultAt, double level, long attackAt) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.attackAt = attackAt;
    Random r = new Random(6);
    double[] c = new double[6];
    double[] e = new double[6];
    for (int w = 0; w < 20 + windows; w++) {
      for (int i = 0; i < 6; i++) {
        c[i] = 100 + 25 * r.nextGaussian();
        e[i] = (w >= 20 + faultAt ? level : 1.0) * (100 + 25 * r.nextGaussian());
      }
      WindowJudge.judge(
          m,
          Summary.of(c),
          Summary.of(e),
          Double.NaN,
          Double.NaN,
          Telemetry.meanHypothesis(),
          w * 1000L,
          w * 1000L + 1000);
    }
    return m;
  }

  @Test
  void windowMeansLearnTheirDriftUntilTheAttackStarts() {
    assertThat(new WindowJudge.Monitor().predictableDriftAll).as("the default").isTrue();
    WindowJudge.Monitor m = windowMeans(30, 30, 1.0);
    WindowJudge.Track t = m.tracks.get(0);
    assertThat(t.clipped).isFalse();
    // the warm-up's 20 differences and the 5 judged windows that end before the attack
    assertThat(t.spreadCount).isEqualTo(25.0);
    assertThat(t.driftVariance)
        .isEqualTo(WindowJudge.drift(25, t.spreadSquares, t.phi, t.withinVariance));
  }

  @Test
  void aFaultThatStartsWithTheAttackDoesNotTeachTheSpread() {
    // +60% from the attack on: the spread and the drift are those of the run without it
    WindowJudge.Monitor quiet = windowMeans(30, 30, 1.0);
    WindowJudge.Monitor fault = windowMeans(30, 5, 1.6);
    WindowJudge.Track q = quiet.tracks.get(0);
    WindowJudge.Track f = fault.tracks.get(0);
    assertThat(f.deviating).as("the fault is found").isTrue();
    assertThat(f.spreadCount).isEqualTo(q.spreadCount);
    assertThat(f.spreadSquares).isEqualTo(q.spreadSquares);
  }

  @Test
  void withoutAnAttackTimeWindowMeansKeepTheWarmUpsSpread() {
    // nothing tells a fault's first datapoints apart from the steady state's: none is learned
    WindowJudge.Track t = windowMeans(30, 30, 1.0, 0L).tracks.get(0);
    assertThat(t.spreadCount).isEqualTo(20.0);
    assertThat(t.driftVariance)
        .isEqualTo(WindowJudge.drift(20, t.spreadSquares, t.phi, t.withinVariance));
  }

  @Test
  void withTheSwitchOffTheWarmUpsDriftStays() {
    // the switch off (on by default since docs/adr/0051's amended decision): the drift never moves
    WindowJudge.Monitor a = judged(10, 100, false);
    WindowJudge.Track t = a.tracks.get(0);
    double warmUp = t.driftVariance;
    WindowJudge.judge(a, Summary.of(100), Summary.of(400), Telemetry.meanHypothesis());
    WindowJudge.judge(a, Summary.of(100), Summary.of(100), Telemetry.meanHypothesis());
    assertThat(t.spreadCount).isZero();
    assertThat(t.driftVariance).isEqualTo(warmUp);
  }
}
