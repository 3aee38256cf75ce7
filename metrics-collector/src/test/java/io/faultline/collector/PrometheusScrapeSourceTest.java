package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusScrapeSourceTest {

  private static PrometheusScrapeSource source(String targets) {
    return new PrometheusScrapeSource(
        PrometheusScrapeSource.Settings.fromMap(
            new ConfigMap(
                Map.of(
                    "scrape.targets", targets,
                    "scrape.metric.app.requests", "app_requests_total",
                    "scrape.metric.app.gone", "app_gone_total"))),
        new Samples("e1"));
  }

  @Test
  void sumsMatchingSeriesPerTargetAndMarksWhatFailed() throws Exception {
    try (StubHttp server =
        new StubHttp(
            2,
            ex -> {
              if (ex.getRequestURI().getPath().equals("/broken")) {
                StubHttp.reply(ex, 500, "text/plain", "oops");
              } else {
                StubHttp.reply(
                    ex,
                    200,
                    "text/plain",
                    "app_requests_total{code=\"200\"} 10\napp_requests_total{code=\"500\"} 2\n");
              }
            })) {
      List<MetricSample> s =
          source(
                  "CONTROL=ctl@"
                      + server.url("/metrics")
                      + ",EXPERIMENTAL=exp@"
                      + server.url("/broken"))
              .collect();
      MetricSample requests =
          s.stream()
              .filter(x -> x.getMetric().equals("app.requests") && x.getGroup() == Group.CONTROL)
              .findFirst()
              .orElseThrow();
      assertThat(requests.getValue()).isEqualTo(12);
      assertThat(requests.getTarget()).isEqualTo("ctl");
      assertThat(
              s.stream()
                  .filter(x -> x.getMetric().equals("app.gone") && x.getGroup() == Group.CONTROL))
          .singleElement()
          .satisfies(x -> assertThat(x.getLabels()).containsEntry("reason", "no matching series"));
      assertThat(s.stream().filter(x -> x.getGroup() == Group.EXPERIMENTAL))
          .hasSize(2)
          .allSatisfy(
              x -> {
                assertThat(x.getError()).isTrue();
                assertThat(x.getLabels().get("reason")).contains("HTTP 500");
              });
      assertThat(s.stream().filter(MetricSample::getError)).hasSize(3);
    }
  }

  @Test
  void settingsRejectABadSelector() {
    assertThatThrownBy(
            () ->
                PrometheusScrapeSource.Settings.fromMap(
                    new ConfigMap(
                        Map.of(
                            "scrape.targets", "CONTROL=a@http://h/metrics",
                            "scrape.metric.x", "m{a=1}"))))
        .hasMessageStartingWith("scrape.metric.x 'm{a=1}': label a: expected =\"value\"");
  }
}
