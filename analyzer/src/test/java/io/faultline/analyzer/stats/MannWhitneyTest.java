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
}
