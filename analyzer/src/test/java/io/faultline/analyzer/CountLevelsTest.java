package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Small counts (a queue depth of 0-3, mostly zeros) and heavy-tailed spreads: the switches of
 * docs/adr/0068, on by default since its whole-bench run.
 */
class CountLevelsTest {

  /** The bench's hypothesis: increase, tolerance 10%, alpha 0.05, mean and spread watched. */
  private static final Hypothesis INCREASE = Telemetry.benchHypothesis();

  /** 20 warm-up windows of one sample per group: 0 in 14 of them, 1 or 2 in the rest. */
  private static WindowJudge.Monitor singleSampleWarmUp(boolean countLevels) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.countLevels = countLevels;
    for (int w = 0; w < 20; w++) {
      double c = w % 3 == 0 ? 1 : 0;
      double e = w % 3 == 1 ? (w % 2 == 0 ? 2 : 1) : 0;
      WindowJudge.judge(
          m, Summary.of(c), Summary.of(e), Double.NaN, Double.NaN, INCREASE, w, w + 1L);
    }
    return m;
  }

  @Test
  void aMedianLevelOfZeroLeavesNoToleranceUnlessCountLevelsIsOn() {
    assertThat(singleSampleWarmUp(false).theta0).isZero();
    // the experimental levels' mean: 7 windows of 1 or 2 over 20, 10% of it
    WindowJudge.Monitor m = singleSampleWarmUp(true);
    assertThat(m.ready).isTrue();
    assertThat(m.theta0).isGreaterThan(0.04).isLessThan(0.11);
  }

  @Test
  void aWindowOfZerosOnTheLogScaleIsFlooredAtHalfTheSmallestWarmUpMean() {
    for (boolean on : new boolean[] {false, true}) {
      WindowJudge.Monitor m = new WindowJudge.Monitor();
      m.warmupWindows = 20;
      m.countLevels = on;
      // six samples per window, every window mean above 0 (the smallest 1/6): the log scale
      for (int w = 0; w < 20; w++) {
        double[] c = {0, 0, 0, 0, 0, w % 2 == 0 ? 1 : 2};
        double[] e = {0, 0, 0, 0, w % 2 == 0 ? 1 : 0, 1};
        WindowJudge.judge(m, Summary.of(c), Summary.of(e), 1, 1, INCREASE, w, w + 1L);
      }
      WindowJudge.Track mean = m.tracks.get(0);
      assertThat(mean.log).isTrue();
      if (on) {
        assertThat(mean.logFloor).isCloseTo(0.5 / 6, within(1e-12));
      } else {
        assertThat(mean.logFloor).isZero();
      }
      double[] zeros = {0, 0, 0, 0, 0, 0};
      double[] point =
          WindowJudge.datapoint(
              mean, Summary.of(1, 0, 0, 0, 0, 0), Summary.of(zeros), Double.NaN, Double.NaN);
      // off: log(1e-12) - log(1/6) = -25.8; on: log(1/12) - log(1/6) = -0.69, less the offset
      assertThat(point[0]).isLessThan(on ? 0 : -20).isGreaterThan(on ? -3 : -40);
    }
  }

  @Test
  void spreadClipClipsTheSpreadTrackOnlyWithoutTheDriftBound() {
    WindowJudge.Monitor off = warmUpOfWindowMeans(false);
    WindowJudge.Monitor on = warmUpOfWindowMeans(true);
    assertThat(off.tracks.get(1).spreadClipped).isFalse();
    assertThat(on.tracks.get(1).statistic).isEqualTo(Statistic.SPREAD);
    assertThat(on.tracks.get(1).spreadClipped).isTrue();
    assertThat(on.tracks.get(0).spreadClipped).isFalse();
    assertThat(on.tracks.get(1).driftVariance).isEqualTo(off.tracks.get(1).driftVariance);
  }

  private static WindowJudge.Monitor warmUpOfWindowMeans(boolean spreadClip) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.spreadClip = spreadClip;
    Random r = new Random(3);
    for (int w = 0; w < 20; w++) {
      double[] c = new double[6];
      double[] e = new double[6];
      for (int i = 0; i < 6; i++) {
        c[i] = 100 + 25 * r.nextGaussian();
        e[i] = 100 + 25 * r.nextGaussian();
      }
      WindowJudge.judge(m, Summary.of(c), Summary.of(e), 150, 150, INCREASE, w, w + 1L);
    }
    return m;
  }
}
