package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian package {@code prometheus}) scrapes the analyzer's /metrics while the
 * topology judges an experiment with an attack, a deviation and a recovery; every PromQL query of
 * the Grafana dashboard (charts/faultline/dashboards/faultline.json) must return data.
 */
@Tag("side-by-side")
class DashboardPrometheusSystemIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = 1_700_000_000_000L;

  @Test
  void everyDashboardPanelQueryReturnsDataFromARealPrometheus() throws Exception {
    Path prometheus = ExternalServer.binary("prometheus", "/usr/bin/prometheus");
    AnalyzerMetrics registry = new AnalyzerMetrics();
    driveAnExperiment(registry);
    Path dashboard = locate("charts/faultline/dashboards/faultline.json");
    Map<String, String> queries = new LinkedHashMap<>();
    JsonNode json = JSON.readTree(dashboard.toFile());
    for (JsonNode panel : json.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        queries.put(
            panel.get("title").asText() + " [" + target.get("refId").asText() + "]",
            grafanaVariables(target.get("expr").asText()));
      }
    }
    // the attack regions: valid PromQL (their data is history, the driven attack ended already)
    Map<String, String> annotations = new LinkedHashMap<>();
    for (JsonNode annotation : json.path("annotations").path("list")) {
      if (annotation.has("expr")) {
        annotations.put(
            annotation.get("name").asText(), grafanaVariables(annotation.get("expr").asText()));
      }
    }
    assertThat(annotations).isNotEmpty();
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10);

    Path dir = Files.createTempDirectory("prometheus-it");
    ComponentMetrics component = new ComponentMetrics();
    component.registry().register(registry);
    try (ComponentEndpoint metrics =
        ComponentEndpoint.start("analyzer", "127.0.0.1", 0, () -> null, component)) {
      int port = ExternalServer.freePort();
      Files.writeString(
          dir.resolve("prometheus.yml"),
          "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
              + "scrape_configs:\n  - job_name: faultline-analyzer\n    static_configs:\n"
              + "      - targets: ['127.0.0.1:"
              + metrics.port()
              + "']\n");
      try (ExternalServer server =
          ExternalServer.start(
              dir,
              port,
              List.of(
                  prometheus.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port))) {
        server.awaitReady("/-/ready", Duration.ofSeconds(60));
        List<String> empty = new ArrayList<>(queries.keySet());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!empty.isEmpty() && System.nanoTime() < deadline) {
          empty.removeIf(
              title -> {
                try {
                  JsonNode r =
                      JSON.readTree(
                          server.get(
                              "/api/v1/query?query="
                                  + URLEncoder.encode(queries.get(title), StandardCharsets.UTF_8)));
                  return "success".equals(r.path("status").asText())
                      && r.path("data").path("result").size() > 0;
                } catch (Exception e) {
                  throw new IllegalStateException(title + ": " + e.getMessage(), e);
                }
              });
          Thread.sleep(500);
        }
        assertThat(empty).as("dashboard panels whose query returned no data").isEmpty();
        for (var a : annotations.entrySet()) {
          JsonNode r =
              JSON.readTree(
                  server.get(
                      "/api/v1/query?query="
                          + URLEncoder.encode(a.getValue(), StandardCharsets.UTF_8)));
          assertThat(r.path("status").asText())
              .as("annotation %s", a.getKey())
              .isEqualTo("success");
        }
      }
    }
  }

  /**
   * Grafana's variables as Prometheus would get them: every experiment and metric, fixed ranges.
   */
  static String grafanaVariables(String expr) {
    return expr.replace("$experiment", ".*")
        .replace("$metric", ".*")
        .replace("$__rate_interval", "1m")
        .replace("$__range", "5m");
  }

  /** Warm-up, an attack that deviates for 3 windows, recovery, and a late and a dropped sample. */
  static void driveAnExperiment(AnalyzerMetrics registry) throws Exception {
    Topics topics = new Topics("sys.", 1);
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of(), registry)) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      TestInputTopic<String, AttackEvent> events = analyzer.input(topics.attackEvents());
      AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
      Random random = new Random(1);
      double[] experimental = {20, 20, 20, 20, 60, 60, 60, 20, 20, 20, 20, 20};
      for (int w = 0; w < experimental.length; w++) {
        if (w == 4) {
          events.pipeInput("sys-exp", event(AttackEventType.STARTED, T0 + 20_000), T0 + 20_000);
        }
        if (w == 7) {
          events.pipeInput("sys-exp", event(AttackEventType.ROLLED_BACK, T0 + 35_000), T0 + 35_000);
        }
        for (int i = 0; i < 50; i++) {
          long ts = T0 + w * 5000L + i * 100L;
          for (Group g : new Group[] {Group.CONTROL, Group.EXPERIMENTAL}) {
            double mean = g == Group.CONTROL ? 20 : experimental[w];
            metrics.pipeInput(
                Topics.metricKey("sys-exp", "http.latency.ms"),
                serde.encode(sample(g, ts, mean * (1 + 0.1 * random.nextGaussian()))),
                ts);
          }
        }
        if (w == 10) {
          long late = T0 + 9 * 5000L + 4_900; // window 9 ended at stream time - 0.1 s: late
          metrics.pipeInput(
              Topics.metricKey("sys-exp", "http.latency.ms"),
              serde.encode(sample(Group.CONTROL, late, 20)),
              late);
          long dropped = T0 + 1_000; // window 0 closed long ago
          metrics.pipeInput(
              Topics.metricKey("sys-exp", "http.latency.ms"),
              serde.encode(sample(Group.CONTROL, dropped, 20)),
              dropped);
        }
      }
    }
  }

  private static AttackEvent event(AttackEventType type, long ts) {
    return AttackEvent.newBuilder()
        .setEventId("ev-" + type)
        .setExperimentId("sys-exp")
        .setAttackId("attack-sys")
        .setType(type)
        .setFault("cpu-burn")
        .setTimestamp(ts)
        .build();
  }

  private static MetricSample sample(Group g, long ts, double value) {
    return MetricSample.newBuilder()
        .setExperimentId("sys-exp")
        .setMetric("http.latency.ms")
        .setGroup(g)
        .setTarget(g.name())
        .setTimestamp(ts)
        .setValue(value)
        .setUnit("ms")
        .build();
  }

  /** A file of the repository, found from the module's working directory upwards. */
  static Path locate(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
