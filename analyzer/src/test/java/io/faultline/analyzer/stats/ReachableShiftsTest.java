package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** docs/adr/0088: the mixture's weight only on the shifts that can reach the threshold. */
class ReachableShiftsTest {

  private static double total(double[] logs) {
    return Arrays.stream(logs).map(Math::exp).sum();
  }

  @Test
  void atOneSamplePerWindowTheTwoSmallestShiftsGoAndTheRestSumToOne() {
    // 20 primed datapoints, 60 judged: a contrast holds at most (20 + 60) / 4 = 20 datapoints'
    // worth; sqrt(2 log(60 / 0.05)) = 3.77 needs a shift of 0.84 units
    double[] logs = EDetector.reachable(60, 0.05, 20);
    assertThat(logs[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(logs[1]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Math.exp(logs[2])).isCloseTo(0.2 / 0.6, within(1e-12));
    assertThat(total(logs)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aLongHorizonKeepsTheWholeGrid() {
    // 2,000 judged datapoints: (20 + 2000) / 4 = 505 datapoints' worth, the smallest shift gives
    // 0.25 sqrt(505) = 5.6 against sqrt(2 log(2000 / 0.05)) = 4.6 (at 720 it would be 3.4 against
    // 4.4: the smallest goes)
    double[] logs = EDetector.reachable(2000, 0.05, 20);
    for (int j = 0; j < logs.length; j++) {
      assertThat(Math.exp(logs[j])).isCloseTo(EDetector.SHIFT_WEIGHTS[j], within(1e-12));
    }
  }

  @Test
  void theLargestShiftIsKeptWhateverTheHorizon() {
    // no shift of the grid reaches log(1 / 1e-100) = 230 nats in one datapoint
    double[] logs = EDetector.reachable(1, 1e-100, 0);
    assertThat(Math.exp(logs[logs.length - 1])).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aFixedMixtureOfReachableShiftsAlarmsSoonerOnAShiftItKeeps() {
    // the same contrast (1.2 units a datapoint beyond theta0, 15 datapoints) weighs more in the
    // reachable mixture: every kept shift's weight is 1 / 0.6 times its own, so by at most
    // log(1 / 0.6) = 0.51, less what the two dropped shifts gave (0.26 when measured)
    EDetector plain = new EDetector(Direction.INCREASE, 0.05, 60, 0.0, 0.0, 0.95);
    EDetector reachable =
        new EDetector(Direction.INCREASE, 0.05, 60, 0.0, 0.0, 0.95).reachableShifts(true);
    EDetector.State a = new EDetector.State();
    EDetector.State b = new EDetector.State();
    double[] warm = new double[20];
    double[] ones = new double[20];
    Arrays.fill(ones, 1.0);
    plain.prime(a, warm, ones);
    reachable.prime(b, warm, ones);
    EDetector.Step sa = null;
    EDetector.Step sb = null;
    for (int i = 0; i < 15; i++) {
      sa = plain.updateNormal(a, i, 1.2, 1.0);
      sb = reachable.updateNormal(b, i, 1.2, 1.0);
    }
    assertThat(sb.logStatistic() - sa.logStatistic()).isBetween(0.2, Math.log(1 / 0.6) + 1e-9);
  }
}
