package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The two-sample e-detector (docs/adr/0014) against hand-computed vectors. */
class EDetectorTest {

  private static EDetector detector(double phi) {
    return new EDetector(Direction.INCREASE, 0.05, 60, 0.5, phi, 0.95);
  }

  @Test
  void theEffectIsTheDifferenceOfMeansSinceAndBeforeTheChangeWithTheTwoSampleVariance() {
    EDetector.State s = new EDetector.State();
    detector(0).prime(s, new double[] {0, 1, -1, 0}, new double[] {1, 1, 1, 1});
    EDetector.Step step = null;
    for (double d : new double[] {6, 7, 8}) {
      step = detector(0).updateNormal(s, (long) d, d, 1);
    }
    // the strongest candidate is the first shifted datapoint: P = 4 warm-up points (mean 0),
    // Q = {6, 7, 8} (mean 7), Var U = 1/3 + 1/4
    assertThat(step.changePoint()).isEqualTo(6L);
    assertThat(step.effect()).isCloseTo(7.0, within(1e-9));
    double se = Math.sqrt(1.0 / 3 + 1.0 / 4);
    assertThat(step.high() - step.effect()).isCloseTo(1.959964 * se, within(1e-4));
    assertThat(step.alarm()).isTrue();
  }

  @Test
  void aConstantAddedToEveryDatapointChangesNothing() {
    for (double phi : new double[] {0, 0.6}) {
      EDetector.State a = new EDetector.State();
      EDetector.State b = new EDetector.State();
      Random r = new Random(5);
      double[] warm = new double[20];
      double[] shifted = new double[20];
      double[] ones = new double[20];
      for (int i = 0; i < 20; i++) {
        warm[i] = r.nextGaussian();
        shifted[i] = warm[i] + 40;
        ones[i] = 1;
      }
      detector(phi).prime(a, warm, ones);
      detector(phi).prime(b, shifted, ones);
      for (int t = 0; t < 50; t++) {
        double d = r.nextGaussian() + (t >= 30 ? 1.5 : 0);
        EDetector.Step x = detector(phi).updateNormal(a, t, d, 1);
        EDetector.Step y = detector(phi).updateNormal(b, t, d + 40, 1);
        assertThat(y.logStatistic())
            .as("phi %s, t %d", phi, t)
            .isCloseTo(x.logStatistic(), within(1e-6));
        assertThat(y.effect()).isCloseTo(x.effect(), within(1e-6));
      }
    }
  }

  @Test
  void candidatesAreThinnedGeometricallySoTheStateStaysSmall() {
    EDetector.State s = new EDetector.State();
    detector(0).prime(s, new double[] {0, 0}, new double[] {1, 1});
    Random r = new Random(6);
    for (int t = 0; t < 5000; t++) {
      detector(0).updateNormal(s, t, r.nextGaussian(), 1);
    }
    // the latest 32, then 8 per doubling of age: 32 + 8 log2(5000 / 32) ~ 90 at most
    assertThat(s.candidate.length).isBetween(32, 32 + 8 * 8);
    assertThat(s.candidate[s.candidate.length - 1]).isEqualTo(5000L);
    assertThat(s.candidate).isSorted();
  }

  @Test
  void theResetForgetsTheCandidatesAndKeepsTheWarmUpLevel() {
    EDetector.State s = new EDetector.State();
    detector(0).prime(s, new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 1});
    for (int t = 0; t < 10; t++) {
      detector(0).updateNormal(s, t, 10, 1);
    }
    EDetector.reset(s);
    assertThat(s.candidate).isEmpty();
    assertThat(s.levelInfo).isEqualTo(s.primedInfo).isEqualTo(4.0);
    EDetector.Step step = detector(0).updateNormal(s, 10, 0, 1);
    assertThat(step.alarm()).isFalse();
    assertThat(step.effect()).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void theMixtureWeightsAreAPriorSoTheStatisticOfOneDatapointIsTheirWeightedAverage() {
    // the guarantee needs weights that sum to 1 (docs/adr/0031)
    double sum = 0;
    for (double w : EDetector.SHIFT_WEIGHTS) {
      assertThat(w).isPositive();
      sum += w;
    }
    assertThat(sum).isCloseTo(1.0, within(1e-12));
    assertThat(EDetector.SHIFT_WEIGHTS).hasSameSizeAs(EDetector.SHIFTS);
    // one datapoint d = 2 with variance 1, level known (no warm-up), theta0 0.5: per shift lambda
    // the ratio is exp(lambda (d - theta0) - lambda^2 / 2), averaged with the weights
    EDetector.State s = new EDetector.State();
    EDetector.Step step = detector(0).updateNormal(s, 1L, 2.0, 1.0);
    double expected = 0;
    for (int j = 0; j < EDetector.SHIFTS.length; j++) {
      double lambda = EDetector.SHIFTS[j];
      expected += EDetector.SHIFT_WEIGHTS[j] * Math.exp(lambda * 1.5 - lambda * lambda / 2);
    }
    assertThat(step.logStatistic()).isCloseTo(Math.log(expected), within(1e-9));
  }

  @Test
  void theAnchoredEProcessCarriesItsWeightOfTheStatisticAndIsOneBeforeItsDatapoint() {
    // level known (no warm-up), theta0 0.5, horizon 60: a datapoint d = 2 (variance 1) gives the
    // weighted mixture K of one candidate; the statistic is (1 - w) R + w n Lambda_anchor
    double k = 0;
    for (int j = 0; j < EDetector.SHIFTS.length; j++) {
      double lambda = EDetector.SHIFTS[j];
      k += EDetector.SHIFT_WEIGHTS[j] * Math.exp(lambda * 1.5 - lambda * lambda / 2);
    }
    double w = EDetector.ANCHOR_WEIGHT;
    EDetector.State at = new EDetector.State();
    EDetector.anchorNext(at);
    assertThat(detector(0).updateNormal(at, 1L, 2.0, 1.0).logStatistic())
        .isCloseTo(Math.log((1 - w) * k + w * 60 * k), within(1e-9));
    // an anchor not reached yet counts as 1: its e-process starts there
    EDetector.State before = new EDetector.State();
    before.anchor = 3;
    assertThat(detector(0).updateNormal(before, 1L, 2.0, 1.0).logStatistic())
        .isCloseTo(Math.log((1 - w) * k + w * 60), within(1e-9));
    // after a reset the anchor is spent: the change-point sum alone, as without one
    EDetector.reset(at);
    assertThat(at.anchor).isEqualTo(-1L);
    assertThat(detector(0).updateNormal(at, 2L, 2.0, 1.0).logStatistic())
        .isCloseTo(Math.log(k), within(1e-9));
  }

  @Test
  void anAnchoredNullKeepsTheFalseAlarmBound() {
    // Gaussian datapoints with known variance, the level from 20 warm-up datapoints, the anchor
    // at datapoint 5, 60 judged: P(any alarm) <= alpha (docs/adr/0037)
    assertAtMostAlpha(detector(0), new Random(71), "the grid");
  }

  /** Over 2000 runs at the hypothesis's edge, alpha plus two binomial standard errors. */
  private static void assertAtMostAlpha(EDetector d, Random r, String what) {
    int runs = 2000;
    assertThat((double) runsWithAnAlarm(d, r, true, 0.5, runs, 60) / runs)
        .as(what)
        .isLessThanOrEqualTo(0.05 + 2 * Math.sqrt(0.05 * 0.95 / runs));
  }

  /** Runs (of {@code runs}) with an alarm before judged datapoint {@code within}. */
  private static int runsWithAnAlarm(
      EDetector d, Random r, boolean anchored, double shift, int runs, int within) {
    int found = 0;
    for (int run = 0; run < runs; run++) {
      int at = firstAlarm(d, r, anchored, shift, 5);
      found += at >= 0 && at < within ? 1 : 0;
    }
    return found;
  }

  @Test
  void aShiftAtTheAnchorIsFoundSoonerThanByTheChangePointSumAlone() {
    // theta0 0.5 and a shift of 1.2: 0.7 standard units per datapoint beyond the hypothesis
    int runs = 400;
    int foundAnchored = runsWithAnAlarm(detector(0), new Random(72), true, 1.2, runs, 15);
    int foundPlain = runsWithAnAlarm(detector(0), new Random(72), false, 1.2, runs, 15);
    assertThat(foundAnchored).isGreaterThan(foundPlain + runs / 10);
  }

  @Test
  void theAnchoredWeightMustBeAShare() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> detector(0).anchored(1.0)))
        .hasMessageContaining("anchor weight 1.0")
        .hasMessageContaining("(0, 1)");
  }

  @Test
  void aHeavierAnchorNullKeepsTheFalseAlarmBound() {
    // as anAnchoredNullKeepsTheFalseAlarmBound, at the anchor weight docs/adr/0066 measured
    assertAtMostAlpha(detector(0).anchored(0.75), new Random(73), "anchor weight 0.75");
  }

  @Test
  void thinningNeverDropsTheAnchorNorTheCandidateWithTheMostEvidence() {
    EDetector.State s = new EDetector.State();
    detector(0).prime(s, new double[] {0, 0}, new double[] {1, 1});
    s.anchor = 3;
    Random r = new Random(8);
    for (int t = 1; t <= 500; t++) {
      detector(0).updateNormal(s, t, r.nextGaussian() + (t >= 7 ? 0.3 : 0), 1);
    }
    assertThat(s.candidate).contains(3L, s.best);
  }

  /** The first judged datapoint (0..59) at which the detector alarms, -1 = none. */
  private static int firstAlarm(
      EDetector d, Random r, boolean anchored, double shift, int anchorAt) {
    EDetector.State s = new EDetector.State();
    double[] warm = new double[20];
    double[] v = new double[20];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = r.nextGaussian();
      v[i] = 1;
    }
    d.prime(s, warm, v);
    for (int t = 0; t < 60; t++) {
      if (anchored && t == anchorAt) {
        EDetector.anchorNext(s);
      }
      double x = r.nextGaussian() + (t >= anchorAt ? shift : 0);
      if (d.updateNormal(s, t, x, 1).alarm()) {
        return t;
      }
    }
    return -1;
  }
}
