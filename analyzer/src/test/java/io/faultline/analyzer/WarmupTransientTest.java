package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * One transient window in the warm-up (a cold JIT, a pause: the demo's experimental group once
 * served a whole warm-up window 4x slower) does not set the level and the spread for the whole
 * experiment (docs/adr/0055): the warm-up's differences are held within {@link WindowJudge#WINSOR}
 * robust standard deviations of their median, and the per-sample variance is the median window's.
 */
class WarmupTransientTest {

  /** The demo's latency hypothesis: increase, tolerance 25%, alpha 0.01. */
  private static final Hypothesis LATENCY =
      new Hypothesis(
          new MetricPolicy(Direction.INCREASE, 0.25, 0.0, 0.01, 1),
          false,
          true,
          Double.NaN,
          List.of(Statistic.MEAN));

  private static final int WARMUP = 6;

  /** 100 latencies around {@code level} ms with a 25% spread. */
  private static Summary window(Random r, double level) {
    double[] v = new double[100];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.max(0.1, level * (1 + 0.25 * r.nextGaussian()));
    }
    return Summary.of(v);
  }

  /**
   * The warm-up (its window {@code transientAt} with the experimental group {@code transientX}
   * slower), then {@code attacked} windows with it x2.2; the first DEVIATING window, or -1.
   */
  private static int firstDeviating(
      long seed, int transientAt, double transientX, int attacked, WindowJudge.Monitor m) {
    m.warmupWindows = WARMUP;
    Random r = new Random(seed);
    for (int w = 0; w < WARMUP; w++) {
      WindowJudge.judge(m, window(r, 4), window(r, w == transientAt ? 4 * transientX : 4), LATENCY);
    }
    for (int w = 0; w < attacked; w++) {
      WindowJudge.Judged j = WindowJudge.judge(m, window(r, 4), window(r, 8.8), LATENCY);
      if (j.state() == SteadyState.DEVIATING) {
        return w;
      }
    }
    return -1;
  }

  @Test
  void aTransientWarmUpWindowLeavesTheLearnedLevelAndSpreadAsTheyWere() {
    WindowJudge.Monitor quiet = new WindowJudge.Monitor();
    WindowJudge.Monitor transient4x = new WindowJudge.Monitor();
    firstDeviating(11, -1, 1, 0, quiet);
    firstDeviating(11, 0, 4, 0, transient4x);
    WindowJudge.Track q = quiet.tracks.get(0);
    WindowJudge.Track t = transient4x.tracks.get(0);
    // held within 5 robust sd of the others, the 4x window (12 ms over 6 windows: 2 ms, more than
    // the tolerance, if it were taken as it came) moves the offset by at most 5 sd / 6, under a
    // sixth of the tolerance; the tolerance itself is the median window's level
    assertThat(t.theta0).isCloseTo(q.theta0, within(0.01 * q.theta0));
    assertThat(t.offset).isCloseTo(q.offset, within(0.15 * t.theta0));
    // the held window still counts as 5 sd: the drift's sd stays under half the tolerance (taken as
    // it came, 12 ms in one of 6 differences would make it about 5 ms, five tolerances)
    assertThat(Math.sqrt(t.driftVariance)).isLessThan(0.5 * t.theta0);
    assertThat(t.sampleVarianceE).isLessThan(2 * q.sampleVarianceE);
  }

  @Test
  void aLatencyDoubledAfterATransientWarmUpIsFoundAsWithoutIt() {
    for (long seed = 1; seed <= 20; seed++) {
      int quiet = firstDeviating(seed, -1, 1, 8, new WindowJudge.Monitor());
      int after = firstDeviating(seed, (int) (seed % WARMUP), 4, 8, new WindowJudge.Monitor());
      assertThat(quiet).as("seed %d without a transient", seed).isBetween(0, 3);
      assertThat(after).as("seed %d after a 4x warm-up window", seed).isBetween(0, 3);
    }
  }

  @Test
  void theReportedToleratedRiseIsTheOneTheTestUsesOnBothScales() {
    // 25% + 0.5 ms: on the log scale the test tolerates log(1 + 0.25 + 0.5 / level), on the linear
    // one 0.25 level + 0.5, both at the median window's level (docs/adr/0055); the rise reported
    // with the learned steady state is that one, not one at the pooled mean the 4x window raises
    Hypothesis hypothesis =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.25, 0.5, 0.01, 1),
            false,
            true,
            Double.NaN,
            List.of(Statistic.MEAN));
    for (int perWindow : new int[] {6, 100}) {
      WindowJudge.Monitor m = new WindowJudge.Monitor();
      m.warmupWindows = WARMUP;
      Random r = new Random(5);
      List<Double> levels = new java.util.ArrayList<>();
      for (int w = 0; w < WARMUP; w++) {
        Summary c = latencies(r, perWindow, 4);
        Summary e = latencies(r, perWindow, w == 2 ? 16 : 4);
        levels.add(e.mean());
        WindowJudge.judge(m, c, e, hypothesis);
      }
      assertThat(m.ready).isTrue();
      assertThat(m.tracks.get(0).log)
          .as("%d samples per window", perWindow)
          .isEqualTo(perWindow < 30);
      assertThat(m.theta0)
          .as("%d samples per window", perWindow)
          .isCloseTo(0.25 * WindowJudge.median(levels) + 0.5, within(1e-9));
    }
  }

  /** {@code n} latencies around {@code level} ms with a 25% spread. */
  private static Summary latencies(Random r, int n, double level) {
    double[] v = new double[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.max(0.1, level * (1 + 0.25 * r.nextGaussian()));
    }
    return Summary.of(v);
  }

  /** Increase, tolerance 10%, alpha 0.05: the bench's hypothesis. */
  private static final Hypothesis TEN_PERCENT =
      new Hypothesis(
          new MetricPolicy(Direction.INCREASE, 0.10, 0.0, 0.05, 1),
          false,
          true,
          Double.NaN,
          List.of(Statistic.MEAN));

  /** Six samples around 100 with sd 25, x {@code factor}: one sample per 10 s in a minute. */
  private static Summary sparse(Random r, double factor) {
    double[] v = new double[6];
    for (int i = 0; i < v.length; i++) {
      v[i] = factor * Math.max(1, 100 + 25 * r.nextGaussian());
    }
    return Summary.of(v);
  }

  /**
   * As the bench runs it: 20 warm-up windows at six samples per group (the control's window {@code
   * transientAt} 3x slower, none if negative), the attack told at judged window 5, from which the
   * experimental group is +50%; the judged windows from the attack to the first DEVIATING one, or
   * -1 within 25.
   */
  private static int firstDeviatingSparse(long seed, int transientAt) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.horizon = 60;
    m.attackAt = 5 * 60_000L;
    Random r = new Random(seed);
    for (int w = -20; w < 30; w++) {
      Summary c = sparse(r, w + 20 == transientAt ? 3 : 1);
      Summary e = sparse(r, w >= 5 ? 1.5 : 1);
      WindowJudge.Judged j =
          WindowJudge.judge(
              m, c, e, Double.NaN, Double.NaN, TEN_PERCENT, w * 60_000L, (w + 1) * 60_000L);
      if (w >= 5 && j.state() == SteadyState.DEVIATING) {
        return w - 5;
      }
    }
    return -1;
  }

  @Test
  void aTransientControlWindowDoesNotHideASparseFault() {
    // the pooled control (5 windows at six samples each) carried a 3x control window into five
    // warm-up differences, each by less than their own hold, and +50% was then found in about a
    // third of the bench's runs (docs/adr/0057); held before pooling, it is found as without it
    int quiet = 0;
    int after = 0;
    for (long seed = 1; seed <= 40; seed++) {
      quiet += firstDeviatingSparse(seed, -1) >= 0 ? 1 : 0;
      after += firstDeviatingSparse(seed, (int) (seed % 20)) >= 0 ? 1 : 0;
    }
    assertThat(quiet)
        .as("runs of 40 that find +50% without a transient")
        .isGreaterThanOrEqualTo(36);
    assertThat(after)
        .as("runs of 40 that find it after a 3x control window")
        .isGreaterThanOrEqualTo(quiet - 3);
  }

  @Test
  void aSlowControlWindowIsHeldAtTheBoundWithItsVarianceScaledAndTheOthersAreLeft() {
    List<double[]> warmup = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // control mean 10 + i/10, variance 4, 6 samples; window 3 is 3x slower
      double f = i == 3 ? 3 : 1;
      warmup.add(new double[] {(10 + i / 10.0) * f, 4 * f * f, 6, 10, 4, 6, 0, 0});
    }
    List<double[]> held = WindowJudge.heldControls(warmup);
    double bound = WindowJudge.winsorBounds(List.of(10.0, 10.1, 10.2, 30.9, 10.4, 10.5))[1];
    assertThat(held.get(3)[0]).isCloseTo(bound, within(1e-9));
    double factor = bound / 30.9;
    assertThat(held.get(3)[1]).isCloseTo(36 * factor * factor, within(1e-9));
    assertThat(held.get(3)[2]).isEqualTo(6);
    for (int i : new int[] {0, 1, 2, 4, 5}) {
      assertThat(held.get(i)).containsExactly(warmup.get(i)[0], warmup.get(i)[1], warmup.get(i)[2]);
    }
    // below 5 windows nothing is held
    assertThat(WindowJudge.heldControls(warmup.subList(1, 5)).get(2)[0])
        .isCloseTo(30.9, within(1e-9));
  }

  @Test
  void theBoundsAreTheMedianPlusOrMinusFiveRobustDeviationsAndOpenWhenTheyCannotBeTold() {
    double[] b = WindowJudge.winsorBounds(List.of(0.0, 1.0, 2.0, 3.0, 100.0));
    // median 2, absolute deviations 2 1 0 1 98 -> median 1, s = 1.4826
    assertThat(b[0]).isCloseTo(2 - 5 * 1.4826, within(1e-12));
    assertThat(b[1]).isCloseTo(2 + 5 * 1.4826, within(1e-12));
    assertThat(WindowJudge.winsorBounds(List.of(1.0, 2.0, 3.0, 4.0)))
        .containsExactly(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertThat(WindowJudge.winsorBounds(List.of(1.0, 1.0, 1.0, 1.0, 9.0)))
        .containsExactly(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }
}
