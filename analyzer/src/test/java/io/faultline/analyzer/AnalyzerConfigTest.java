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
        .contains("faultline_effect{experiment=\"e\\\"1\",metric=\"a\\\\b\"} 0.500000")
        .contains("# TYPE faultline_samples_late_total counter")
        .contains("faultline_samples_late_total{experiment=\"e\"} 3");
    assertThatThrownBy(() -> m.set("faultline_nope", 1))
        .hasMessageContaining("metric family 'faultline_nope' is not declared");
  }
}
