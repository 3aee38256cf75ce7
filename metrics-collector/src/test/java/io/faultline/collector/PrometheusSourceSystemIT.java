package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.scale.fleet.LoopbackPorts;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian package {@code prometheus}) on a free loopback port scrapes a
 * small exporter with two groups served by this test; the query and scrape sources must report the
 * values served.
 */
class PrometheusSourceSystemIT {

  private static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final String EXPOSITION =
      """
      # HELP app_requests_total Requests served.
      # TYPE app_requests_total counter
      app_requests_total{group="control",code="200"} 1200
      app_requests_total{group="control",code="500"} 3
      app_requests_total{group="experimental",code="200"} 800
      app_requests_total{group="experimental",code="500"} 41
      # TYPE app_latency_seconds gauge
      app_latency_seconds{group="control"} 0.012
      app_latency_seconds{group="experimental"} 0.048
      """;

  @TempDir static Path dir;
  private static StubHttp exporter;
  private static Process prometheus;
  private static String url;

  /** Below the ephemeral range, so no outgoing connection takes it before Prometheus binds it. */
  private static int freePort() throws IOException {
    return LoopbackPorts.next();
  }

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "Debian package prometheus is not installed (" + BINARY + " missing): skipping");
    exporter =
        new StubHttp(2, ex -> StubHttp.reply(ex, 200, "text/plain; version=0.0.4", EXPOSITION));
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            + "scrape_configs:\n  - job_name: exporter\n    static_configs:\n"
            + "      - targets: ['127.0.0.1:"
            + exporter.server.getAddress().getPort()
            + "']\n");
    prometheus =
        new ProcessBuilder(
                BINARY.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    url = "http://127.0.0.1:" + port;
    // ready, and the exporter scraped at least once
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(url + "/api/v1/query?query=app_latency_seconds"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("experimental")) {
          break;
        }
      } catch (IOException notYet) {
        // starting
      }
      if (System.currentTimeMillis() > deadline || !prometheus.isAlive()) {
        throw new AssertionError(
            "prometheus not ready within 60 s; log:\n"
                + Files.readString(dir.resolve("prometheus.log")));
      }
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor();
      }
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  private static double only(List<MetricSample> samples, String metric, Group group) {
    List<MetricSample> found =
        samples.stream()
            .filter(s -> s.getMetric().equals(metric) && s.getGroup() == group)
            .toList();
    assertThat(found).as(metric + " " + group).hasSize(1);
    assertThat(found.get(0).getError()).isFalse();
    return found.get(0).getValue();
  }

  @Test
  void promqlPerGroupMatchesTheServedValues() throws Exception {
    Map<String, String> m = new HashMap<>();
    m.put("prometheus.url", url);
    m.put("prometheus.query.app.requests", "sum(app_requests_total{group=\"$group\"})");
    m.put("prometheus.query.app.errors", "sum(app_requests_total{group=\"$group\",code=\"500\"})");
    m.put("prometheus.query.app.latency", "app_latency_seconds{group=\"$group\"}");
    PrometheusQuerySource source =
        new PrometheusQuerySource(
            PrometheusQuerySource.Settings.fromMap(new ConfigMap(m)), new Samples("sys"));
    long before = System.currentTimeMillis();
    List<MetricSample> s = source.collect();
    assertThat(only(s, "app.requests", Group.CONTROL)).isEqualTo(1203);
    assertThat(only(s, "app.requests", Group.EXPERIMENTAL)).isEqualTo(841);
    assertThat(only(s, "app.errors", Group.EXPERIMENTAL)).isEqualTo(41);
    assertThat(only(s, "app.latency", Group.CONTROL)).isEqualTo(0.012);
    assertThat(only(s, "app.latency", Group.EXPERIMENTAL)).isEqualTo(0.048);
    assertThat(
            s.stream()
                .filter(x -> x.getMetric().equals("app.latency"))
                .map(MetricSample::getTarget))
        .allMatch(t -> t.startsWith("127.0.0.1:"));
    assertThat(s)
        .allSatisfy(x -> assertThat(x.getTimestamp()).isBetween(before - 1000, before + 5000));
  }

  @Test
  void directScrapeOfTheExporterMatchesToo() throws Exception {
    String metrics = exporter.url("/metrics");
    PrometheusScrapeSource source =
        new PrometheusScrapeSource(
            PrometheusScrapeSource.Settings.fromMap(
                new ConfigMap(
                    Map.of(
                        "scrape.targets", "CONTROL=exporter@" + metrics,
                        "scrape.metric.app.errors",
                            "app_requests_total{group=\"experimental\",code=\"500\"}",
                        "scrape.metric.app.requests", "app_requests_total{group=\"control\"}"))),
            new Samples("sys"));
    List<MetricSample> s = source.collect();
    assertThat(only(s, "app.requests", Group.CONTROL)).isEqualTo(1203);
    assertThat(only(s, "app.errors", Group.CONTROL)).isEqualTo(41);
  }
}
