package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.analyzer.Telemetry.Process;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** docs/adr/0081's pieces (off by default) against known vectors. */
class ControlSeriesPooledTest {

  @Test
  void aPoolOfIndependentWindowsSharesFourOfItsFiveWithTheNext() {
    // five independent windows: the pool's variance a fifth of one window's, its lag-1 covariance
    // 4/25 (four shared windows), so the difference's lag-1 is 0.16 / 1.2 for independent groups
    double[] shares = WindowJudge.poolShares(0.0, 5);
    assertThat(shares[0]).isCloseTo(0.2, within(1e-12));
    assertThat(shares[1]).isCloseTo(0.16, within(1e-12));
  }

  @Test
  void aPoolOfOneWindowIsThatWindow() {
    double[] shares = WindowJudge.poolShares(0.45, 1);
    assertThat(shares[0]).isCloseTo(1.0, within(1e-12));
    assertThat(shares[1]).isCloseTo(0.45, within(1e-12));
  }

  @Test
  void aPoolOfTwoAutocorrelatedWindows() {
    // (1/4)(2 + 2 rho) and (1/4)(rho^0 + rho^1 + rho^1 + rho^2) for rho 0.5
    double[] shares = WindowJudge.poolShares(0.5, 2);
    assertThat(shares[0]).isCloseTo(0.75, within(1e-12));
    assertThat(shares[1]).isCloseTo(0.5625, within(1e-12));
  }

  @Test
  void theVarianceIsTheSeriesVarianceRaisedForItsLag1AtItsUpperBoundTimesThePool() {
    // 21 values with squares 40: variance 2; rho 0: no short-series correction
    double bound = WindowJudge.varianceUpperBound(21);
    assertThat(WindowJudge.controlSeriesVariance(21, 40, 0.0, 0.2))
        .isCloseTo(2 * bound * 1.2, within(1e-12));
    // rho 0.5: long-run factor 3, the series looks calmer by (3 - 1) / 20
    assertThat(WindowJudge.controlSeriesVariance(21, 40, 0.5, 0.2))
        .isCloseTo(2 / 0.9 * bound * 1.2, within(1e-12));
  }

  @Test
  void theSwitchLearnsThePoolsPhiAndKeepsLearningTheVarianceFromTheControl() {
    Telemetry telemetry = new Telemetry(Process.NORMAL, 6, 0.8);
    telemetry.controlSeriesPooled = true;
    telemetry.controlSeriesWithin = false;
    telemetry.attackAt = 5 * 1000L;
    // per judged window: the groups' lag-1, the pool's share, phi, control windows, variance
    double[][] seen = new double[30][];
    telemetry.judgeEach(
        new Random(7),
        Telemetry.meanHypothesis(),
        20,
        30,
        5,
        Telemetry.Fault.NONE,
        30,
        (w, m, j) -> {
          if (w >= 0) {
            WindowJudge.Track t = m.tracks.get(0);
            seen[w] =
                new double[] {t.groupsPhi, t.poolShare, t.phi, t.longRunCount, t.longRunVariance};
          }
          return true;
        });
    // six samples a window against a pool of 30: five windows
    double rho = seen[0][0];
    double[] shares = WindowJudge.poolShares(rho, 5);
    assertThat(seen[0][1]).isCloseTo(shares[0], within(1e-12));
    assertThat(seen[0][2]).isCloseTo((rho + shares[1]) / (1 + shares[0]), within(1e-12));
    assertThat(seen[0][2]).isGreaterThanOrEqualTo(0.16 / 1.2 - 1e-12); // the sharing at least
    assertThat(seen[0][3]).isEqualTo(21); // 20 warm-up control windows and the first judged one
    assertThat(seen[29][3]).isEqualTo(50);
    assertThat(seen[29][4]).isNotEqualTo(seen[0][4]); // learned again from the later windows
    assertThat(seen[29][2]).isEqualTo(seen[0][2]); // phi fixed at the warm-up's end
  }
}
