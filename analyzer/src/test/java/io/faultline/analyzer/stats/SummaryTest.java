package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void knownVector() {
    Summary s = Summary.of(2, 4, 4, 4, 5, 5, 7, 9);
    assertThat(s.count()).isEqualTo(8);
    assertThat(s.mean()).isEqualTo(5.0);
    assertThat(s.variance()).isCloseTo(32.0 / 7, within(1e-12));
    assertThat(s.min()).isEqualTo(2);
    assertThat(s.max()).isEqualTo(9);
    assertThat(s.sum()).isEqualTo(40);
  }

  @Test
  void mergeEqualsAddingEverything() {
    Random random = new Random(1);
    Summary all = new Summary();
    Summary left = new Summary();
    Summary right = new Summary();
    for (int i = 0; i < 1000; i++) {
      double v = random.nextGaussian() * 3 + 100;
      all.add(v);
      (i % 3 == 0 ? left : right).add(v);
    }
    left.merge(right);
    assertThat(left.count()).isEqualTo(all.count());
    assertThat(left.mean()).isCloseTo(all.mean(), within(1e-9));
    assertThat(left.variance()).isCloseTo(all.variance(), within(1e-9));
    assertThat(left.min()).isEqualTo(all.min());
    assertThat(left.max()).isEqualTo(all.max());
  }

  @Test
  void varianceIsStableForLargeOffsets() {
    Summary s = Summary.of(1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16);
    assertThat(s.variance()).isCloseTo(30.0, within(1e-6));
  }
}
