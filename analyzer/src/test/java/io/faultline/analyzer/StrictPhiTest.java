package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Summary;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Single samples keep a warm-up phi only when it is significant at 5% one-sided, with {@link
 * WindowJudge.Monitor#strictPhi} (docs/adr/0061): independent warm-ups rarely keep one, AR(1) 0.8
 * ones almost always do.
 */
class StrictPhiTest {

  /** The mean track's phi after 20 single-sample warm-up windows at the given autocorrelation. */
  private static double learnedPhi(boolean strict, double phi, Random r) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = 20;
    m.strictPhi = strict;
    double c = r.nextGaussian();
    double e = r.nextGaussian();
    double innovation = Math.sqrt(1 - phi * phi);
    for (int w = 0; w < 20; w++) {
      c = phi * c + innovation * r.nextGaussian();
      e = phi * e + innovation * r.nextGaussian();
      WindowJudge.judge(
          m, Summary.of(100 + 25 * c), Summary.of(100 + 25 * e), Telemetry.meanHypothesis());
    }
    return m.tracks.get(0).phi;
  }

  private static double shareWithPhi(boolean strict, double phi) {
    Random r = new Random(61);
    int kept = 0;
    for (int run = 0; run < 400; run++) {
      kept += learnedPhi(strict, phi, r) > 0 ? 1 : 0;
    }
    return kept / 400.0;
  }

  @Test
  void independentWarmUpsRarelyKeepAPhi() {
    // 400 warm-ups: the default keeps a phi in 29% (one standard error, and the warm-up's growing
    // pooled control correlates neighbouring differences), the strict rule in 14%
    assertThat(shareWithPhi(false, 0.0)).isGreaterThan(0.2);
    assertThat(shareWithPhi(true, 0.0)).isLessThan(0.2);
  }

  @Test
  void autocorrelatedWarmUpsStillKeepIt() {
    // 95% of 400
    assertThat(shareWithPhi(true, 0.8)).isGreaterThan(0.85);
  }

  @Test
  void offByDefault() {
    assertThat(new WindowJudge.Monitor().strictPhi).isFalse();
  }
}
