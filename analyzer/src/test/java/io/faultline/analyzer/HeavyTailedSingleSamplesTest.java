package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.schema.SteadyState;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Single samples of heavy tails (Student-t with 3 degrees of freedom, lognormal with sigma 1), the
 * bench's hypothesis, the experimental group at the hypothesis's edge (x1.1) from the attack on:
 * their datapoints are clipped and judged at their clipped variance (docs/adr/0104), and the share
 * of runs that alarm within 60 judged windows stays at most alpha, the attack early and late. The
 * same runs with the learned spread halved after the warm-up alarm in more than alpha: the check
 * sees a variance too small.
 */
class HeavyTailedSingleSamplesTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int RUNS = 1000;
  private static final double ALPHA = 0.05;
  private static final double MARGIN = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / RUNS);

  /** The share of runs with an alarm, the mean track's learned spread times {@code shrink}. */
  private static double alarmRate(Process p, int attack, double shrink, long seed) {
    Telemetry telemetry = new Telemetry(p, 1, 0.8);
    telemetry.attackAt = attack * 1000L;
    Random r = new Random(seed);
    int alarms = 0;
    for (int run = 0; run < RUNS; run++) {
      boolean[] alarmed = {false};
      telemetry.judgeEach(
          r,
          Telemetry.benchHypothesis(),
          WARMUP,
          WINDOWS,
          attack,
          new Fault(1.1, 1),
          WINDOWS,
          (w, m, j) -> {
            if (w == -1 && m.ready) {
              m.tracks.get(0).spreadSquares *= shrink; // learned at the warm-up's last window
            }
            if (w >= 0 && j.state() == SteadyState.DEVIATING) {
              alarmed[0] = true;
              return false;
            }
            return true;
          });
      if (alarmed[0]) {
        alarms++;
      }
    }
    return (double) alarms / RUNS;
  }

  @Test
  void heavyTailedSingleSamplesAtTheEdgeAlarmInAtMostAlphaOfRuns() {
    for (int attack : new int[] {5, 40}) {
      for (Process p : new Process[] {Process.STUDENT_T3, Process.LOGNORMAL_1}) {
        double rate = alarmRate(p, attack, 1.0, 1040 + 10L * p.ordinal() + attack);
        assertThat(rate).as("%s, attack at %d", p, attack).isLessThanOrEqualTo(ALPHA + MARGIN);
      }
    }
  }

  @Test
  void aSpreadTooSmallAlarmsInMoreThanAlphaOfRuns() {
    double rate = alarmRate(Process.STUDENT_T3, 5, 0.5, 1041);
    assertThat(rate).as("Student-t 3, spread halved").isGreaterThan(ALPHA + MARGIN);
  }
}
