package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Volatility that clusters in time (GARCH(1,1) per window, each group its own path): each group's
 * spread wanders from window to window beyond the sampling noise of one window's variance, slowly,
 * so 20 warm-up windows see the groups' log spread ratio calm and the spread track raised false
 * alarms; {@code Monitor.spreadWander} counts its datapoints at the wander's long-run variance,
 * learned from the groups' own log spread series (docs/adr/0070). At six samples a window the
 * warm-up's series cannot show the wander; {@code Monitor.spreadWanderFloor} floors the drift there
 * (docs/adr/0076).
 */
class SpreadWanderTest {

  /** The bench's hypothesis: increase, tolerance 10%, alpha 0.05, mean and spread watched. */
  private static final Hypothesis INCREASE = Telemetry.benchHypothesis();

  private static final int WARMUP = 20;
  private static final int JUDGED = 60;
  private static final int SEEDS = 200;

  /** Samples a group and window: dense, and one per 10 s. */
  private static final int DENSE = 100;

  private static final int SPARSE = 6;

  /** Two groups of n samples a window, mean 100, sd 25 times each group's own volatility. */
  private static final class Groups {
    final Random r;
    final boolean garch;
    final int samples;
    final double[] h = {1, 1};
    final double[] shock = {0, 0};

    Groups(long seed, boolean garch) {
      this(seed, garch, DENSE);
    }

    Groups(long seed, boolean garch, int samples) {
      this.r = new Random(seed);
      this.garch = garch;
      this.samples = samples;
    }

    /** Judges window w (judged from 0 on) with the experimental group's sd times {@code sd}. */
    SteadyState judge(WindowJudge.Monitor m, int w, double sd) {
      Summary[] groups = new Summary[2];
      for (int g = 0; g < 2; g++) {
        if (garch) {
          // h = 0.05 + 0.15 u^2 + 0.8 h, u the previous window's shock: long-run variance 1
          h[g] = 0.05 + 0.15 * shock[g] * shock[g] + 0.8 * h[g];
          shock[g] = Math.sqrt(h[g]) * r.nextGaussian();
        }
        double scale = 25 * Math.sqrt(h[g]) * (g == 1 ? sd : 1);
        double[] x = new double[samples];
        for (int i = 0; i < x.length; i++) {
          x[i] = 100 + scale * r.nextGaussian();
        }
        groups[g] = Summary.of(x);
      }
      return WindowJudge.judge(
              m,
              groups[0],
              groups[1],
              Double.NaN,
              Double.NaN,
              INCREASE,
              (WARMUP + 1 + w) * 60_000L,
              (WARMUP + 2 + w) * 60_000L)
          .state();
    }
  }

  /** A monitor as the bench's: 20 warm-up windows, 60 judged, the attack told at window 5. */
  private static WindowJudge.Monitor monitor(boolean spreadWander) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.horizon = JUDGED;
    m.learnUntil = (WARMUP + 1) * 60_000L;
    m.attackAt = m.learnUntil + 5 * 60_000L;
    m.spreadWander = spreadWander;
    return m;
  }

  /** Dense runs (of {@link #SEEDS}) with a deviation in some judged window. */
  private static int alarmedRuns(boolean garch, double sd, boolean spreadWander) {
    return alarmedRuns(DENSE, SEEDS, garch, sd, spreadWander, true);
  }

  /** Runs of n samples a window (of {@code seeds}) with a deviation in some judged window. */
  private static int alarmedRuns(
      int samples, int seeds, boolean garch, double sd, boolean spreadWander, boolean floor) {
    return alarmedRuns(samples, seeds, garch, sd, spreadWander, floor, true);
  }

  /**
   * As above; without {@code levels} the spread track's level series are dropped at the warm-up's
   * end, as in a track stored before docs/adr/0108.
   */
  private static int alarmedRuns(
      int samples,
      int seeds,
      boolean garch,
      double sd,
      boolean spreadWander,
      boolean floor,
      boolean levels) {
    int alarmed = 0;
    for (long seed = 1; seed <= seeds; seed++) {
      Groups groups = new Groups(seed, garch, samples);
      WindowJudge.Monitor m = monitor(spreadWander);
      m.spreadWanderFloor = floor;
      boolean deviated = false;
      for (int w = -WARMUP; w < JUDGED; w++) {
        deviated |= groups.judge(m, w, w >= 5 ? sd : 1) == SteadyState.DEVIATING;
        if (!levels) {
          m.tracks.forEach(t -> t.levelSeries = new double[0]);
        }
      }
      alarmed += deviated ? 1 : 0;
    }
    return alarmed;
  }

  @Test
  void clusteredVolatilityStaysUnderAlphaOnlyWithTheWanderLearned() {
    // alpha 0.05 over 200 runs is 10 false alarms
    assertThat(alarmedRuns(true, 1, false)).isGreaterThan(15);
    assertThat(alarmedRuns(true, 1, true)).isLessThanOrEqualTo(10);
  }

  @Test
  void independentWindowsKeepTheirVarianceAndFindAVarianceDoubling() {
    int off = alarmedRuns(false, Math.sqrt(2), false);
    int on = alarmedRuns(false, Math.sqrt(2), true);
    assertThat(off).isGreaterThan(190);
    assertThat(on).isGreaterThanOrEqualTo(off - 4);
  }

  @Test
  void theWanderIsNoneForIndependentSeriesAndGrowsWithPersistence() {
    Random r = new Random(11);
    // 60, not 40: this seed's 40-window persistent series has r 0.30, under the twice-the-cut
    // evidence the wander is paid from (docs/adr/0076)
    int n = 60;
    double sampling = 1.0;
    double[] calm = series(r, n, 0.0);
    double[] persistent = series(r, n, 0.9);
    assertThat(wander(calm, sampling)).isZero();
    assertThat(wander(persistent, sampling)).isGreaterThan(2 * sampling);
    // fewer windows than phi needs: none
    assertThat(WindowJudge.wanderVariance(5, 1, 10, 9, sampling)).isZero();
  }

  @Test
  void theControlsSeriesExtendsTheWarmUpsAndTheDriftIsAtLeastTheWarmUps() {
    WindowJudge.Monitor m = monitor(true);
    Groups groups = new Groups(5, true);
    for (int w = -WARMUP; w < 0; w++) {
      groups.judge(m, w, 1);
    }
    WindowJudge.Track spread = m.tracks.get(1);
    assertThat(spread.statistic).isEqualTo(Statistic.SPREAD);
    assertThat(spread.wander).hasSize(WindowJudge.WANDER_SLOTS);
    assertThat(spread.wander[WindowJudge.WANDER_COUNT]).isEqualTo(WARMUP);
    double warmUp = spread.wander[WindowJudge.WANDER_WARM_UP];
    assertThat(spread.driftVariance).isEqualTo(warmUp);
    for (int w = 0; w < 30; w++) {
      groups.judge(m, w, 1);
      assertThat(spread.driftVariance).isGreaterThanOrEqualTo(warmUp);
    }
    assertThat(spread.wander[WindowJudge.WANDER_COUNT]).isEqualTo(WARMUP + 30);
    assertThat(monitor(false).tracks).isEmpty();
    WindowJudge.Monitor off = monitor(false);
    Groups same = new Groups(5, true);
    for (int w = -WARMUP; w < 0; w++) {
      same.judge(off, w, 1);
    }
    assertThat(off.tracks.get(1).wander).isEmpty();
  }

  @Test
  void sparseClusteredVolatilityStaysUnderAlphaWithTheFloorOrTheLevelSeries() {
    // six samples a window: the warm-up's series cannot show the wander (docs/adr/0076); alpha
    // 0.05 over 400 runs is 20 false alarms. The groups' level series (docs/adr/0108) alone keep
    // it under alpha too (measured 10 without the floor)
    assertThat(alarmedRuns(SPARSE, 400, true, 1, true, false, false)).isGreaterThan(28);
    assertThat(alarmedRuns(SPARSE, 400, true, 1, true, true, false)).isLessThanOrEqualTo(20);
    assertThat(alarmedRuns(SPARSE, 400, true, 1, true, false, true)).isLessThanOrEqualTo(20);
    assertThat(alarmedRuns(SPARSE, 400, true, 1, true, true, true)).isLessThanOrEqualTo(20);
  }

  @Test
  void theFloorCostsAVarianceDoublingOfSparseIndependentWindowsButNotANinefoldVariance() {
    // the price (docs/adr/0076): six samples a window cannot tell a doubled variance from a wander
    assertThat(alarmedRuns(SPARSE, 400, false, Math.sqrt(2), true, true))
        .isLessThan(alarmedRuns(SPARSE, 400, false, Math.sqrt(2), true, false));
    assertThat(alarmedRuns(SPARSE, 400, false, 3, true, true)).isGreaterThanOrEqualTo(360);
  }

  @Test
  void theSparseFloorIsOneAndAHalfSamplingVariancesOfTheRatioAndStaysUnderEveryLaterDrift() {
    WindowJudge.Monitor m = monitor(true);
    Groups groups = new Groups(7, false, SPARSE);
    for (int w = -WARMUP; w < 0; w++) {
      groups.judge(m, w, 1);
    }
    WindowJudge.Track spread = m.tracks.get(1);
    double floor = WindowJudge.WANDER_FLOOR * 2 * WindowJudge.logSpreadVariance(SPARSE);
    assertThat(spread.driftVariance).isGreaterThanOrEqualTo(floor);
    assertThat(spread.wander[WindowJudge.WANDER_WARM_UP]).isEqualTo(spread.driftVariance);
    for (int w = 0; w < 30; w++) {
      groups.judge(m, w, 1);
      assertThat(spread.driftVariance).isGreaterThanOrEqualTo(floor);
    }
    WindowJudge.Monitor off = monitor(true);
    off.spreadWanderFloor = false;
    Groups same = new Groups(7, false, SPARSE);
    for (int w = -WARMUP; w < 0; w++) {
      same.judge(off, w, 1);
    }
    assertThat(off.tracks.get(1).driftVariance).isLessThan(floor);
    // dense windows show a wander themselves: no floor
    WindowJudge.Monitor dense = monitor(true);
    Groups many = new Groups(7, false, DENSE);
    for (int w = -WARMUP; w < 0; w++) {
      many.judge(dense, w, 1);
    }
    assertThat(dense.tracks.get(1).driftVariance)
        .isLessThan(WindowJudge.WANDER_FLOOR * 2 * WindowJudge.logSpreadVariance(DENSE));
  }

  /** An AR(1) series at phi with unit sampling noise on top, as a window log spread series is. */
  private static double[] series(Random r, int n, double phi) {
    double[] x = new double[n];
    double state = 0;
    for (int i = 0; i < n; i++) {
      state = phi * state + Math.sqrt(1 - phi * phi) * 2 * r.nextGaussian();
      x[i] = (phi > 0 ? state : 0) + r.nextGaussian();
    }
    return x;
  }

  private static double wander(double[] x, double sampling) {
    List<Double> series = Arrays.stream(x).boxed().toList();
    double[] sums = new double[2];
    WindowJudge.addLagProducts(series, Summary.of(x).mean(), x.length, sums);
    return WindowJudge.wanderVariance(x.length, 1, sums[1], sums[0], sampling);
  }
}
