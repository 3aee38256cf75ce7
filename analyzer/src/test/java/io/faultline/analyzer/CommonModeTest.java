package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.analyzer.stats.Hypothesis;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A cause shared by both groups after the warm-up (load, a shared dependency) is no deviation
 * (docs/adr/0003, 0041): the judgement compares the experimental group with the control, so the
 * same rise that is found when the experimental group alone moves stays within the false-alarm
 * bound when the control moves with it. Any detector that judges the experimental group against a
 * level learned in the warm-up (a control variate with beta below 1) fails the first test.
 */
class CommonModeTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int FAULT_AT = 5;
  private static final double ALPHA = 0.05;

  /** The latency default: mean and spread, 10% tolerance, alpha 0.05 (UnbenchedFaultsTest's). */
  private static Hypothesis hypothesis() {
    return UnbenchedFaultsTest.meanAndSpread();
  }

  /** Share of runs with an alarm when the level rises 20% from judged window 5 on. */
  private static double alarms(Process p, int samples, boolean shared, int runs, long seed) {
    Telemetry t = new Telemetry(p, samples, 0.8);
    t.attackAt = FAULT_AT * 1000L;
    t.shared = shared;
    Random r = new Random(seed);
    int alarms = 0;
    for (int i = 0; i < runs; i++) {
      int at = t.firstAlarm(r, hypothesis(), WARMUP, WINDOWS, FAULT_AT, new Fault(1.2, 1), WINDOWS);
      alarms += at >= 0 ? 1 : 0;
    }
    return (double) alarms / runs;
  }

  @Test
  void aRiseInBothGroupsAfterTheWarmUpRaisesAFalseAlarmInAtMostAlphaOfRunsAtEveryDensity() {
    for (Process p : new Process[] {Process.NORMAL, Process.LOGNORMAL, Process.AR1}) {
      for (int samples : new int[] {100, 6, 1}) {
        assertThat(alarms(p, samples, true, 300, 50 + samples + 7L * p.ordinal()))
            .as("%s, %d samples per window", p, samples)
            .isLessThanOrEqualTo(ALPHA);
      }
    }
  }

  @Test
  void theSameRiseInTheExperimentalGroupAloneIsFoundInDenseWindows() {
    assertThat(alarms(Process.NORMAL, 100, false, 200, 61)).isGreaterThanOrEqualTo(0.9);
    assertThat(alarms(Process.LOGNORMAL, 100, false, 200, 62)).isGreaterThanOrEqualTo(0.9);
  }
}
