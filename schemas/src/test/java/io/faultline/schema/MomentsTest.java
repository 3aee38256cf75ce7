package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MomentsTest {

  private static Moments of(double... values) {
    Moments m = new Moments();
    java.util.Arrays.stream(values).forEach(m::add);
    return m;
  }

  @Test
  void knownVector() {
    Moments s = of(2, 4, 4, 4, 5, 5, 7, 9);
    assertThat(s.count()).isEqualTo(8);
    assertThat(s.mean()).isEqualTo(5.0);
    assertThat(s.variance()).isCloseTo(32.0 / 7, within(1e-12));
    assertThat(s.m2()).isCloseTo(32.0, within(1e-12));
    assertThat(s.min()).isEqualTo(2);
    assertThat(s.max()).isEqualTo(9);
    assertThat(s.sum()).isEqualTo(40);
  }

  @Test
  void emptyReadsZeroAndMergesAsNothing() {
    Moments empty = new Moments();
    assertThat(empty.mean()).isZero();
    assertThat(empty.min()).isZero();
    assertThat(empty.max()).isZero();
    assertThat(empty.variance()).isZero();
    Moments some = of(3, 5);
    assertThat(some.merge(new Moments()).count()).isEqualTo(2);
    assertThat(new Moments().merge(some).mean()).isEqualTo(4.0);
  }

  @Test
  void mergeEqualsAddingEverything() {
    Random random = new Random(1);
    Moments all = new Moments();
    Moments left = new Moments();
    Moments right = new Moments();
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
    assertThat(left.sum()).isCloseTo(all.sum(), within(1e-6));
  }

  @Test
  void varianceIsStableForLargeOffsets() {
    assertThat(of(1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16).variance()).isCloseTo(30.0, within(1e-6));
  }

  @Test
  void theCollectorsWindowSummaryHoldsTheseMoments() {
    SampleSummaries.Accumulator window = new SampleSummaries.Accumulator(0, 5_000);
    Moments same = new Moments();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      double v = Math.abs(random.nextGaussian() * 40 + 5);
      window.add(i, v);
      same.add(v);
    }
    SampleSummary s = window.toSummary();
    assertThat(s.getCount()).isEqualTo(same.count());
    assertThat(s.getMean()).isEqualTo(same.mean());
    assertThat(s.getM2()).isEqualTo(same.m2());
    assertThat(s.getMin()).isEqualTo(same.min());
    assertThat(s.getMax()).isEqualTo(same.max());
    assertThat(s.getSum()).isEqualTo(same.sum());
  }
}
