package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The settling rule on synthetic interval medians, and the medians it is fed. */
class JvmSettlingTest {

  private static final JvmSettling.Rule RULE = JvmSettling.Rule.DEMO;

  @Test
  void settledOnceNoneOfTheLastThreeMediansLiesMoreThanTheBandAboveTheLatest() {
    assertThat(RULE.settled(List.of(32.8, 18.6, 8.3, 6.7, 7.4))).isTrue();
    assertThat(RULE.settled(List.of(10.0, 13.75, 11.0))).isTrue();
  }

  @Test
  void risingMediansAreTheMachinesLoadNotAWarmUp() {
    assertThat(RULE.settled(List.of(7.0, 9.0, 12.0))).isTrue();
  }

  @Test
  void notSettledWhileTheMediansStillFall() {
    // the lead's warm-up windows at load 6: control, then experimental
    assertThat(RULE.settled(List.of(19.2, 24.4, 10.5, 7.1))).isFalse();
    assertThat(RULE.settled(List.of(32.8, 18.6, 8.3, 6.7))).isFalse();
    assertThat(RULE.settled(List.of(10.0, 13.8, 11.0))).isFalse();
    assertThat(RULE.settled(List.of(9.0, 8.0, 7.1))).isFalse();
  }

  @Test
  void notSettledBeforeEnoughIntervalsOrWithAnIntervalOfTooFewResponses() {
    assertThat(RULE.settled(List.of())).isFalse();
    assertThat(RULE.settled(List.of(7.0, 7.0))).isFalse();
    assertThat(RULE.settled(List.of(7.0, Double.NaN, 7.0))).isFalse();
  }

  @Test
  void aSpikeInsideTheLastIntervalsKeepsItUnsettledUntilItLeavesThem() {
    List<Double> medians = List.of(7.0, 7.2, 15.0, 7.1, 6.9);
    assertThat(RULE.settled(medians.subList(0, 4))).isFalse();
    assertThat(RULE.settled(medians)).isFalse();
    assertThat(RULE.settled(List.of(7.0, 7.2, 15.0, 7.1, 6.9, 7.3))).isTrue();
  }

  @Test
  void bothGroupsMustSettle() {
    JvmSettling s = new JvmSettling(RULE);
    double[] control = {7.0, 7.1, 6.9};
    double[] experimental = {20.0, 12.0, 7.0};
    for (int i = 0; i < 3; i++) {
      for (int r = 0; r < 20; r++) {
        s.observe(Group.CONTROL, control[i] + (r % 3 - 1) * 0.5);
        s.observe(Group.EXPERIMENTAL, experimental[i] + (r % 3 - 1) * 0.5);
      }
      s.closeInterval();
    }
    assertThat(s.settled()).isFalse();
    assertThat(s.lastMedians()).isEqualTo("C 6.9 / E 7.0 ms");
    for (int i = 0; i < 2; i++) {
      for (int r = 0; r < 20; r++) {
        s.observe(Group.CONTROL, 7.0);
        s.observe(Group.EXPERIMENTAL, 6.8);
      }
      s.closeInterval();
    }
    assertThat(s.settled()).isTrue();
  }

  @Test
  void anIntervalWithTooFewResponsesHasNoMedian() {
    JvmSettling s = new JvmSettling(RULE);
    for (int i = 0; i < 3; i++) {
      for (int r = 0; r < 20; r++) {
        s.observe(Group.CONTROL, 7.0);
      }
      for (int r = 0; r < 9; r++) {
        s.observe(Group.EXPERIMENTAL, 7.0);
      }
      s.closeInterval();
    }
    assertThat(s.settled()).isFalse();
    assertThat(s.lastMedians()).isEqualTo("C 7.0 / E - ms");
  }

  @Test
  void theMedianOfEvenAndOddCounts() {
    assertThat(JvmSettling.median(new double[] {5, 1, 3, 99}, 3)).isEqualTo(3);
    assertThat(JvmSettling.median(new double[] {4, 1, 3, 2}, 4)).isEqualTo(2.5);
  }

  @Test
  void rejectsARuleOutOfRange() {
    assertThatThrownBy(() -> new JvmSettling.Rule(1, 0.25, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new JvmSettling.Rule(3, 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
