package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MixtureSprtTest {

  @Test
  void checkedAfterEveryObservationItStillRarelyFalseAlarms() {
    Random random = new Random(9);
    int alarms = 0;
    int runs = 300;
    for (int run = 0; run < runs; run++) {
      MixtureSprt test = new MixtureSprt(Direction.INCREASE, 0.05, 2.0, 2.0, 25.0);
      for (int i = 0; i < 500; i++) {
        test.addControl(100 + 5 * random.nextGaussian());
        test.addExperimental(101 + 5 * random.nextGaussian()); // +1, tolerance 2
        if (i >= 5 && test.deviates()) {
          alarms++;
          break;
        }
      }
    }
    assertThat((double) alarms / runs).isLessThanOrEqualTo(0.05);
  }

  @Test
  void aLargeShiftIsDeclaredQuickly() {
    Random random = new Random(10);
    MixtureSprt test = new MixtureSprt(Direction.INCREASE, 0.05, 2.0, 2.0, 25.0);
    int at = -1;
    for (int i = 0; i < 100 && at < 0; i++) {
      test.addControl(100 + 5 * random.nextGaussian());
      test.addExperimental(115 + 5 * random.nextGaussian());
      if (i >= 4 && test.deviates()) {
        at = i;
      }
    }
    assertThat(at).isBetween(4, 10);
  }

  @Test
  void restartKeepsParametersAndTakesTheNewLevel() {
    MixtureSprt test = new MixtureSprt(Direction.EITHER, 0.05, 2.0, 2.0, 25.0).restart(0.01);
    assertThat(test.alpha()).isEqualTo(0.01);
    assertThat(test.logStatistic()).isEqualTo(Double.NEGATIVE_INFINITY);
  }
}
