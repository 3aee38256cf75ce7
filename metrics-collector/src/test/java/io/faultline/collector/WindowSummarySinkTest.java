package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummaries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WindowSummarySinkTest {

  private static final long T0 = 1_700_000_000_000L; // a multiple of 5 s
  private final Samples samples = new Samples("exp-1");
  private final List<MetricSample> published = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(T0);
  private final WindowSummarySink sink =
      new WindowSummarySink(
          published::add,
          new WindowSummarySink.Settings(Duration.ofSeconds(5), Duration.ofMillis(200)),
          s -> WindowSummarySink.PER_REQUEST.contains(s.getMetric()),
          now::get,
          false);

  private MetricSample latency(String target, Group group, long ts, double ms) {
    return samples.of("http.latency.ms", group, target, ts, ms, "ms");
  }

  @Test
  void publishesOneSummaryPerTargetAndWindowOnceTheWindowEndedAndTheDelayPassed() {
    for (int i = 0; i < 100; i++) {
      sink.publish(latency("web-1", Group.CONTROL, T0 + i * 40, 10 + i % 5));
      sink.publish(latency("web-2", Group.EXPERIMENTAL, T0 + i * 40, 30));
    }
    // a window figure goes through as it comes
    sink.publish(samples.of("http.requests", Group.CONTROL, "web-1", T0 + 4_000, 100, "requests"));
    assertThat(published).extracting(MetricSample::getMetric).containsExactly("http.requests");

    now.set(T0 + 5_199); // the window ended, the delay not yet
    sink.publishDue();
    assertThat(published).hasSize(1);
    now.set(T0 + 5_200);
    sink.publishDue();

    assertThat(published).hasSize(3);
    MetricSample web1 = published.get(1);
    assertThat(web1.getTarget()).isEqualTo("web-1");
    assertThat(web1.getGroup()).isEqualTo(Group.CONTROL);
    assertThat(web1.getTimestamp()).isEqualTo(T0 + 99 * 40);
    assertThat(web1.getSummary().getWindowStart()).isEqualTo(T0);
    assertThat(web1.getSummary().getWindowMs()).isEqualTo(5_000);
    assertThat(web1.getSummary().getCount()).isEqualTo(100);
    assertThat(web1.getSummary().getMin()).isEqualTo(10);
    assertThat(web1.getSummary().getMax()).isEqualTo(14);
    assertThat(web1.getSummary().getSum()).isEqualTo(1_200);
    assertThat(web1.getValue()).isEqualTo(12.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(published.get(2).getSummary().getCount()).isEqualTo(100);
    assertThat(sink.openWindows()).isZero();
  }

  @Test
  void aSampleForAWindowAlreadyPublishedGoesThroughRawAndNoneIsLost() {
    sink.publish(latency("web-1", Group.CONTROL, T0 + 10, 10));
    now.set(T0 + 5_300);
    sink.publishDue();
    sink.publish(latency("web-1", Group.CONTROL, T0 + 4_900, 11)); // a slow response's sample
    sink.publish(latency("web-1", Group.CONTROL, T0 + 5_100, 12)); // the next window
    assertThat(published).hasSize(2);
    assertThat(published.get(0).getSummary().getCount()).isEqualTo(1);
    assertThat(published.get(1).getSummary()).isNull();
    assertThat(published.get(1).getValue()).isEqualTo(11);
    assertThat(sink.openWindows()).isOne();
  }

  @Test
  void closePublishesEveryOpenWindowCompleteOrNot() {
    sink.publish(latency("web-1", Group.CONTROL, T0 + 10, 10));
    sink.publish(latency("web-1", Group.CONTROL, T0 + 5_010, 20));
    sink.publish(samples.of("http.error", Group.CONTROL, "web-1", T0 + 5_020, 1, ""));
    sink.close();
    assertThat(published).hasSize(3);
    assertThat(published).allSatisfy(s -> assertThat(s.getSummary().getCount()).isEqualTo(1));
    assertThat(published)
        .extracting(s -> s.getSummary().getWindowStart())
        .containsExactly(T0, T0 + 5_000, T0 + 5_000);
  }

  @Test
  void errorSamplesAndOtherMetricsAreNeverSummarised() {
    sink.publish(samples.failed("http.latency.ms", Group.CONTROL, "web-1", T0, "ms", "refused"));
    sink.publish(samples.of("cpu", Group.CONTROL, "web-1", T0, 0.5, "ratio"));
    assertThat(published).hasSize(2).allSatisfy(s -> assertThat(s.getSummary()).isNull());
  }

  @Test
  void settingsDefaultToTheAnalyzersDefaultWindowAndRawTurnsThemOff() {
    WindowSummarySink.Settings defaults = WindowSummarySink.Settings.fromMap(Map.of());
    assertThat(defaults.window()).isEqualTo(SampleSummaries.DEFAULT_WINDOW);
    assertThat(defaults.delay()).isEqualTo(Duration.ofMillis(200));
    assertThat(WindowSummarySink.Settings.fromMap(Map.of("collector.summary.window", "raw")))
        .isNull();
    assertThat(
            WindowSummarySink.Settings.fromMap(Map.of("collector.summary.window", "10s")).window())
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(
            () ->
                WindowSummarySink.Settings.fromMap(
                    Map.of("collector.summary.window", "2s", "collector.summary.delay", "2s")))
        .hasMessageContaining("collector.summary.delay")
        .hasMessageContaining("must be below collector.summary.window");
    assertThatThrownBy(
            () -> WindowSummarySink.Settings.fromMap(Map.of("collector.summary.window", "100ms")))
        .hasMessageContaining("collector.summary.window");
  }
}
