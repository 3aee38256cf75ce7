package io.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class OffsetLearnedOracleTest {

  private static final NormalDistribution PHI = new NormalDistribution();

  private static final double Z95 = PHI.inverseCumulativeProbability(0.95);

  /** Runs per hypothesis: the power's Monte-Carlo sd is at most 0.5 / sqrt(4000) = 0.008. */
  private static final int RUNS = 4000;

  /** Four Monte-Carlo sd of the power, plus the critical value's own error. */
  private static final double MC = 0.04;

  /** Normal, known variance: power = Phi(effect / sd_total - z_0.95), sd_total over 4 means. */
  private static double closedForm(double effect, double sd, int pre, int post) {
    double total = sd * Math.sqrt(2.0 / pre + 2.0 / post);
    return PHI.cumulativeProbability(effect / total - Z95);
  }

  @Test
  void normalPowerMatchesTheClosedForm() {
    // one sample per 10 s, +20% against the +10% edge: the arithmetic (84% early, 71% late)
    int[][] designs = {{120, 330}, {120, 120}, {360, 120}, {150, 330}, {20, 20}};
    for (int[] d : designs) {
      Random r = new Random(d[0] * 1000L + d[1]);
      double power = normalPower(r, new OffsetLearnedOracle.Design(d[0], 0, d[1]), 20);
      assertThat(power)
          .as("pre %d, post %d", d[0], d[1])
          .isCloseTo(closedForm(10, 25, d[0], d[1]), within(MC));
    }
    assertThat(closedForm(10, 25, 120, 330)).isCloseTo(0.84, within(0.01));
    assertThat(closedForm(10, 25, 120, 120)).isCloseTo(0.71, within(0.01));
  }

  @Test
  void powerAtTheEdgeIsAlpha() {
    double power = normalPower(new Random(7), new OffsetLearnedOracle.Design(120, 0, 120), 10);
    assertThat(power).isCloseTo(0.05, within(0.02));
  }

  /** Normal samples, sd 25: the power against the edge +10 of a fault that moves the level. */
  private static double normalPower(Random r, OffsetLearnedOracle.Design design, double shift) {
    return OffsetLearnedOracle.power(
        RUNS,
        0.05,
        OffsetLearnedOracle.levelContrast(r, 25, 10, design),
        OffsetLearnedOracle.levelContrast(r, 25, shift, design));
  }

  @Test
  void glsStepIsExactOnNoiselessDataWithAndWithoutAGap() {
    double[] y = {3, 3, 3, 3, 5.5, 5.5, 5.5};
    boolean[] after = {false, false, false, false, true, true, true};
    int[] contiguous = {0, 1, 2, 3, 4, 5, 6};
    int[] gapped = {0, 1, 2, 3, 9, 10, 11};
    for (double phi : new double[] {0, 0.5, 0.8}) {
      assertThat(OffsetLearnedOracle.glsStep(y, contiguous, after, phi))
          .isCloseTo(2.5, within(1e-9));
      assertThat(OffsetLearnedOracle.glsStep(y, gapped, after, phi)).isCloseTo(2.5, within(1e-9));
    }
  }

  @Test
  void glsStepWithoutAutocorrelationIsTheContrastOfMeans() {
    Random r = new Random(3);
    double[] y = new double[30];
    boolean[] after = new boolean[30];
    int[] time = new int[30];
    double pre = 0;
    double post = 0;
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextGaussian();
      after[i] = i >= 12;
      time[i] = i;
      if (after[i]) {
        post += y[i] / 18;
      } else {
        pre += y[i] / 12;
      }
    }
    assertThat(OffsetLearnedOracle.glsStep(y, time, after, 0)).isCloseTo(post - pre, within(1e-9));
  }

  /**
   * AR(1): the simulated power against the closed form with the GLS estimate's exact variance (2
   * sd^2 (X'V^-1 X)^-1 for the step, from the design alone), with and without a gap.
   */
  @Test
  void ar1PowerMatchesTheGlsVariance() {
    int[][] designs = {{20, 0, 20}, {20, 40, 20}, {60, 0, 20}, {120, 30, 330}};
    for (int[] d : designs) {
      OffsetLearnedOracle.Design design = new OffsetLearnedOracle.Design(d[0], d[1], d[2]);
      double sdStep = Math.sqrt(2) * OffsetLearnedOracle.SD * Math.sqrt(stepVariance(design, 0.8));
      double expected = PHI.cumulativeProbability(20 / sdStep - Z95);
      Random r = new Random(d[0] + 31L * d[1] + 977L * d[2]);
      double power =
          OffsetLearnedOracle.power(
              RUNS,
              0.05,
              OffsetLearnedOracle.ar1Contrast(r, 10, design),
              OffsetLearnedOracle.ar1Contrast(r, 30, design));
      assertThat(power)
          .as("pre %d, gap %d, post %d", d[0], d[1], d[2])
          .isCloseTo(expected, within(MC));
    }
  }

  /** (X' V^-1 X)^-1 [step, step] for unit marginal variance: V^-1 by the AR(1) precision form. */
  private static double stepVariance(OffsetLearnedOracle.Design d, double phi) {
    int n = d.pre() + d.post();
    int[] time = new int[n];
    double[] step = new double[n];
    for (int i = 0; i < n; i++) {
      time[i] = i < d.pre() ? i : i + d.gap();
      step[i] = i < d.pre() ? 0 : 1;
    }
    // V^-1 of an AR(1) observed at times t: tridiagonal, from the lag-L conditional variances
    double[][] x = new double[n][];
    for (int i = 0; i < n; i++) {
      x[i] = new double[] {1, step[i]};
    }
    double s11 = 0;
    double s12 = 0;
    double s22 = 0;
    for (int i = 0; i < n; i++) {
      for (int j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j++) {
        double p = precision(time, i, j, phi);
        s11 += x[i][0] * p * x[j][0];
        s12 += x[i][0] * p * x[j][1];
        s22 += x[i][1] * p * x[j][1];
      }
    }
    return s11 / (s11 * s22 - s12 * s12);
  }

  /**
   * Entry (i, j) of the precision matrix of a unit-variance AR(1) observed at increasing times: x_1
   * ~ N(0, 1), x_i given x_(i-1) ~ N(a_i x_(i-1), 1 - a_i^2) with a_i = phi^(t_i - t_(i-1)).
   */
  private static double precision(int[] time, int i, int j, double phi) {
    if (i == j) {
      double own = i == 0 ? 1 : 1 / (1 - a(time, i, phi) * a(time, i, phi));
      double next = 0;
      if (i < time.length - 1) {
        double an = a(time, i + 1, phi);
        next = an * an / (1 - an * an);
      }
      return own + next;
    }
    double al = a(time, Math.max(i, j), phi);
    return -al / (1 - al * al);
  }

  private static double a(int[] time, int i, double phi) {
    return Math.pow(phi, time[i] - time[i - 1]);
  }

  @Test
  void spreadPowerRisesWithTheFactorAndIsAlphaAtTheEdge() {
    OffsetLearnedOracle.Design design = new OffsetLearnedOracle.Design(120, 0, 120);
    Random r = new Random(11);
    double atEdge =
        OffsetLearnedOracle.power(
            RUNS,
            0.05,
            OffsetLearnedOracle.spreadContrast(OffsetLearnedOracle.generator(r), 1.1, design),
            OffsetLearnedOracle.spreadContrast(OffsetLearnedOracle.generator(r), 1.1, design));
    double doubled =
        OffsetLearnedOracle.power(
            RUNS,
            0.05,
            OffsetLearnedOracle.spreadContrast(OffsetLearnedOracle.generator(r), 1.1, design),
            OffsetLearnedOracle.spreadContrast(
                OffsetLearnedOracle.generator(r), Math.sqrt(2), design));
    assertThat(atEdge).isCloseTo(0.05, within(0.02));
    // half the log variance ratio of chi^2_n is near normal with sd sqrt(1/(2n)) per group: the
    // contrast of four has sd sqrt(2/n) = 0.129 at n = 120; effect log sqrt 2 - log 1.1 = 0.251
    double expected = PHI.cumulativeProbability((Math.log(Math.sqrt(2) / 1.1)) / 0.129 - Z95);
    assertThat(doubled).isCloseTo(expected, within(MC));
  }

  @Test
  void badDesignsAndRunsAreRefusedByName() {
    assertThatThrownBy(() -> new OffsetLearnedOracle.Design(1, 0, 10))
        .hasMessageContaining("pre 1")
        .hasMessageContaining("at least 2");
    assertThatThrownBy(() -> OffsetLearnedOracle.power(5, 0.05, () -> 0, () -> 0))
        .hasMessageContaining("runs 5")
        .hasMessageContaining("at least 20");
  }
}
