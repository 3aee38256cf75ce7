package io.faultline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Statistic;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's header names the statistics its rows watch, whichever switch chose them. */
class DetectionBenchHeaderTest {

  @Test
  void theHeaderSaysTheSpreadAloneIsWatchedWhenItIs() {
    assertThat(DetectionBench.header(200, List.of(Statistic.SPREAD)))
        .contains("alpha 0.05 over the 60 judged windows, spread alone watched;")
        .doesNotContain("mean");
    assertThat(DetectionBench.header(200, List.of(Statistic.MEAN)))
        .contains("judged windows, mean alone watched;")
        .doesNotContain("spread");
  }

  @Test
  void byDefaultTheMeanAndTheSpreadAreWatched() {
    assertThat(DetectionBench.continuous().statistics())
        .containsExactly(Statistic.MEAN, Statistic.SPREAD);
    assertThat(DetectionBench.header(200, DetectionBench.continuous().statistics()))
        .startsWith("200 runs per row; 20 warm-up + 60 judged windows;")
        .contains("judged windows, mean and spread watched; errors: tolerance 0.5 points.");
  }
}
