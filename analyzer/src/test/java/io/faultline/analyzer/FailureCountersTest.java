package io.faultline.analyzer;

import static io.faultline.schema.SteadyState.DEVIATING;
import static io.faultline.schema.SteadyState.INSUFFICIENT_DATA;
import static io.faultline.schema.SteadyState.STEADY;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure counters judged against the control's count, window by window (docs/adr/0035). */
class FailureCountersTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long WINDOW = 10_000;
  private static final Hypothesis NONE_TOLERATED =
      Hypothesis.of(
          "spark.tasks.failed",
          MetricHypothesis.newBuilder()
              .setMetric("spark.tasks.failed")
              .setDirection(HypothesisDirection.INCREASE)
              .setTolerance(0.0)
              .setAlpha(0.01)
              .setCritical(true)
              .build());

  /** The states of windows 0.. with these counter values (NaN = no sample), warm-up 2 windows. */
  private static List<SteadyState> judge(double[] control, double[] experimental) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.learnUntil = T0 + 2 * WINDOW;
    List<SteadyState> out = new ArrayList<>();
    for (int w = 0; w < control.length; w++) {
      long start = T0 + w * WINDOW;
      out.add(
          FailureCounters.judge(
                  m,
                  sample(control[w]),
                  sample(experimental[w]),
                  NONE_TOLERATED,
                  start,
                  start + WINDOW)
              .state());
    }
    return out;
  }

  /** The two warm-up windows (insufficient data), then these states. */
  private static List<SteadyState> afterWarmUp(SteadyState... states) {
    List<SteadyState> out = new ArrayList<>(List.of(INSUFFICIENT_DATA, INSUFFICIENT_DATA));
    out.addAll(Arrays.asList(states));
    return out;
  }

  private static Summary sample(double v) {
    return Double.isNaN(v) ? new Summary() : Summary.of(v);
  }

  private static final double N = Double.NaN;

  @Test
  void countersThatDoNotMoveInEitherGroupAreSteadyNotInsufficient() {
    assertThat(judge(new double[] {0, 0, 0, 0, 0}, new double[] {0, 0, 0, 0, 0}))
        .isEqualTo(afterWarmUp(STEADY, STEADY, STEADY));
  }

  @Test
  void aCounterThatMovesOnlyInTheExperimentalGroupDeviatesOnceThenIsSteadyAgain() {
    assertThat(judge(new double[] {0, 0, 0, 0, 0, 0}, new double[] {0, 0, 0, 1, 1, 1}))
        .isEqualTo(afterWarmUp(STEADY, DEVIATING, STEADY, STEADY));
  }

  @Test
  void aRiseInBothGroupsIsNoDeviationEvenAWindowApart() {
    assertThat(judge(new double[] {0, 0, 1, 1, 2}, new double[] {0, 0, 0, 1, 2}))
        .isEqualTo(afterWarmUp(STEADY, STEADY, STEADY));
  }

  @Test
  void aSourceSilentUntilAfterTheKillStillShowsTheFailureAgainstZero() {
    // the driver answered nothing during the warm-up and the attack: its counters began at 0
    assertThat(judge(new double[] {N, N, N, N, 0, 0}, new double[] {N, N, N, N, 1, 1}))
        .isEqualTo(afterWarmUp(INSUFFICIENT_DATA, INSUFFICIENT_DATA, DEVIATING, STEADY));
  }

  @Test
  void countsBeforeTheExperimentAreItsBaseAndAWindowWithoutASampleCarriesTheLastValue() {
    assertThat(judge(new double[] {3, 3, N, 3, 3}, new double[] {5, 5, 5, N, 6}))
        .isEqualTo(afterWarmUp(STEADY, STEADY, DEVIATING));
  }

  @Test
  void failureCountersAreTheNamedRisingCounts() {
    Hypothesis any = Hypothesis.defaultFor("x");
    assertThat(FailureCounters.applies("spark.tasks.failed", any)).isTrue();
    assertThat(FailureCounters.applies("spark.executors.lost", any)).isTrue();
    assertThat(FailureCounters.applies("spark.shuffle.fetch_failures", any)).isTrue();
    assertThat(FailureCounters.applies("spark.tasks.completed", any)).isFalse();
    assertThat(FailureCounters.applies("http.error", Hypothesis.defaultFor("http.error")))
        .isFalse();
  }
}
