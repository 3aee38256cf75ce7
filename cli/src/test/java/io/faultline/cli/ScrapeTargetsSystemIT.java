package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.collector.CollectorMetrics;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.kafka.TestBroker;
import io.faultline.scale.fleet.LoopbackPorts;
import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian package {@code prometheus}) scrapes the /metrics of the agent, the
 * collector and the analyzer, as the chart's PodMonitor and ServiceMonitor point it at them: every
 * target is UP, and each serves its own figures and its Kafka clients' metrics.
 */
class ScrapeTargetsSystemIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyComponentsMetricsEndpointIsUpInARealPrometheus() throws Exception {
    Path prometheus = Path.of("/usr/bin/prometheus");
    assumeTrue(Files.isExecutable(prometheus), "prometheus (Debian package) not installed");
    String prefix = "scrape-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Map<String, String> agentConf = new HashMap<>();
    agentConf.put("bootstrap.servers", TestBroker.bootstrapServers());
    agentConf.put("topics.prefix", prefix);
    agentConf.put("agent.targets.dir", Files.createTempDirectory("scrape-targets").toString());
    agentConf.put("agent.outbox.dir", Files.createTempDirectory("scrape-outbox").toString());
    Map<String, String> analyzerConf = new HashMap<>();
    analyzerConf.put("bootstrap.servers", TestBroker.bootstrapServers());
    analyzerConf.put("topics.prefix", prefix);
    analyzerConf.put("analyzer.application.id", prefix + "analyzer");
    analyzerConf.put("analyzer.state.dir", Files.createTempDirectory("scrape-state").toString());
    analyzerConf.put("analyzer.metrics.port", "0");
    ComponentMetrics collectorMetrics = new ComponentMetrics();
    Path dir = Files.createTempDirectory("scrape-prometheus");
    // below the ephemeral range: the many client connections opened before Prometheus binds it
    // cannot take it meanwhile
    int port = LoopbackPorts.next();
    Process server = null;
    try (AttackAgent agent = AgentMain.start(AgentConfig.fromMap(agentConf));
        ComponentEndpoint agentHttp =
            ComponentEndpoint.start(
                "agent", "127.0.0.1", 0, agent::healthProblem, agent.metrics());
        KafkaSampleSink sink =
            new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
        ComponentEndpoint collectorHttp =
            ComponentEndpoint.start(
                "collector",
                "127.0.0.1",
                0,
                () -> null,
                collectorMetrics.kafkaClient(sink::clientMetrics));
        AnalyzerApp.Running analyzer = AnalyzerApp.run(AnalyzerConfig.fromMap(analyzerConf))) {
      new CollectorMetrics(collectorMetrics.registry());
      Map<String, Integer> jobs = new TreeMap<>();
      jobs.put("faultline-agent", agentHttp.port());
      jobs.put("faultline-collector", collectorHttp.port());
      jobs.put("faultline-analyzer", analyzer.metricsServer().port());
      StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\nscrape_configs:\n");
      jobs.forEach(
          (job, p) ->
              config
                  .append("  - job_name: ")
                  .append(job)
                  .append("\n    metrics_path: /metrics\n    static_configs:\n")
                  .append("      - targets: ['127.0.0.1:")
                  .append(p)
                  .append("']\n"));
      Files.writeString(dir.resolve("prometheus.yml"), config);
      server =
          new ProcessBuilder(
                  prometheus.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.log").toFile())
              .start();
      Map<String, String> up = new TreeMap<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        up.clear();
        try {
          for (JsonNode r : query(port, "up").path("data").path("result")) {
            up.put(r.path("metric").path("job").asText(), r.path("value").get(1).asText());
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        if (up.size() == jobs.size() && !up.containsValue("0")) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(up)
          .as("up per job (%s)", Files.readString(dir.resolve("server.log")).lines().count())
          .containsOnlyKeys(jobs.keySet())
          .allSatisfy((job, value) -> assertThat(value).as(job).isEqualTo("1"));
      assertThat(query(port, "faultline_agent_active_attacks").at("/data/result").size()).isOne();
      assertThat(query(port, "kafka_consumer_fetch_manager_records_lag_max").at("/data/result"))
          .isNotEmpty();
      assertThat(query(port, "jvm_threads_current").at("/data/result").size()).isEqualTo(3);
    } finally {
      if (server != null) {
        server.destroy();
      }
    }
  }

  private static JsonNode query(int port, String promql) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/api/v1/query?query="
                                + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }
}
