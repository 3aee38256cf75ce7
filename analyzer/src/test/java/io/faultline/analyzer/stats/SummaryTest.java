package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.faultline.schema.Moments;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import org.junit.jupiter.api.Test;

/** The arithmetic is {@link Moments}' (MomentsTest); here, that the analyzer's window uses it. */
class SummaryTest {

  @Test
  void aCollectorsWindowSummaryMergedEqualsItsObservationsAdded() {
    double[] values = {2, 4, 4, 4, 5, 5, 7, 9, 1e3, 0.25};
    SampleSummaries.Accumulator window = new SampleSummaries.Accumulator(0, 5_000);
    for (int i = 0; i < values.length; i++) {
      window.add(i, values[i]);
    }
    SampleSummary s = window.toSummary();
    Summary merged =
        new Summary()
            .add(3.0)
            .merge(
                new Summary(
                    s.getCount(), s.getMean(), s.getM2(), s.getMin(), s.getMax(), s.getSum()));
    Summary added = new Summary().add(3.0);
    for (double v : values) {
      added.add(v);
    }
    assertThat(merged.count()).isEqualTo(added.count());
    assertThat(merged.mean()).isCloseTo(added.mean(), within(1e-9));
    assertThat(merged.m2()).isCloseTo(added.m2(), within(1e-6));
    assertThat(merged.min()).isEqualTo(0.25);
    assertThat(merged.max()).isEqualTo(1e3);
    assertThat(merged.toString()).startsWith("n=11 mean=");
  }
}
