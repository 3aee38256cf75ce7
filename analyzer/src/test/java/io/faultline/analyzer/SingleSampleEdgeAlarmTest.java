package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One sample per window (one per minute), the bench's hypothesis (mean and spread, alpha 0.05), the
 * experimental group at the hypothesis's edge (x1.1) from the attack on: the share of runs that
 * alarm within 60 judged windows stays at most alpha (three standard errors of Monte-Carlo margin)
 * with docs/adr/0088's switches, on independent, heavy-tailed and AR(1) 0.8 samples, the attack
 * early and late.
 */
class SingleSampleEdgeAlarmTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int RUNS = 1000;
  private static final double ALPHA = 0.05;

  /** The share of runs with an alarm. */
  static double alarmRate(Telemetry telemetry, int attack, long seed) {
    telemetry.attackAt = attack * 1000L;
    Random r = new Random(seed);
    int alarms = 0;
    for (int run = 0; run < RUNS; run++) {
      int at =
          telemetry.firstAlarm(
              r, Telemetry.benchHypothesis(), WARMUP, WINDOWS, attack, new Fault(1.1, 1), WINDOWS);
      if (at >= 0) {
        alarms++;
      }
    }
    return (double) alarms / RUNS;
  }

  /** The monitor after the last judged window of a clean run of one sample per window. */
  private static WindowJudge.Monitor lastMonitor(Telemetry telemetry) {
    WindowJudge.Monitor[] last = new WindowJudge.Monitor[1];
    telemetry.judgeEach(
        new Random(7),
        Telemetry.benchHypothesis(),
        WARMUP,
        1,
        WINDOWS,
        Fault.NONE,
        WINDOWS,
        (w, m, j) -> {
          last[0] = m;
          return true;
        });
    return last[0];
  }

  @Test
  void singleSamplesAtTheEdgeAlarmInAtMostAlphaOfRuns() {
    // the default (docs/adr/0088's alphaOverMeasured and single-sample clip of 2.5 sd on)
    double margin = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / RUNS);
    for (int attack : new int[] {5, 40}) {
      for (Process p : new Process[] {Process.NORMAL, Process.LOGNORMAL, Process.AR1}) {
        long seed = 880 + 10L * p.ordinal() + attack;
        double rate = alarmRate(new Telemetry(p, 1, 0.8), attack, seed);
        assertThat(rate).as("%s, attack at %d", p, attack).isLessThanOrEqualTo(ALPHA + margin);
      }
    }
  }

  @Test
  void aSpreadTheWarmUpNeverMeasuredIsNotWatchedAndTheMeanGetsItsAlpha() {
    for (boolean on : new boolean[] {false, true}) {
      Telemetry telemetry = new Telemetry(Process.NORMAL, 1, 0.8);
      telemetry.alphaOverMeasured = on;
      WindowJudge.Monitor last = lastMonitor(telemetry);
      assertThat(last.tracks).hasSize(on ? 1 : 2);
      assertThat(last.tracks.get(0).alpha).isEqualTo(on ? ALPHA : ALPHA / 2);
    }
  }

  @Test
  void aSpreadTheWarmUpMeasuredIsStillWatched() {
    Telemetry telemetry = new Telemetry(Process.NORMAL, 2, 0.8);
    telemetry.alphaOverMeasured = true;
    assertThat(lastMonitor(telemetry).tracks).hasSize(2);
  }
}
