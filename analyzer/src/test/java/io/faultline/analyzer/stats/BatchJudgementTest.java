package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.analyzer.stats.BatchJudgement.Metric;
import io.faultline.analyzer.stats.BatchJudgement.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchJudgementTest {

  static Metric duration(double[] control, double[] experimental) {
    return new Metric("pipeline.job.duration.ms", Direction.INCREASE, 0.25, control, experimental);
  }

  @Test
  void runsNeededIsWhereTheMostExtremeOrderingReachesAlpha() {
    // 1/C(6,3) = 0.05; 1/C(8,4) = 0.0143; 1/C(10,5) = 0.0040
    assertThat(BatchJudgement.runsNeeded(0.05, Direction.INCREASE)).isEqualTo(3);
    assertThat(BatchJudgement.runsNeeded(0.01, Direction.INCREASE)).isEqualTo(5);
    // either direction doubles it: 2/C(8,4) = 0.029 > 0.01 still, 2/C(10,5) = 0.0079
    assertThat(BatchJudgement.runsNeeded(0.01, Direction.EITHER)).isEqualTo(5);
    assertThat(BatchJudgement.runsNeeded(0.05, Direction.EITHER)).isEqualTo(4);
  }

  @Test
  void oneRunPerGroupIsNotEnoughRunsNotNoDeviation() {
    // three times slower, but one datapoint per group supports no verdict on timing
    var v =
        BatchJudgement.judge(
            List.of("abc"),
            List.of("abc"),
            List.of(duration(new double[] {40_000}, new double[] {120_000})),
            0.01);
    assertThat(v.outcome()).isEqualTo(Outcome.NOT_ENOUGH_RUNS);
    assertThat(v.runs()).isEqualTo(1);
    assertThat(v.runsNeeded()).isEqualTo(5);
    assertThat(v.reasons())
        .singleElement()
        .asString()
        .contains("not enough runs: 1 per group, 5 needed", "pipeline.job.duration.ms");
  }

  @Test
  void aDifferentChecksumIsADeviationWithOneRunAndEqualTimings() {
    var v =
        BatchJudgement.judge(
            List.of("abc"),
            List.of("abd"),
            List.of(duration(new double[] {40_000}, new double[] {40_000})),
            0.01);
    assertThat(v.outcome()).isEqualTo(Outcome.DEVIATED);
    assertThat(v.reasons())
        .singleElement()
        .asString()
        .contains("experimental run 1 differs from control's");
  }

  @Test
  void eachExperimentalRunIsComparedWithItsControlRun() {
    List<String> control = List.of("a", "b", "c", "d", "e");
    double[] same = {10, 11, 12, 13, 14};
    var equal =
        BatchJudgement.judge(
            control, List.of("a", "b", "c", "d", "e"), List.of(duration(same, same)), 0.01);
    assertThat(equal.outcome()).isEqualTo(Outcome.STEADY);
    assertThat(equal.reasons()).isEmpty();
    var third =
        BatchJudgement.judge(
            control, List.of("a", "b", "x", "d", "e"), List.of(duration(same, same)), 0.01);
    assertThat(third.outcome()).isEqualTo(Outcome.DEVIATED);
    assertThat(third.reasons()).singleElement().asString().contains("run 3");
  }

  @Test
  void withEnoughRunsASlowerJobDeviatesAndANoisyEqualOneDoesNot() {
    List<String> sums = List.of("s", "s", "s", "s", "s");
    double[] control = {40_000, 41_000, 39_500, 40_500, 42_000};
    double[] slower = {80_000, 85_000, 79_000, 90_000, 82_000};
    double[] noisy = {41_000, 39_000, 42_500, 40_000, 41_500};
    var slow = BatchJudgement.judge(sums, sums, List.of(duration(control, slower)), 0.01);
    assertThat(slow.outcome()).isEqualTo(Outcome.DEVIATED);
    assertThat(slow.reasons()).singleElement().asString().contains("higher", "over 5 runs");
    var steady = BatchJudgement.judge(sums, sums, List.of(duration(control, noisy)), 0.01);
    assertThat(steady.outcome()).isEqualTo(Outcome.STEADY);
    assertThat(steady.runs()).isEqualTo(5);
  }

  @Test
  void rejectsAnAlphaOutsideZeroToOne() {
    assertThatThrownBy(() -> BatchJudgement.judge(List.of(), List.of(), List.of(), 1.5))
        .hasMessageContaining("alpha 1.5");
  }
}
