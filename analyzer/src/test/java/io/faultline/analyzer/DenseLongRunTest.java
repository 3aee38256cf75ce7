package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Dense window means count at the long-run variance of their differences, learned before each
 * datapoint from the ones before it in two stretches, each about its own mean (docs/adr/0080).
 */
class DenseLongRunTest {

  private static final double[] VALUES = {
    4.1, 5.3, 6.0, 5.2, 3.9, 3.1, 4.4, 5.8, 6.3, 5.0, 4.2, 3.6, 4.9, 5.5
  };

  private static double[] series(double[] stretch0, double[] stretch1) {
    double[] a = new double[WindowJudge.SERIES_SLOTS];
    for (double x : stretch0) {
      WindowJudge.addToSeries(a, 0, x);
    }
    for (double x : stretch1) {
      WindowJudge.addToSeries(a, 1, x);
    }
    return a;
  }

  /**
   * The series' sum of squares about its mean and its lag-1 as docs/adr/0080 raises it: the lag-1
   * products over the squares, bias-corrected by (1 + 3 r) / n, then {@link
   * WindowJudge#LAG1_MARGIN} standard errors higher.
   */
  private static double[] squaresAndRaisedLag1(double[] x) {
    int n = x.length;
    double mean = 0;
    for (double v : x) {
      mean += v / n;
    }
    double squares = 0;
    double lag = 0;
    for (int i = 0; i < n; i++) {
      squares += (x[i] - mean) * (x[i] - mean);
      if (i > 0) {
        lag += (x[i] - mean) * (x[i - 1] - mean);
      }
    }
    double r = lag / squares;
    r += (1 + 3 * r) / n;
    r += WindowJudge.LAG1_MARGIN * Math.sqrt((1 - r * r) / n);
    return new double[] {squares, r};
  }

  @Test
  void theLongRunVarianceIsTheBoundedVarianceTimesTheAr1FactorOfTheRaisedLag1() {
    int n = VALUES.length;
    double[] raised = squaresAndRaisedLag1(VALUES);
    double squares = raised[0];
    double r = raised[1];
    assertThat(r).as("an autocorrelated series").isBetween(0.3, 0.95);
    double f = (1 + r) / (1 - r);
    double expected = squares / (n - f) * WindowJudge.varianceUpperBound(n) * f;
    assertThat(WindowJudge.seriesLongRun(series(VALUES, new double[0])))
        .isCloseTo(expected, within(1e-9));
  }

  @Test
  void theEffectiveDegreesOfFreedomRaiseTheBoundOfAnAutocorrelatedSeriesOnly() {
    assertThat(new WindowJudge.Monitor().denseEffectiveDf).as("the default").isFalse();
    int n = VALUES.length;
    double[] a = series(VALUES, new double[0]);
    double r = squaresAndRaisedLag1(VALUES)[1];
    // Bartlett: a sample variance of an AR(1) series varies as one of n (1 - r^2) / (1 + r^2)
    long values = Math.round(2 + (n - 2) * (1 - r * r) / (1 + r * r));
    assertThat(values).isLessThan(n);
    double ratio = WindowJudge.varianceUpperBound((int) values) / WindowJudge.varianceUpperBound(n);
    assertThat(WindowJudge.seriesLongRun(a, true))
        .isCloseTo(ratio * WindowJudge.seriesLongRun(a, false), within(1e-9));
    assertThat(ratio).isGreaterThan(1.2);
    // an alternating series reads no lag-1 (r 0 after the margin's floor): the bound stays n's
    double[] alternating = new double[n];
    for (int i = 0; i < n; i++) {
      alternating[i] = i % 2 == 0 ? 1.0 : 3.0;
    }
    double[] b = series(alternating, new double[0]);
    assertThat(WindowJudge.seriesLongRun(b, true))
        .isCloseTo(WindowJudge.seriesLongRun(b, false), within(1e-12));
  }

  /** Lag-k products of a series about its own mean, over its squares. */
  private static double autocorrelation(double[] x, int k) {
    double mean = Arrays.stream(x).average().orElseThrow();
    double squares = 0;
    double lag = 0;
    for (int i = 0; i < x.length; i++) {
      squares += (x[i] - mean) * (x[i] - mean);
      if (i >= k) {
        lag += (x[i] - mean) * (x[i - k] - mean);
      }
    }
    return lag / squares;
  }

  private static double[] lag2Series(double[] stretch0, double[] a) {
    double[] lag1 = new double[WindowJudge.SERIES_SLOTS];
    double[] lag2 = new double[WindowJudge.LAG2_SLOTS];
    for (double x : stretch0) {
      WindowJudge.addToSeries(lag1, lag2, 0, x);
    }
    System.arraycopy(lag1, 0, a, 0, lag1.length);
    return lag2;
  }

  @Test
  void theArmaFactorReadsTheDecayOfTheLag1FromTheLag2() {
    // a level that wanders under noise: a slow AR(1) 0.95 plus as much white noise
    Random random = new Random(93);
    int n = 25;
    double[] x = new double[n];
    double level = random.nextGaussian();
    for (int i = 0; i < n; i++) {
      level = 0.95 * level + Math.sqrt(1 - 0.95 * 0.95) * random.nextGaussian();
      x[i] = 100 + 3 * level + random.nextGaussian();
    }
    double[] a = new double[WindowJudge.SERIES_SLOTS];
    double[] lag2 = lag2Series(x, a);
    assertThat(a).isEqualTo(series(x, new double[0])); // the lag-1 sums as without lag-2 ones
    double r1 = autocorrelation(x, 1) + (1 + 3 * autocorrelation(x, 1)) / n;
    double r2 = autocorrelation(x, 2);
    r2 += (1 + 3 * Math.max(0, r2)) / n;
    double phi = Math.max(0, Math.min(0.95, r2 / r1));
    phi = Math.min(0.95, phi + WindowJudge.LAG1_MARGIN * Math.sqrt((1 - phi * phi) / n));
    double r = r1 + WindowJudge.LAG1_MARGIN * Math.sqrt((1 - r1 * r1) / n);
    r = Math.max(0, Math.min(0.95, r));
    double ar1 = (1 + r) / (1 - r);
    double arma = 1 + 2 * r / (1 - phi);
    assertThat(arma).as("the decay seen").isGreaterThan(ar1);
    double mean = Arrays.stream(x).average().orElseThrow();
    double squares = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum();
    double calm = Math.max(0.34 * (n - 1), n - Math.min(n, arma));
    double expected = squares / calm * WindowJudge.varianceUpperBound(n) * arma;
    assertThat(WindowJudge.seriesLongRun(a, lag2, false))
        .isCloseTo(expected, within(1e-9 * expected));
    // without lag-2 sums (a track restored from older state): the AR(1) factor, as before
    assertThat(WindowJudge.seriesLongRun(a, new double[0], false))
        .isCloseTo(WindowJudge.seriesLongRun(a), within(1e-12))
        .isLessThan(expected);
  }

  @Test
  void theArmaFactorIsNeverUnderTheAr1One() {
    // a series without a decaying lag-1 keeps the AR(1) factor: the larger is taken
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      double[] x = new double[8 + random.nextInt(50)];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextGaussian() + (i > 0 ? 0.5 * random.nextGaussian() * x[i - 1] : 0);
      }
      double[] a = new double[WindowJudge.SERIES_SLOTS];
      double[] lag2 = lag2Series(x, a);
      assertThat(WindowJudge.seriesLongRun(a, lag2, false))
          .as("seed %d", seed)
          .isGreaterThanOrEqualTo(WindowJudge.seriesLongRun(a) * (1 - 1e-12));
    }
  }

  @Test
  void aWanderingLevelOpensTheArmaFactorAndIndependentWindowsKeepTheAr1One() {
    Summary same = Summary.of(new double[] {90, 100, 110});
    // independent window means: the groups' levels show no lag-1, the AR(1) factor as before
    WindowJudge.Monitor calm = dense(30, 25_000L, 1.0, 0, 0);
    WindowJudge.Track c = calm.tracks.get(0);
    assertThat(c.levelSeries).hasSize(WindowJudge.SERIES_SLOTS);
    assertThat(c.lag2Series).hasSize(WindowJudge.LAG2_SLOTS);
    assertThat(WindowJudge.seriesLag1(c.levelSeries)).isNegative();
    double calmAr1 = WindowJudge.seriesLongRun(c.lag1Series);
    WindowJudge.judge(calm, same, same, Telemetry.meanHypothesis());
    assertThat(c.longRunVariance).isCloseTo(calmAr1, within(1e-12));
    // an AR(1) 0.95 level of sd 5 under each group's windows: the levels open the ARMA factor,
    // its phi at least theirs
    WindowJudge.Monitor m = dense(30, 25_000L, 1.0, 0.95, 5);
    WindowJudge.Track t = m.tracks.get(0);
    assertThat(WindowJudge.seriesLag1(t.levelSeries)).isNotNegative();
    double decay = WindowJudge.levelDecay(t.levelSeries, t.levelLag2);
    assertThat(decay).isGreaterThan(0.5);
    double arma = WindowJudge.seriesLongRun(t.lag1Series, t.lag2Series, false, decay);
    double ar1 = WindowJudge.seriesLongRun(t.lag1Series);
    assertThat(arma).isGreaterThan(ar1 * 1.5);
    double levels = t.levelSeries[WindowJudge.SERIES_COUNT];
    WindowJudge.judge(m, same, same, Telemetry.meanHypothesis());
    assertThat(t.longRunVariance).isCloseTo(arma, within(1e-12));
    // the control's window mean joins the levels after its window is judged
    assertThat(t.levelSeries[WindowJudge.SERIES_COUNT]).isEqualTo(levels + 1);
    // restored from state written before docs/adr/0102 (no level series): the AR(1) factor
    t.levelSeries = new double[0];
    ar1 = WindowJudge.seriesLongRun(t.lag1Series);
    WindowJudge.judge(m, same, same, Telemetry.meanHypothesis());
    assertThat(t.longRunVariance).isCloseTo(ar1, within(1e-12));
  }

  @Test
  void aDenseTracksLevelSeriesComeBackFromItsStateBesideAnEmptySingleSampleSpread() {
    // both docs/adr/0099's single-sample spread slots and these are written only when there is
    // something after them: a dense track's level series must not be read back as the former
    WindowJudge.Monitor m = dense(30, 25_000L, 1.0, 0.95, 5);
    WindowJudge.Track t = m.tracks.get(0);
    assertThat(t.levelSeries).isNotEmpty();
    assertThat(t.singleSpread).isEmpty();
    var serde = StateSerde.monitors();
    byte[] bytes = serde.serialize("t", m);
    WindowJudge.Track back = serde.deserialize("t", bytes).tracks.get(0);
    assertThat(back.singleSpread).isEmpty();
    assertThat(back.levelSeries).containsExactly(t.levelSeries);
    assertThat(back.levelLag2).containsExactly(t.levelLag2);
    assertThat(serde.serialize("t", serde.deserialize("t", bytes))).isEqualTo(bytes);
  }

  @Test
  void aStepBetweenTheStretchesIsNoSpread() {
    double[] before = java.util.Arrays.copyOfRange(VALUES, 0, 8);
    double[] after = java.util.Arrays.copyOfRange(VALUES, 8, VALUES.length);
    double[] shifted = after.clone();
    for (int i = 0; i < shifted.length; i++) {
      shifted[i] += 50;
    }
    double level = WindowJudge.seriesLongRun(series(before, after));
    assertThat(WindowJudge.seriesLongRun(series(before, shifted))).isCloseTo(level, within(1e-9));
    // the same step inside one stretch is spread
    double[] oneStretch = new double[VALUES.length];
    System.arraycopy(before, 0, oneStretch, 0, before.length);
    System.arraycopy(shifted, 0, oneStretch, before.length, shifted.length);
    assertThat(WindowJudge.seriesLongRun(series(oneStretch, new double[0])))
        .isGreaterThan(100 * level);
  }

  @Test
  void tooFewDifferencesOrNoSpreadGiveNone() {
    assertThat(WindowJudge.seriesLongRun(series(new double[] {1, 2, 3}, new double[] {4, 5})))
        .isZero();
    assertThat(
            WindowJudge.seriesLongRun(
                series(new double[] {2, 2, 2, 2, 2, 2, 2, 2, 2}, new double[0])))
        .isZero();
  }

  /**
   * 100 samples per group and window, window w spanning [w s, w s + 1 s), 20 warm-up windows, the
   * attack at {@code attackAt} (0 = none known); the last window's experimental level x{@code
   * last}.
   */
  private static WindowJudge.Monitor dense(int windows, long attackAt, double last) {
    return dense(windows, attackAt, last, 0, 0);
  }

  /** As above, each group's windows over its own AR(1) level ({@code levelPhi}, sd {@code sd}). */
  private static WindowJudge.Monitor dense(
      int windows, long attackAt, double last, double levelPhi, double sd) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.attackAt = attackAt;
    Random r = new Random(8);
    double[] c = new double[100];
    double[] e = new double[100];
    double levelC = 0;
    double levelE = 0;
    for (int w = 0; w < 20 + windows; w++) {
      if (levelPhi > 0) {
        levelC = levelPhi * levelC + Math.sqrt(1 - levelPhi * levelPhi) * r.nextGaussian();
        levelE = levelPhi * levelE + Math.sqrt(1 - levelPhi * levelPhi) * r.nextGaussian();
      }
      for (int i = 0; i < 100; i++) {
        c[i] = 100 + sd * levelC + 25 * r.nextGaussian();
        e[i] = (w == 20 + windows - 1 ? last : 1.0) * (100 + sd * levelE + 25 * r.nextGaussian());
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
  void denseWindowMeansAreNotPrewhitenedAndLearnUntilTheAttacksStart() {
    assertThat(new WindowJudge.Monitor().denseLongRun).as("the default").isTrue();
    WindowJudge.Track t = dense(30, 25_000L, 1.0).tracks.get(0);
    assertThat(t.phi).isZero();
    assertThat(t.lag1Series).hasSize(WindowJudge.SERIES_SLOTS);
    // the warm-up's 20 differences and the 5 judged windows that end before the attack; none from
    // it on (a ramp or a later fault would be learned as spread)
    assertThat(t.lag1Series[WindowJudge.SERIES_COUNT]).isEqualTo(25.0);
    assertThat(t.lag1Series[WindowJudge.SERIES_STRETCH + WindowJudge.SERIES_COUNT]).isZero();
    // without a known start nothing after the warm-up is learned
    WindowJudge.Track none = dense(30, 0L, 1.0).tracks.get(0);
    assertThat(none.lag1Series[WindowJudge.SERIES_COUNT]).isEqualTo(20.0);
    assertThat(none.lag1Series[WindowJudge.SERIES_STRETCH + WindowJudge.SERIES_COUNT]).isZero();
  }

  @Test
  void aDatapointsVarianceDoesNotLookAtTheDatapoint() {
    // the start known and ahead: every judged window teaches
    WindowJudge.Monitor a = dense(30, 1L << 40, 1.0);
    WindowJudge.Monitor b = dense(30, 1L << 40, 1.02);
    WindowJudge.Track ta = a.tracks.get(0);
    WindowJudge.Track tb = b.tracks.get(0);
    assertThat(tb.deviating).isFalse();
    // the last datapoint was judged with the variance learned before it: the same in both runs
    assertThat(tb.longRunVariance).isEqualTo(ta.longRunVariance);
    assertThat(tb.lag1Series).isNotEqualTo(ta.lag1Series);
    // the next one is judged with a variance that has learned from it
    Summary same = Summary.of(new double[] {90, 100, 110});
    WindowJudge.judge(a, same, same, Telemetry.meanHypothesis());
    WindowJudge.judge(b, same, same, Telemetry.meanHypothesis());
    assertThat(tb.longRunVariance).isNotEqualTo(ta.longRunVariance);
  }

  /** The demo's latency hypothesis: mean and p99 may rise 25%, alpha 0.01 (local-demo.yaml). */
  private static final Hypothesis DEMO_LATENCY =
      new Hypothesis(
          new MetricPolicy(Direction.INCREASE, 0.25, 0.0, 0.01, 1),
          false,
          true,
          Double.NaN,
          List.of(Statistic.MEAN, Statistic.P99));

  /**
   * The demo's shape (docs/adr/0086): 100 latency samples per group and window (20 rps, 5 s
   * windows) about a level of 7 ms that wanders under each group's windows (AR(1) 0.7), {@code
   * warmUp} warm-up windows, then 12 judged ones, the experimental group x1.81 in judged windows
   * 2-7 (the CPU burn's first window in the demo); each judged window's state and statistic.
   */
  private static List<String> demoShaped(int warmUp, boolean denseLongRun, long seed) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = warmUp;
    m.denseLongRun = denseLongRun;
    m.attackAt = (warmUp + 2) * 5000L;
    Random r = new Random(seed);
    double[] c = new double[100];
    double[] e = new double[100];
    double levelC = 0;
    double levelE = 0;
    List<String> judged = new ArrayList<>();
    for (int w = 0; w < warmUp + 12; w++) {
      levelC = 0.7 * levelC + 0.5 * r.nextGaussian();
      levelE = 0.7 * levelE + 0.5 * r.nextGaussian();
      double attack = w >= warmUp + 2 && w < warmUp + 8 ? 1.81 : 1.0;
      for (int i = 0; i < 100; i++) {
        c[i] = Math.max(0.5, 7 + levelC + 2 * r.nextGaussian());
        e[i] = attack * Math.max(0.5, 7 + levelE + 2 * r.nextGaussian());
      }
      WindowJudge.Judged j =
          WindowJudge.judge(
              m,
              Summary.of(c),
              Summary.of(e),
              p99(c),
              p99(e),
              DEMO_LATENCY,
              w * 5000L,
              w * 5000L + 5000);
      if (w >= warmUp) {
        judged.add(j.state() + " " + j.statistic());
      }
    }
    return judged;
  }

  private static double p99(double[] x) {
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
  }

  @Test
  void belowPhisWarmUpTheSwitchDoesNotActTheDemosLatencyIsJudgedAsBefore() {
    // the demo's 30 s warm-up of 5 s windows: 6 warm-up differences, fewer than phi is learned from
    int deviating = 0;
    for (int warmUp : new int[] {6, WindowJudge.MIN_WINDOWS_FOR_PHI - 1}) {
      for (long seed = 0; seed < 40; seed++) {
        List<String> on = demoShaped(warmUp, true, seed);
        assertThat(on)
            .as("warm-up %d, seed %d", warmUp, seed)
            .isEqualTo(demoShaped(warmUp, false, seed));
        deviating += on.stream().filter(s -> s.startsWith("DEVIATING")).count() > 0 ? 1 : 0;
      }
    }
    // the comparison covers the burn's detection, not only steady windows
    assertThat(deviating).isGreaterThan(40);
    // from MIN_WINDOWS_FOR_PHI warm-up differences on it acts: the comparison above can fail
    int differs = 0;
    for (long seed = 0; seed < 20; seed++) {
      int warmUp = WindowJudge.MIN_WINDOWS_FOR_PHI;
      differs += demoShaped(warmUp, true, seed).equals(demoShaped(warmUp, false, seed)) ? 0 : 1;
    }
    assertThat(differs).isGreaterThan(10);
  }
}
