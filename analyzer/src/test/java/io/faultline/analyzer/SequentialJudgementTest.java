package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The streaming judgement on simulated windows: the false-alarm bound over many windows (at the
 * worst case, a true difference exactly at the tolerance) and the detection delay of real faults.
 */
class SequentialJudgementTest {

  private static final int WARMUP = 4;

  /** Samples per group and window: 5 s windows at 20 requests per second. */
  private static final int SAMPLES = 100;

  /** Runs one experiment; returns the first judged window (0-based after warm-up) that deviates. */
  private static int firstAlarm(
      Random random,
      Hypothesis hypothesis,
      int windows,
      double controlMean,
      double sd,
      IntToDoubleFunction experimentalMean) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    for (int w = 0; w < WARMUP + windows; w++) {
      Summary c = new Summary();
      Summary e = new Summary();
      double em = w < WARMUP ? controlMean : experimentalMean.applyAsDouble(w - WARMUP);
      for (int i = 0; i < SAMPLES; i++) {
        c.add(controlMean + sd * random.nextGaussian());
        e.add(em + sd * random.nextGaussian());
      }
      WindowJudge.Judged j = WindowJudge.judge(m, c, e, hypothesis);
      if (w < WARMUP) {
        assertThat(j.state()).isEqualTo(SteadyState.INSUFFICIENT_DATA);
      } else if (j.state() == SteadyState.DEVIATING) {
        return w - WARMUP;
      }
    }
    return -1;
  }

  private static int firstRateAlarm(
      Random random, Hypothesis hypothesis, int windows, int n, double p0, double p1) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    for (int w = 0; w < WARMUP + windows; w++) {
      Summary c = new Summary();
      Summary e = new Summary();
      double pe = w < WARMUP ? p0 : p1;
      for (int i = 0; i < n; i++) {
        c.add(random.nextDouble() < p0 ? 1 : 0);
        e.add(random.nextDouble() < pe ? 1 : 0);
      }
      WindowJudge.Judged j = WindowJudge.judge(m, c, e, hypothesis);
      if (w >= WARMUP && j.state() == SteadyState.DEVIATING) {
        return w - WARMUP;
      }
    }
    return -1;
  }

  private static Hypothesis latency(double alpha) {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.25, 2.0, alpha, 5), false, false, Double.NaN);
  }

  @Test
  void falseAlarmsStayBelowAlphaOver200WindowsAtTheToleranceBoundary() {
    Random random = new Random(7);
    double alpha = 0.05;
    int runs = 400;
    int alarms = 0;
    for (int r = 0; r < runs; r++) {
      // experimental sits exactly at the tolerated bound: 100 * 1.25 + 2
      if (firstAlarm(random, latency(alpha), 200, 100, 20, w -> 127) >= 0) {
        alarms++;
      }
    }
    assertThat((double) alarms / runs).isLessThanOrEqualTo(alpha);
  }

  @Test
  void noFaultRaisesNoAlarmInAlmostAllRuns() {
    Random random = new Random(8);
    int alarms = 0;
    for (int r = 0; r < 400; r++) {
      if (firstAlarm(random, latency(0.01), 200, 100, 20, w -> 100) >= 0) {
        alarms++;
      }
    }
    assertThat(alarms / 400.0).isLessThanOrEqualTo(0.01);
  }

  @Test
  void aFiftyPercentLatencyShiftIsDetectedWithinThreeWindows() {
    Random random = new Random(9);
    int runs = 200;
    int inThree = 0;
    for (int r = 0; r < runs; r++) {
      // 30 steady windows, then +50%
      int alarm = firstAlarm(random, latency(0.01), 40, 100, 20, w -> w < 30 ? 100 : 150);
      assertThat(alarm < 0 || alarm >= 30).as("no alarm before the shift: %s", alarm).isTrue();
      if (alarm >= 30 && alarm <= 32) {
        inThree++;
      }
    }
    assertThat(inThree).isGreaterThanOrEqualTo(runs * 95 / 100);
  }

  @Test
  void aShiftInsideTheToleranceIsNotAnAlarm() {
    Random random = new Random(10);
    int alarms = 0;
    for (int r = 0; r < 200; r++) {
      if (firstAlarm(random, latency(0.01), 100, 100, 20, w -> 115) >= 0) {
        alarms++;
      }
    }
    assertThat(alarms).isLessThanOrEqualTo(2);
  }

  @Test
  void rateTestHoldsAlphaAtTheBoundaryAndCatchesAFivefoldErrorRate() {
    Hypothesis errors =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.0, 0.02, 0.05, 3), true, false, Double.NaN);
    Random random = new Random(11);
    int alarms = 0;
    for (int r = 0; r < 300; r++) {
      if (firstRateAlarm(random, errors, 200, 200, 0.01, 0.03) >= 0) {
        alarms++;
      }
    }
    assertThat(alarms / 300.0).isLessThanOrEqualTo(0.05);

    int detectedInThree = 0;
    for (int r = 0; r < 200; r++) {
      int alarm = firstRateAlarm(random, errors, 20, 200, 0.01, 0.10);
      if (alarm >= 0 && alarm <= 2) {
        detectedInThree++;
      }
    }
    assertThat(detectedInThree).isGreaterThanOrEqualTo(190);
  }

  @Test
  void theMonitorReturnsToSteadyOnceTheMetricIsBackWithinTolerance() {
    Random random = new Random(12);
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    Hypothesis h = latency(0.01);
    StringBuilder states = new StringBuilder();
    double[] means = {100, 100, 100, 100, 100, 100, 160, 160, 160, 100, 100, 100};
    for (double em : means) {
      Summary c = new Summary();
      Summary e = new Summary();
      for (int i = 0; i < SAMPLES; i++) {
        c.add(100 + 10 * random.nextGaussian());
        e.add(em + 10 * random.nextGaussian());
      }
      states.append(WindowJudge.judge(m, c, e, h).state().name().charAt(0));
    }
    assertThat(states.toString()).isEqualTo("IIIISSDDDSSS");
  }

  /**
   * A metric that reports late (its source started after the others) must not learn its baseline
   * from the attack: the warm-up ends at the experiment's learnUntil with the windows it had.
   */
  @Test
  void aLateMetricLearnsOnlyFromWindowsBeforeTheWarmUpEndsAndThenSeesTheAttack() {
    Random random = new Random(7);
    Hypothesis h = latency(0.1);
    long windowMs = 5_000;
    // windows end at 5 s, 10 s, ...; the warm-up ends (attacks may start) at 17 s
    for (boolean deadline : new boolean[] {false, true}) {
      WindowJudge.Monitor m = new WindowJudge.Monitor();
      m.warmupWindows = WARMUP;
      m.learnUntil = deadline ? 17_000 : 0;
      StringBuilder states = new StringBuilder();
      // no usable data in the first window; the attack (+60%) starts in the fourth
      double[] means = {Double.NaN, 100, 100, 160, 160, 160, 160};
      for (int w = 0; w < means.length; w++) {
        Summary c = new Summary();
        Summary e = new Summary();
        if (!Double.isNaN(means[w])) {
          for (int i = 0; i < SAMPLES; i++) {
            c.add(100 + 10 * random.nextGaussian());
            e.add(means[w] + 10 * random.nextGaussian());
          }
        }
        states.append(WindowJudge.judge(m, c, e, h, (w + 1) * windowMs).state().name().charAt(0));
      }
      if (deadline) {
        assertThat(m.learnedFrom).isEqualTo(2);
        assertThat(m.scale).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(states.toString()).isEqualTo("IIIDDDD");
      } else {
        // without a deadline the fourth usable window, mid-attack, becomes part of the baseline
        assertThat(m.learnedFrom).isEqualTo(WARMUP);
        assertThat(states.toString()).doesNotContain("D");
      }
    }
  }

  @Test
  void tooFewWindowsBeforeTheWarmUpEndsLeaveTheMetricUnjudged() {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.learnUntil = 12_000;
    Hypothesis h = latency(0.1);
    StringBuilder states = new StringBuilder();
    for (int w = 0; w < 6; w++) {
      Summary c = new Summary();
      Summary e = new Summary();
      if (w >= 1) {
        for (int i = 0; i < SAMPLES; i++) {
          c.add(100);
          e.add(w >= 3 ? 300 : 100);
        }
      }
      states.append(WindowJudge.judge(m, c, e, h, (w + 1) * 5_000L).state().name().charAt(0));
    }
    assertThat(states.toString()).isEqualTo("IIIIII");
    assertThat(m.ready).isFalse();
    assertThat(m.unlearned).isTrue();
  }
}
