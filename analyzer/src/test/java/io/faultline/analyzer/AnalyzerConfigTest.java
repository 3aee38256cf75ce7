package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyzerConfigTest {

  private static AnalyzerConfig config(String... pairs) {
    Map<String, String> map = new HashMap<>();
    map.put("bootstrap.servers", "127.0.0.1:9092");
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return AnalyzerConfig.fromMap(map);
  }

  @Test
  void defaultsLeaveMetricsAndAlertmanagerOff() {
    AnalyzerConfig c = config();
    assertThat(c.metricsPort()).isNull();
    assertThat(c.alertmanagerUrl()).isNull();
    assertThat(c.noisyAlertTime().toSeconds()).isEqualTo(30);
    assertThat(c.judgementConfidence()).isEqualTo(0.98);
    assertThat(c.commandSecret()).isNull();
  }

  @Test
  void badValuesNameTheKeyAndWhatIsAllowed() {
    assertThatThrownBy(() -> config("analyzer.metrics.port", "70000"))
        .hasMessageContaining("analyzer.metrics.port '70000'")
        .hasMessageContaining("must be a whole number from 0 to 65535");
    assertThatThrownBy(() -> config("analyzer.alertmanager.url", "alertmanager:9093"))
        .hasMessageContaining("analyzer.alertmanager.url 'alertmanager:9093'")
        .hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> config("analyzer.judgement.confidence", "1.5"))
        .hasMessage("analyzer.judgement.confidence '1.5': must be a number from 0.5 to below 1.0");
  }

  @Test
  void stateStoresAreRocksdbUnlessMemoryIsAsked() {
    assertThat(config().stateStores()).isEqualTo(StateStores.ROCKSDB);
    assertThat(config(StateStores.KEY, "Memory").stateStores()).isEqualTo(StateStores.MEMORY);
    assertThatThrownBy(() -> config(StateStores.KEY, "disk"))
        .hasMessageStartingWith("analyzer.state.stores 'disk': must be rocksdb or memory");
  }

  @Test
  void streamThreadsAreOneUnlessAskedAndReachKafkaStreams() {
    assertThat(AnalyzerApp.streamsProperties(config()).get("num.stream.threads")).isEqualTo(1);
    AnalyzerConfig two = config(AnalyzerConfig.STREAM_THREADS, "2");
    assertThat(two.streamThreads()).isEqualTo(2);
    assertThat(AnalyzerApp.streamsProperties(two).get("num.stream.threads")).isEqualTo(2);
    assertThatThrownBy(() -> config(AnalyzerConfig.STREAM_THREADS, "0"))
        .hasMessageContaining("analyzer.stream.threads '0'")
        .hasMessageContaining("must be a whole number from 1 to 16");
  }

  @Test
  void commitIntervalIsOneSecondUnlessAskedAndWarnedAboveTheGrace() {
    assertThat(AnalyzerApp.streamsProperties(config()).get("commit.interval.ms")).isEqualTo(1000L);
    assertThat(AnalyzerApp.commitIntervalWarning(config())).as("1 s against 1 s of grace").isNull();
    AnalyzerConfig five = config("kafka.commit.interval.ms", "5000");
    assertThat(AnalyzerApp.streamsProperties(five).get("commit.interval.ms")).isEqualTo("5000");
    assertThat(AnalyzerApp.commitIntervalWarning(five))
        .contains("kafka.commit.interval.ms 5000 is above analyzer.grace 1000 ms")
        .contains("raise analyzer.grace");
    assertThat(
            AnalyzerApp.commitIntervalWarning(
                config("kafka.commit.interval.ms", "5000", "analyzer.grace", "5s")))
        .isNull();
    assertThat(AnalyzerApp.commitIntervalWarning(config("analyzer.grace", "0s")))
        .as("the default interval against no grace")
        .contains("kafka.commit.interval.ms 1000 is above analyzer.grace 0 ms");
  }

  @Test
  void theSecretStaysOutOfToString() {
    assertThat(config("agent.command.secret", " a-very-secret-value-123").commandSecret())
        .as("signs with the secret as written, as the agents verify")
        .isEqualTo(" a-very-secret-value-123");
    assertThat(config("agent.command.secret", " ").commandSecret()).isNull();
    AnalyzerConfig c = config("agent.command.secret", "a-very-secret-value-123");
    assertThat(c.toString()).doesNotContain("a-very-secret-value-123").contains("****");
  }

  @Test
  void alertmanagerBodyFollowsTheV2Api() throws Exception {
    Alert resolved =
        Alert.newBuilder()
            .setAlertId("e|m|1000")
            .setExperimentId("e")
            .setMetric("m")
            .setStatus(AlertStatus.RESOLVED)
            .setSeverity("warning")
            .setReason("why")
            .setFiredAt(1_000)
            .setTimestamp(6_000)
            .build();
    JsonNode body = new ObjectMapper().readTree(AlertmanagerPush.body(List.of(resolved)));
    assertThat(body.isArray()).isTrue();
    assertThat(body.get(0).get("labels").get("alertname").asText())
        .isEqualTo("FaultlineSteadyStateDeviation");
    assertThat(body.get(0).get("labels").has("attack")).isFalse();
    assertThat(body.get(0).get("startsAt").asText()).isEqualTo("1970-01-01T00:00:01Z");
    assertThat(body.get(0).get("endsAt").asText()).isEqualTo("1970-01-01T00:00:06Z");
  }

  @Test
  void scrapeIsTheTextExpositionFormatWithEscapedLabels() {
    AnalyzerMetrics m = new AnalyzerMetrics();
    m.set(AnalyzerMetrics.EFFECT, 0.5, "experiment", "e\"1", "metric", "a\\b");
    m.increment(AnalyzerMetrics.SAMPLES_LATE, 2, "experiment", "e");
    m.increment(AnalyzerMetrics.SAMPLES_LATE, 1, "experiment", "e");
    String text = m.scrape();
    assertThat(text)
        .contains("# TYPE faultline_effect gauge")
        .contains("faultline_effect{experiment=\"e\\\"1\",metric=\"a\\\\b\"} 0.5")
        .contains("# TYPE faultline_samples_late_total counter")
        .contains("faultline_samples_late_total{experiment=\"e\"} 3.0");
    assertThatThrownBy(() -> m.set("faultline_nope", 1))
        .hasMessageContaining("metric family 'faultline_nope' is not declared");
  }

  @Test
  void windowStatisticsGoToTheFamilyOfTheirUnitInBaseUnits() {
    AnalyzerMetrics m = new AnalyzerMetrics();
    m.unit("http.latency.ms", "ms");
    m.unit("http.error.rate", "ratio");
    m.window(AnalyzerMetrics.WINDOW_MEAN, 250, "e", "http.latency.ms", "control");
    m.window(AnalyzerMetrics.WINDOW_MEAN, 0.02, "e", "http.error.rate", "control");
    m.window(AnalyzerMetrics.WINDOW_MEAN, 3, "e", "http.errors", "control");
    assertThat(m.scrape())
        .contains(
            "faultline_window_mean_seconds{experiment=\"e\",group=\"control\",metric=\"http.latency.ms\"} 0.25")
        .contains(
            "faultline_window_mean_ratio{experiment=\"e\",group=\"control\",metric=\"http.error.rate\"} 0.02")
        .contains(
            "faultline_window_mean{experiment=\"e\",group=\"control\",metric=\"http.errors\"} 3.0");
  }

  @Test
  void anEndedExperimentsSeriesGoAfterTheLingerAndStayGone() {
    AnalyzerMetrics m = new AnalyzerMetrics(java.time.Duration.ofMinutes(5));
    m.set(AnalyzerMetrics.ALERTS_FIRING, 1, "experiment", "done", "metric", "x");
    m.set(AnalyzerMetrics.ALERTS_FIRING, 1, "experiment", "live", "metric", "x");
    m.resolved("done", "x", 12);
    m.ended("done", 1_000_000);
    m.sweep(1_000_000 + 299_999);
    assertThat(m.value(AnalyzerMetrics.ALERTS_FIRING, "experiment", "done", "metric", "x"))
        .isEqualTo(1.0);
    m.sweep(1_000_000 + 300_000);
    assertThat(m.value(AnalyzerMetrics.ALERTS_FIRING, "experiment", "done", "metric", "x")).isNaN();
    assertThat(m.scrape()).doesNotContain("\"done\"").contains("experiment=\"live\"");
    m.set(AnalyzerMetrics.ALERTS_FIRING, 1, "experiment", "done", "metric", "x"); // a late window
    assertThat(m.experiments()).containsExactly("live");
  }

  @Test
  void metricsLingerIsBounded() {
    assertThatThrownBy(
            () ->
                AnalyzerConfig.fromMap(
                    Map.of("bootstrap.servers", "b:9092", "analyzer.metrics.linger", "25h")))
        .hasMessage("analyzer.metrics.linger 25h: must be between 0s and 24h");
    assertThat(AnalyzerConfig.fromMap(Map.of("bootstrap.servers", "b:9092")).metricsLinger())
        .isEqualTo(java.time.Duration.ofMinutes(5));
  }
}
