package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The series bookkeeping that every judged window passes through (docs/adr/0023). */
class AnalyzerMetricsTest {

  @Test
  void seriesSetInAnyOrderAreScrapedInLabelOrder() {
    AnalyzerMetrics m = new AnalyzerMetrics();
    m.set(AnalyzerMetrics.EFFECT, 0.2, "experiment", "exp-b", "metric", "latency");
    m.set(AnalyzerMetrics.EFFECT, 0.1, "experiment", "exp-a", "metric", "latency");
    m.set(AnalyzerMetrics.EFFECT, 0.3, "experiment", "exp-a", "metric", "errors");
    String scrape = m.scrape();
    int errors = scrape.indexOf("faultline_effect{experiment=\"exp-a\",metric=\"errors\"} 0.3");
    int latency = scrape.indexOf("faultline_effect{experiment=\"exp-a\",metric=\"latency\"} 0.1");
    int b = scrape.indexOf("faultline_effect{experiment=\"exp-b\",metric=\"latency\"} 0.2");
    assertThat(errors).isPositive();
    assertThat(latency).isGreaterThan(errors);
    assertThat(b).isGreaterThan(latency);
  }

  @Test
  void theSameLabelsUpdateOneSeriesAndANullValueReadsEmpty() {
    AnalyzerMetrics m = new AnalyzerMetrics();
    m.set(AnalyzerMetrics.EFFECT, 0.1, "experiment", "exp-a", "metric", null);
    m.set(AnalyzerMetrics.EFFECT, 0.4, "experiment", "exp-a", "metric", null);
    m.increment(AnalyzerMetrics.WINDOWS_JUDGED, 1, "experiment", "exp-a", "metric", "m");
    m.increment(AnalyzerMetrics.WINDOWS_JUDGED, 1, "experiment", "exp-a", "metric", "m");
    assertThat(m.value(AnalyzerMetrics.EFFECT, "experiment", "exp-a", "metric", "")).isEqualTo(0.4);
    assertThat(m.value(AnalyzerMetrics.WINDOWS_JUDGED, "experiment", "exp-a", "metric", "m"))
        .isEqualTo(2.0);
  }

  @Test
  void aSweptExperimentsSeriesStayGoneWhenSetAgain() {
    AnalyzerMetrics m = new AnalyzerMetrics(Duration.ofSeconds(1));
    m.set(AnalyzerMetrics.EFFECT, 0.1, "experiment", "exp-a", "metric", "latency");
    m.set(AnalyzerMetrics.EFFECT, 0.2, "experiment", "exp-b", "metric", "latency");
    m.ended("exp-a", 1_000);
    m.sweep(2_000);
    m.set(AnalyzerMetrics.EFFECT, 0.5, "experiment", "exp-a", "metric", "latency");
    assertThat(m.scrape()).doesNotContain("exp-a").contains("exp-b");
    assertThat(m.experiments()).containsExactly("exp-b");
  }
}
