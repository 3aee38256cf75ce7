package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.analyzer.stats.Summary;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Window means against one control window counted at the variance of the control's window means
 * learned through the run, their autocorrelation paid by its evidence (docs/adr/0072).
 */
class ControlVarianceTest {

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

  private static WindowJudge.Track series(double[] values, boolean byEvidence) {
    WindowJudge.Track t = new WindowJudge.Track();
    t.log = true;
    t.longRunByEvidence = byEvidence;
    for (double v : values) {
      WindowJudge.addToLongRun(t, v);
    }
    return t;
  }

  @Test
  void anAutocorrelationBelowItsSignificanceCutCountsAtThePlainVarianceOfBothGroups() {
    double[] values = {4.61, 4.52, 4.70, 4.66, 4.58, 4.49, 4.63, 4.71, 4.75, 4.55};
    double[] rs = lagAndSquares(values);
    int n = values.length;
    // above 0, so the long-run variance of docs/adr/0062 pays the factor and the bound; below
    // the cut 1 / sqrt(n), so by its evidence it pays neither
    assertThat(rs[0]).isBetween(0.0, 1 / Math.sqrt(n));
    double plain = 2 * rs[1] / (n - 1);
    assertThat(WindowJudge.longRunVariance(series(values, true))).isCloseTo(plain, within(1e-12));
    assertThat(WindowJudge.longRunVariance(series(values, false))).isGreaterThan(1.5 * plain);
  }

  @Test
  void anAutocorrelationWithEvidencePaysItsShareOfTheFactorAndTheBound() {
    double[] values = {4.61, 4.70, 4.66, 4.52, 4.49, 4.58, 4.71, 4.75, 4.63, 4.55};
    double[] rs = lagAndSquares(values);
    int n = values.length;
    double share = rs[0] * Math.sqrt(n) - 1;
    assertThat(share).isBetween(0.5, 1.0); // between the cut and twice it
    double r = rs[0] * share;
    double expected = 2 * WindowJudge.drift(n, rs[1], r, 0.0, share) * (1 + r) / (1 - r);
    WindowJudge.Track byEvidence = series(values, true);
    assertThat(WindowJudge.longRunVariance(byEvidence)).isCloseTo(expected, within(1e-12));
    assertThat(expected).isGreaterThan(2 * rs[1] / (n - 1));
    assertThat(expected).isLessThan(WindowJudge.longRunVariance(series(values, false)));
    // a trend is all evidence: the whole factor and bound, as docs/adr/0062's
    double[] trend = {1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9};
    assertThat(WindowJudge.longRunVariance(series(trend, true)))
        .isCloseTo(WindowJudge.longRunVariance(series(trend, false)), within(1e-12));
  }

  /**
   * A monitor with the switch after the warm-up and {@code judged} windows of normal samples, the
   * last one's control mean moved by {@code lastControl} (NaN = not moved).
   */
  private static WindowJudge.Monitor dense(int samples, int judged, double lastControl) {
    Telemetry telemetry = new Telemetry(Process.NORMAL, samples, 0.0);
    telemetry.controlVariance = true;
    telemetry.attackAt = 5_000;
    WindowJudge.Monitor[] last = new WindowJudge.Monitor[1];
    telemetry.judgeEach(
        new Random(72),
        Telemetry.meanHypothesis(),
        20,
        judged - 1,
        Integer.MAX_VALUE,
        Fault.NONE,
        60,
        (w, m, j) -> {
          last[0] = m;
          return true;
        });
    Random r = new Random(73);
    double[] c = new double[samples];
    double[] e = new double[samples];
    for (int i = 0; i < samples; i++) {
      c[i] = 100 + 25 * r.nextGaussian() + (Double.isNaN(lastControl) ? 0 : lastControl);
      e[i] = 100 + 25 * r.nextGaussian();
    }
    WindowJudge.judge(last[0], Summary.of(c), Summary.of(e), Telemetry.meanHypothesis());
    return last[0];
  }

  @Test
  void aDatapointsVarianceComesFromTheControlWindowsBeforeItAndKeepsLearningAfterTheAttack() {
    WindowJudge.Track before = dense(100, 30, Double.NaN).tracks.get(0);
    assertThat(before.longRunByEvidence).isTrue();
    assertThat(before.phi).isZero(); // no prewhitening
    assertThat(before.longRunVariance).isPositive();
    // the last window's own control mean is no part of the variance it was judged with
    WindowJudge.Track moved = dense(100, 30, 40.0).tracks.get(0);
    assertThat(moved.longRunVariance).isEqualTo(before.longRunVariance);
    // it is part of the next one's: the control windows after the attack (window 5) count
    assertThat(WindowJudge.longRunVariance(moved))
        .isGreaterThan(1.5 * WindowJudge.longRunVariance(before));
    assertThat(moved.longRunCount).isEqualTo(50);
  }

  @Test
  void aPooledControlKeepsTheDefaultVariance() {
    // 6 samples per window: the control is pooled over 5 windows, whose datapoints share them
    WindowJudge.Monitor m = dense(6, 10, Double.NaN);
    assertThat(m.controlSpan).isGreaterThan(1);
    WindowJudge.Track t = m.tracks.get(0);
    assertThat(t.longRunByEvidence).isFalse();
    assertThat(t.longRunVariance).isZero();
  }
}
