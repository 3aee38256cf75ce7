package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Volatility that clusters in time (GARCH(1,1) per window, each group its own path) at one sample
 * per 10 s: six samples a window, so a window's log spread ratio has a sampling variance near 0.25
 * and twenty warm-up windows cannot show the groups' spreads wandering. With {@code
 * Monitor.spreadWander} alone the spread track still raised false alarms in about a tenth of clean
 * runs; {@code Monitor.spreadWanderFloor} floors its drift at 1.5 times that sampling variance
 * (docs/adr/0076).
 */
class SparseClusteredVolatilityTest {

  /** The bench's hypothesis: increase, tolerance 10%, alpha 0.05, mean and spread watched. */
  private static final Hypothesis INCREASE = Telemetry.benchHypothesis();

  private static final int WARMUP = 20;
  private static final int JUDGED = 60;
  private static final int SAMPLES = 6;
  private static final int SEEDS = 400;

  /** Two groups of six samples a window, mean 100, sd 25 times each group's own volatility. */
  private static final class Groups {
    final Random r;
    final boolean garch;
    final double[] h = {1, 1};
    final double[] shock = {0, 0};

    Groups(long seed, boolean garch) {
      this.r = new Random(seed);
      this.garch = garch;
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
        double[] x = new double[SAMPLES];
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
  private static WindowJudge.Monitor monitor(boolean floor) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.horizon = JUDGED;
    m.learnUntil = (WARMUP + 1) * 60_000L;
    m.attackAt = m.learnUntil + 5 * 60_000L;
    m.spreadWander = true;
    m.spreadWanderFloor = floor;
    return m;
  }

  /** Runs (of {@link #SEEDS}) with a deviation in some judged window. */
  private static int alarmedRuns(boolean garch, double sd, boolean floor) {
    int alarmed = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Groups groups = new Groups(seed, garch);
      WindowJudge.Monitor m = monitor(floor);
      boolean deviated = false;
      for (int w = -WARMUP; w < JUDGED; w++) {
        deviated |= groups.judge(m, w, w >= 5 ? sd : 1) == SteadyState.DEVIATING;
      }
      alarmed += deviated ? 1 : 0;
    }
    return alarmed;
  }

  @Test
  void sparseClusteredVolatilityStaysUnderAlphaOnlyWithTheFloor() {
    // alpha 0.05 over 400 runs is 20 false alarms
    assertThat(alarmedRuns(true, 1, false)).isGreaterThan(28);
    assertThat(alarmedRuns(true, 1, true)).isLessThanOrEqualTo(20);
  }

  @Test
  void theFloorCostsAVarianceDoublingOfIndependentWindowsButNotANinefoldVariance() {
    // the price (docs/adr/0076): six samples a window cannot tell a doubled variance from a wander
    assertThat(alarmedRuns(false, Math.sqrt(2), true))
        .isLessThan(alarmedRuns(false, Math.sqrt(2), false));
    assertThat(alarmedRuns(false, 3, true)).isGreaterThanOrEqualTo(SEEDS * 9 / 10);
  }

  @Test
  void theFloorIsTwiceTheRatiosSamplingVarianceAndStaysUnderEveryLaterDrift() {
    WindowJudge.Monitor m = monitor(true);
    Groups groups = new Groups(7, false);
    for (int w = -WARMUP; w < 0; w++) {
      groups.judge(m, w, 1);
    }
    WindowJudge.Track spread = m.tracks.get(1);
    assertThat(spread.statistic).isEqualTo(Statistic.SPREAD);
    double floor = WindowJudge.WANDER_FLOOR * 2 * WindowJudge.logSpreadVariance(SAMPLES);
    assertThat(spread.driftVariance).isGreaterThanOrEqualTo(floor);
    assertThat(spread.wander[WindowJudge.WANDER_WARM_UP]).isEqualTo(spread.driftVariance);
    for (int w = 0; w < 30; w++) {
      groups.judge(m, w, 1);
      assertThat(spread.driftVariance).isGreaterThanOrEqualTo(floor);
    }
    WindowJudge.Monitor off = monitor(false);
    Groups same = new Groups(7, false);
    for (int w = -WARMUP; w < 0; w++) {
      same.judge(off, w, 1);
    }
    assertThat(off.tracks.get(1).driftVariance).isLessThan(floor);
  }
}
