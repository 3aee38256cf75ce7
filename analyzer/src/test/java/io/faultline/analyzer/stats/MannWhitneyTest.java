package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MannWhitneyTest {

  @Test
  void hodgesLehmannEstimateIsTheMedianPairwiseDifference() {
    // differences 11-1 .. 13-3: 8,9,9,10,10,10,11,11,12 -> median 10
    var j =
        MannWhitney.classify(
            new double[] {1, 2, 3}, new double[] {11, 12, 13}, Direction.INCREASE, 0.25, 0.98);
    assertThat(j.estimate()).isEqualTo(10.0);
    assertThat(j.lower()).isEqualTo(8.0);
    assertThat(j.upper()).isEqualTo(12.0);
    assertThat(j.allowed()).isEqualTo(0.5);
    assertThat(j.classification()).isEqualTo(MannWhitney.Classification.HIGH);
  }

  @Test
  void shiftWithinToleranceOrAgainstTheDirectionPasses() {
    double[] control = new double[50];
    double[] higher = new double[50];
    double[] slightly = new double[50];
    for (int i = 0; i < 50; i++) {
      control[i] = 100 + (i % 10);
      higher[i] = 150 + (i % 10);
      slightly[i] = 110 + (i % 10);
    }
    assertThat(
            MannWhitney.classify(control, higher, Direction.INCREASE, 0.25, 0.98).classification())
        .isEqualTo(MannWhitney.Classification.HIGH);
    assertThat(
            MannWhitney.classify(control, slightly, Direction.INCREASE, 0.25, 0.98)
                .classification())
        .isEqualTo(MannWhitney.Classification.PASS);
    assertThat(
            MannWhitney.classify(control, higher, Direction.DECREASE, 0.25, 0.98).classification())
        .isEqualTo(MannWhitney.Classification.PASS);
    assertThat(MannWhitney.classify(higher, control, Direction.EITHER, 0.25, 0.98).classification())
        .isEqualTo(MannWhitney.Classification.LOW);
  }

  @Test
  void noDataWhenAGroupIsEmpty() {
    assertThat(
            MannWhitney.classify(new double[0], new double[] {1}, Direction.EITHER, 0.25, 0.98)
                .classification())
        .isEqualTo(MannWhitney.Classification.NODATA);
  }

  @Test
  void largeSamplesAreThinnedNotRefused() {
    double[] control = new double[5000];
    double[] experiment = new double[5000];
    for (int i = 0; i < 5000; i++) {
      control[i] = i % 100;
      experiment[i] = 200 + i % 100;
    }
    assertThat(
            MannWhitney.classify(control, experiment, Direction.INCREASE, 0.25, 0.98)
                .classification())
        .isEqualTo(MannWhitney.Classification.HIGH);
  }

  /**
   * Kayenta's published classifier vector "High Metric (Large Input)": per-interval error
   * percentages, mostly zeros (the experiment errs in about a third of the intervals, the control
   * in one in twelve). The pairwise differences are mostly 0, so the shift's interval is [0, 0];
   * Kayenta classifies it HIGH, and so must we (tolerance 10%, 95%, either direction).
   */
  @Test
  void aSparseErrorMetricThatErrsMoreOftenIsHighAsInKayenta() {
    double[] experiment = {
      0, 0, 0, 0, 0, 0, 0, 0, 1.6667, 0, 0, 0, 0, 0, 0, 3.7037, 0, 0, 0, 0, 0, 0, 1.5625, 0, 0, 0,
      0, 3.3333, 0, 1.7544, 0, 1.8519, 0, 0, 1.8519, 0, 0, 1.5152, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      1.7857, 1.3333, 0, 3.125, 1.9608, 1.4493, 2.439, 1.6393, 0, 0, 0, 0, 0, 0, 0, 1.6129, 1.9608,
      1.5873, 0, 0, 2.8169, 0, 0, 3.0303, 0, 0, 3.3898, 0, 0, 1.2346, 0, 0, 0, 0, 1.7241, 0, 0, 0,
      0, 1.6949, 0, 0, 0, 0, 0, 0, 0, 1.4706, 0, 0, 1.3699, 3.2258, 1.7544, 3.4483, 0, 3.3333, 0, 0,
      0, 1.8182, 0, 0, 1.4286, 0, 0, 1.8868, 2.0, 0, 0, 0, 2.9851, 0, 0, 1.6667, 0, 0, 1.5625,
      1.9231, 0, 1.8519, 0, 2.7027, 0, 0, 0, 1.3514, 0, 1.8182, 0, 1.6667, 0, 0, 0, 0, 0, 0, 0,
      1.8182, 0, 1.4286, 0, 0, 4.1096, 0, 0, 0, 1.8519, 0, 0, 1.8519, 1.3889, 0, 0, 0, 0, 1.8868,
      1.4286, 0, 0, 1.5625, 1.8868, 0, 0, 0, 0, 2.0408, 1.8182, 0, 0, 1.6393, 0, 1.7241, 1.5152,
      2.5641, 0, 0, 0, 0, 5.5556, 0, 0, 4.0816, 0, 0, 0, 0, 0, 0, 0, 0, 3.5714, 0, 2.0408, 3.1746,
      0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    double[] control = {
      0, 0, 0, 0, 0, 0, 0, 0, 1.5625, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.3889, 0, 0, 0, 0, 0, 0, 0,
      1.5385, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.4925, 0, 0, 0, 1.6949, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 1.4706, 0, 0, 0, 0, 1.7544, 0, 0, 0, 0, 0, 0, 1.8519, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.6393, 0, 0, 0, 0, 0, 0, 1.7241, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1.5873, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.4925, 0, 0,
      0, 3.1250, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.4925, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 2.9851, 0, 2.5000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.7857, 0, 0, 0
    };
    MannWhitney.Judgement j =
        MannWhitney.classify(control, experiment, Direction.EITHER, 0.10, 0.95);
    assertThat(j.lower()).isEqualTo(j.upper());
    assertThat(j.classification()).isEqualTo(MannWhitney.Classification.HIGH);
    // the same data the other way round is LOW; equal sparse data PASS
    assertThat(
            MannWhitney.classify(experiment, control, Direction.EITHER, 0.10, 0.95)
                .classification())
        .isEqualTo(MannWhitney.Classification.LOW);
    assertThat(
            MannWhitney.classify(control, control, Direction.EITHER, 0.10, 0.95).classification())
        .isEqualTo(MannWhitney.Classification.PASS);
  }
}
