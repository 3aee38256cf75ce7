package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.GroupStatistics;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.List;
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

  @Test
  void aJudgedWindowShowsWhatSettingEachOfItsSeriesShows() {
    AnalyzerMetrics batched = new AnalyzerMetrics(Duration.ofSeconds(1));
    AnalyzerMetrics each = new AnalyzerMetrics(Duration.ofSeconds(1));
    java.util.Random random = new java.util.Random(46);
    SteadyState[] states = SteadyState.values();
    for (int i = 0; i < 400; i++) {
      String e = "exp-" + random.nextInt(3);
      String metric = random.nextBoolean() ? "http.latency.ms" : "http.errors.ratio";
      if (i == 200) { // a unit learned later moves the window series to their unit's family
        batched.unit("http.latency.ms", "ms");
        each.unit("http.latency.ms", "ms");
      }
      if (i == 100 || i == 250) { // a series the judge holds removed: set again at the next
        for (AnalyzerMetrics m : List.of(batched, each)) {
          m.remove(AnalyzerMetrics.EFFECT, "experiment", "exp-1", "metric", "http.latency.ms");
          m.remove(
              AnalyzerMetrics.WINDOW_SAMPLES,
              "experiment",
              "exp-1",
              "metric",
              "http.latency.ms",
              "group",
              "control");
        }
        // the judge's label sets are equal to those built from the names: both removed
        assertThat(batched.scrape()).as("after the remove at %d", i).isEqualTo(each.scrape());
      }
      if (i % 50 == 25) { // a series the judge holds, set by another caller in between
        String g = random.nextBoolean() ? "control" : "experimental";
        for (AnalyzerMetrics m : List.of(batched, each)) {
          m.set(AnalyzerMetrics.TEST_STATISTIC, 42, "experiment", e, "metric", metric);
          m.increment(AnalyzerMetrics.WINDOWS_JUDGED, 3, "experiment", e, "metric", metric);
          m.set(AnalyzerMetrics.WINDOW_SAMPLES, 7, "experiment", e, "metric", metric, "group", g);
        }
        assertThat(batched.scrape()).as("after the set at %d", i).isEqualTo(each.scrape());
      }
      if (i == 300) { // exp-0 ends and is swept: its series stay gone
        batched.ended("exp-0", 0);
        each.ended("exp-0", 0);
        batched.sweep(1000);
        each.sweep(1000);
      }
      WindowVerdict v =
          WindowVerdict.newBuilder()
              .setExperimentId(e)
              .setMetric(metric)
              .setWindowStart(i * 5000L)
              .setWindowEnd(i * 5000L + 5000)
              .setControl(group(random))
              .setExperimental(group(random))
              .setEffect(random.nextGaussian())
              .setTestStatistic(random.nextGaussian())
              .setPValue(random.nextBoolean() ? random.nextDouble() : null)
              .setState(states[random.nextInt(4) == 0 ? random.nextInt(states.length) : 0])
              .build();
      batched.judged(Topics.metricKey(e, metric), v);
      setEach(each, v);
      assertThat(batched.scrape()).as("after verdict %d", i).isEqualTo(each.scrape());
    }
    assertThat(batched.scrape()).contains("faultline_window_mean_seconds", "faultline_state");
    assertThat(batched.scrape()).doesNotContain("exp-0");
  }

  @Test
  void aCounterIncrementedByFourThreadsAtOnceCountsEveryIncrement() throws Exception {
    AnalyzerMetrics m = new AnalyzerMetrics();
    int threads = 4;
    int each = 20_000;
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<Thread> running = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < each; i++) {
                  m.increment(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH, 1);
                }
              });
      thread.start();
      running.add(thread);
    }
    start.countDown();
    for (Thread thread : running) {
      thread.join();
    }
    assertThat(m.value(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH)).isEqualTo(threads * each);
  }

  private static GroupStatistics group(java.util.Random random) {
    GroupStatistics.Builder b =
        GroupStatistics.newBuilder()
            .setCount(1 + random.nextInt(50))
            .setMean(100 * random.nextDouble())
            .setVariance(1)
            .setMin(0)
            .setMax(200)
            .setSum(1);
    if (random.nextBoolean()) {
      b.setP50(50.0).setP95(90.0).setP99(100 * random.nextDouble());
    }
    return b.build();
  }

  /** A window's 13 series set one by one, as the judge did before docs/adr/0046. */
  private static void setEach(AnalyzerMetrics metrics, WindowVerdict v) {
    String e = v.getExperimentId();
    String metric = v.getMetric();
    for (String g : List.of("control", "experimental")) {
      GroupStatistics s = g.equals("control") ? v.getControl() : v.getExperimental();
      metrics.window(AnalyzerMetrics.WINDOW_MEAN, s.getMean(), e, metric, g);
      metrics.set(
          AnalyzerMetrics.WINDOW_SAMPLES,
          s.getCount(),
          "experiment",
          e,
          "metric",
          metric,
          "group",
          g);
      if (s.getP99() != null) {
        metrics.window(AnalyzerMetrics.WINDOW_P99, s.getP99(), e, metric, g);
      }
    }
    metrics.set(AnalyzerMetrics.EFFECT, v.getEffect(), "experiment", e, "metric", metric);
    metrics.set(
        AnalyzerMetrics.TEST_STATISTIC, v.getTestStatistic(), "experiment", e, "metric", metric);
    if (v.getPValue() != null) {
      metrics.set(AnalyzerMetrics.P_VALUE, v.getPValue(), "experiment", e, "metric", metric);
    }
    for (SteadyState s :
        List.of(SteadyState.STEADY, SteadyState.DEVIATING, SteadyState.INSUFFICIENT_DATA)) {
      metrics.set(
          AnalyzerMetrics.STATE,
          s == v.getState() ? 1 : 0,
          "experiment",
          e,
          "metric",
          metric,
          "state",
          s.name());
    }
    metrics.increment(AnalyzerMetrics.WINDOWS_JUDGED, 1, "experiment", e, "metric", metric);
  }
}
