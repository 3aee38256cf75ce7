package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusQuerySourceTest {

  private static PrometheusQuerySource.Settings settings(String url, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(extra);
    m.put("prometheus.url", url);
    return PrometheusQuerySource.Settings.fromMap(new ConfigMap(m));
  }

  /** Answers like Prometheus: a vector whose value depends on the group in the query. */
  private static StubHttp prometheus() throws Exception {
    return new StubHttp(
        4,
        ex -> {
          String q = URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
          if (q.contains("broken")) {
            StubHttp.reply(
                ex,
                400,
                "application/json",
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}");
            return;
          }
          if (q.contains("absent")) {
            StubHttp.reply(
                ex,
                200,
                "application/json",
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
            return;
          }
          String value = q.contains("group=\"experimental\"") ? "7.5" : "2.25";
          String instance = q.contains("group=\"experimental\"") ? "exp:1" : "ctl:1";
          StubHttp.reply(
              ex,
              200,
              "application/json",
              "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                  + "{\"metric\":{\"instance\":\""
                  + instance
                  + "\"},\"value\":[1700000000.5,\""
                  + value
                  + "\"]}]}}");
        });
  }

  @Test
  void fillsTheGroupIntoEachTemplateAndReadsTheVector() throws Exception {
    try (StubHttp server = prometheus()) {
      PrometheusQuerySource source =
          new PrometheusQuerySource(
              settings(
                  server.url(""),
                  Map.of(
                      "prometheus.query.app.rate", "sum(rate(app_total{group=\"$group\"}[1m]))")),
              new Samples("e1"));
      List<MetricSample> samples = source.collect();
      assertThat(samples).hasSize(2);
      MetricSample exp =
          samples.stream()
              .filter(s -> s.getGroup() == Group.EXPERIMENTAL)
              .findFirst()
              .orElseThrow();
      assertThat(exp.getMetric()).isEqualTo("app.rate");
      assertThat(exp.getValue()).isEqualTo(7.5);
      assertThat(exp.getTarget()).isEqualTo("exp:1");
      assertThat(exp.getTimestamp()).isEqualTo(1_700_000_000_500L);
      assertThat(exp.getExperimentId()).isEqualTo("e1");
      MetricSample ctl =
          samples.stream().filter(s -> s.getGroup() == Group.CONTROL).findFirst().orElseThrow();
      assertThat(ctl.getValue()).isEqualTo(2.25);
      assertThat(server.requests)
          .allSatisfy(r -> assertThat(r).startsWith("/api/v1/query?query="))
          .anySatisfy(
              r ->
                  assertThat(URLDecoder.decode(r, StandardCharsets.UTF_8))
                      .contains("app_total{group=\"control\"}"));
    }
  }

  @Test
  void aBadOrEmptyQueryIsAnErrorSampleWhileTheOthersStillReport() throws Exception {
    try (StubHttp server = prometheus()) {
      PrometheusQuerySource source =
          new PrometheusQuerySource(
              settings(
                  server.url("/"),
                  Map.of(
                      "prometheus.query.good", "up{group=\"$group\"}",
                      "prometheus.query.bad", "broken{group=\"$group\"}",
                      "prometheus.query.none", "absent{group=\"$group\"}")),
              new Samples("e1"));
      List<MetricSample> samples = source.collect();
      assertThat(samples.stream().filter(s -> s.getMetric().equals("good") && !s.getError()))
          .hasSize(2);
      assertThat(samples.stream().filter(s -> s.getMetric().equals("bad")))
          .hasSize(2)
          .allSatisfy(
              s -> {
                assertThat(s.getError()).isTrue();
                assertThat(s.getLabels().get("reason"))
                    .contains("bad_data")
                    .contains("parse error");
              });
      assertThat(samples.stream().filter(s -> s.getMetric().equals("none")))
          .allSatisfy(s -> assertThat(s.getLabels()).containsEntry("reason", "no data"));
      // the runner turns the error samples into collector.source.errors counts per group
      assertThat(samples.stream().filter(MetricSample::getError)).hasSize(4);
    }
  }

  @Test
  void anUnreachableServerFailsTheRound() {
    PrometheusQuerySource source =
        new PrometheusQuerySource(
            settings("http://127.0.0.1:1", Map.of("prometheus.query.up", "up")), new Samples("e"));
    assertThatThrownBy(source::collect).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void settingsNameTheMissingKey() {
    assertThatThrownBy(() -> PrometheusQuerySource.Settings.fromMap(new ConfigMap(Map.of())))
        .hasMessageStartingWith("prometheus.url: required");
    assertThatThrownBy(() -> settings("http://x", Map.of()))
        .hasMessageStartingWith("prometheus.query.<metric>: at least one");
  }
}
