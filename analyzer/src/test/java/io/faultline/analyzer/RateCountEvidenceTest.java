package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import org.junit.jupiter.api.Test;

/**
 * A rate's exact count evidence (docs/adr/0026) on single windows written out by hand, at the
 * demo's settings (tolerance 2 points, alpha 0.01, the default horizon of 720 windows, warm-up of
 * 30 s in 5 s windows) and at the bench's tighter tolerance of half a point.
 */
class RateCountEvidenceTest {

  private static final int WARMUP = 6;

  private static Hypothesis errors(double tolerance) {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.0, tolerance, 0.01, 1), true, false, Double.NaN);
  }

  /** {@code errors} failed of {@code requests}. */
  private static Summary outcomes(int errors, int requests) {
    Summary s = new Summary();
    for (int i = 0; i < requests; i++) {
      s.add(i < errors ? 1 : 0);
    }
    return s;
  }

  /** A monitor past a clean warm-up of {@code windows} windows of {@code requests} per group. */
  private static WindowJudge.Monitor warmedUp(
      Hypothesis h, int windows, int requests, long[] clock) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = windows;
    for (int w = 0; w < windows; w++) {
      SteadyState s =
          WindowJudge.judge(m, outcomes(0, requests), outcomes(0, requests), h, clock[0] += 5_000)
              .state();
      assertThat(s).isEqualTo(SteadyState.INSUFFICIENT_DATA);
    }
    return m;
  }

  @Test
  void twentyOfOneHundredRequestsFailingAgainstNoneInTheControlAlarmInThatWindow() {
    for (double tolerance : new double[] {0.02, 0.005}) {
      Hypothesis h = errors(tolerance);
      long[] clock = {0};
      WindowJudge.Monitor m = warmedUp(h, WARMUP, 100, clock);
      WindowJudge.Judged clean =
          WindowJudge.judge(m, outcomes(0, 100), outcomes(0, 100), h, clock[0] += 5_000);
      assertThat(clean.state()).isEqualTo(SteadyState.STEADY);
      WindowJudge.Judged kill =
          WindowJudge.judge(m, outcomes(0, 100), outcomes(20, 100), h, clock[0] += 5_000);
      assertThat(kill.state()).as("tolerance %s", tolerance).isEqualTo(SteadyState.DEVIATING);
      assertThat(kill.pValue()).isLessThan(0.01);
    }
  }

  @Test
  void aRateIsJudgedAgainstItsOwnRateNeverThePooledControl() {
    Hypothesis h = errors(0.02);
    long[] clock = {0};
    long[] twin = {0};
    // 10 requests per window: the other hypotheses would pool the last 3 windows' control
    WindowJudge.Monitor m = warmedUp(h, WARMUP, 10, clock);
    WindowJudge.Monitor other = warmedUp(h, WARMUP, 10, twin);
    assertThat(m.controlSpan).isEqualTo(3);
    // the warm-up's control windows are not pooled for a rate (nor held, docs/adr/0060)
    assertThat(m.recentControl).isEmpty();
    // a pooled control of every request failing changes none of its judgements
    for (int i = 0; i < m.controlSpan; i++) {
      other.recentControl.add(new double[] {1.0, 0.0, 10});
    }
    int[] experimentalErrors = {0, 1, 0, 6, 8, 0, 0, 0};
    java.util.List<SteadyState> states = new java.util.ArrayList<>();
    for (int errors : experimentalErrors) {
      WindowJudge.Judged judged =
          WindowJudge.judge(m, outcomes(0, 10), outcomes(errors, 10), h, clock[0] += 5_000);
      assertThat(
              WindowJudge.judge(other, outcomes(0, 10), outcomes(errors, 10), h, twin[0] += 5_000))
          .as("%d of 10 failed", errors)
          .isEqualTo(judged);
      states.add(judged.state());
    }
    assertThat(states).contains(SteadyState.STEADY, SteadyState.DEVIATING);
    // so a rate's judgement keeps no control windows to pool: neither work nor state for it
    assertThat(m.recentControl).as("control windows kept for a rate").isEmpty();
  }

  @Test
  void oneOfTenAgainstNoneOfTenIsNoAlarmOnItsOwn() {
    for (double tolerance : new double[] {0.02, 0.005}) {
      for (int warmup : new int[] {WindowJudge.MIN_WARMUP_WINDOWS, WARMUP}) {
        Hypothesis h = errors(tolerance);
        long[] clock = {0};
        WindowJudge.Monitor m = warmedUp(h, warmup, 10, clock);
        WindowJudge.Judged one =
            WindowJudge.judge(m, outcomes(0, 10), outcomes(1, 10), h, clock[0] += 5_000);
        assertThat(one.state())
            .as("tolerance %s, warm-up %d", tolerance, warmup)
            .isEqualTo(SteadyState.STEADY);
        assertThat(one.pValue()).isGreaterThan(0.01);
      }
    }
  }

  @Test
  void anOutageOfBothGroupsIsNoDeviation() {
    Hypothesis h = errors(0.02);
    long[] clock = {0};
    WindowJudge.Monitor m = warmedUp(h, WARMUP, 100, clock);
    for (int w = 0; w < 5; w++) {
      WindowJudge.Judged both =
          WindowJudge.judge(m, outcomes(100, 100), outcomes(100, 100), h, clock[0] += 5_000);
      assertThat(both.state()).as("window %d", w).isEqualTo(SteadyState.STEADY);
    }
  }
}
