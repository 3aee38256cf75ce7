package io.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.StartSteps;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The quantiles of a native histogram's difference, as CommandLatencyBench --steps reads them, and
 * its table of the agent's steps.
 */
class StepTimesTest {

  private static StepTimes.Buckets buckets(int schema, long zero, long... indexAndCount) {
    TreeMap<Integer, Long> counts = new TreeMap<>();
    for (int i = 0; i < indexAndCount.length; i += 2) {
      counts.put((int) indexAndCount[i], indexAndCount[i + 1]);
    }
    return new StepTimes.Buckets(schema, zero, counts);
  }

  @Test
  void aQuantileIsTheUpperBoundOfTheBucketHoldingItsRank() {
    // schema 0: bucket i holds (2^(i-1), 2^i]; 98 values in (0.25, 0.5], 2 in (1, 2]
    StepTimes.Buckets b = buckets(0, 0, -1, 98, 1, 2);
    assertThat(b.quantile(0.5)).isEqualTo(0.5);
    assertThat(b.quantile(0.98)).isEqualTo(0.5);
    assertThat(b.quantile(0.99)).isEqualTo(2.0);
    // schema 5: 32 buckets per doubling; index 32 ends at 2, index 1 at 2^(1/32)
    assertThat(buckets(5, 0, 32, 1).quantile(0.5)).isEqualTo(2.0);
    assertThat(buckets(5, 0, 1, 1).quantile(0.5))
        .isCloseTo(1.0219, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(buckets(0, 3, 1, 1).quantile(0.5)).as("in the zero bucket").isZero();
  }

  @Test
  void theWarmUpIsSubtractedBucketByBucket() {
    StepTimes.Buckets warm = buckets(0, 0, 4, 10);
    StepTimes.Buckets end = buckets(0, 0, -1, 90, 4, 10);
    StepTimes.Buckets run = end.minus(warm);
    assertThat(run.quantile(0.99)).as("the slow warm-up is gone").isEqualTo(0.5);
    assertThat(end.quantile(0.99)).isEqualTo(16.0);
  }

  @Test
  void everyStepOfTheAgentGetsARowInThePathsOrder() {
    Map<String, StepTimes.Buckets> end = new HashMap<>();
    StartSteps.Step[] steps = StartSteps.Step.values();
    for (int i = 0; i < steps.length; i++) {
      // step i's values all in bucket i at schema 0: (2^(i-1), 2^i] seconds
      end.put(steps[i].label(), buckets(0, 0, i, 5));
    }
    List<String> rows = StepTimes.stepRows(Map.of(), end);
    assertThat(rows).hasSize(steps.length);
    assertThat(rows.get(0)).startsWith("| command published -> polled");
    for (int i = 1; i < steps.length; i++) {
      double ms = Math.pow(2, i) * 1e3;
      assertThat(rows.get(i))
          .isEqualTo(String.format(Locale.ROOT, "| %s | %.2f | %.2f |", steps[i].label(), ms, ms));
    }
  }

  @Test
  void aStepTheAgentDidNotReachHasNoRow() {
    Map<String, StepTimes.Buckets> end =
        Map.of(StartSteps.Step.PLANNED.label(), buckets(0, 0, 0, 1));
    assertThat(StepTimes.stepRows(Map.of(), end))
        .containsExactly("| planned | 1000.00 | 1000.00 |");
  }
}
