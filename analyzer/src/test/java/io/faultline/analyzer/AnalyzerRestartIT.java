package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.Scrape;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The analyzer is stopped while an alert is firing and restarted with an empty state directory (so
 * it restores its stores from the changelogs): the alert still fires once and resolves once. The
 * second instance serves /metrics over HTTP and pushes both alerts to a mock Alertmanager.
 */
@Tag("side-by-side")
class AnalyzerRestartIT {

  @Test
  void anAlertFiresOnceAndResolvesOnceAcrossARestart() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("rs"));
    List<String> pushed = new CopyOnWriteArrayList<>();
    HttpServer alertmanager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    alertmanager.createContext(
        "/api/v2/alerts",
        exchange -> {
          pushed.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    alertmanager.start();
    long t0 = (System.currentTimeMillis() / 5000) * 5000 - 600_000;
    try (var producer = LatencySamples.producer();
        var alertsTopic = TopicFollower.startCommitted(topics.alerts())) {
      AnalyzerApp.Running first =
          AnalyzerApp.run(
              AnalyzerConfig.fromMap(
                  AnalyzerSettings.forTestBroker(topics).sessionAtBrokerMinimum().toMap()));
      try {
        // deviates from window 4
        LatencySamples.send(producer, topics, "exp-rs", t0, 0, 7, w -> w >= 4 ? 60.0 : 20.0);
        alertsTopic.awaitAtLeast(1, a -> true, Duration.ofSeconds(90));
      } finally {
        first.close();
      }

      AnalyzerApp.Running second =
          AnalyzerApp.run(
              AnalyzerConfig.fromMap(
                  // it joins the closed one's group: 6 s of session to wait, not 45 s
                  AnalyzerSettings.forTestBroker(topics)
                      .sessionAtBrokerMinimum()
                      .set("analyzer.metrics.port", "0")
                      .set(
                          "analyzer.alertmanager.url",
                          "http://127.0.0.1:" + alertmanager.getAddress().getPort())
                      .toMap()));
      try {
        // steady from window 9
        LatencySamples.send(producer, topics, "exp-rs", t0, 7, 14, w -> w < 9 ? 60.0 : 20.0);
        alertsTopic.awaitAtLeast(2, a -> true, Duration.ofSeconds(90));
        Thread.sleep(3000); // a duplicate would arrive within a few commit intervals
        List<Alert> alerts = alertsTopic.values();
        assertThat(alerts)
            .extracting(Alert::getStatus)
            .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(alerts.get(0).getAlertId()).isEqualTo(alerts.get(1).getAlertId());

        Scrape scrape = Scrape.of("http://127.0.0.1:" + second.metricsServer().port() + "/metrics");
        assertThat(scrape.text())
            .contains("# TYPE faultline_state gauge")
            .contains("faultline_window_mean{experiment=\"exp-rs\",group=\"control\"");
        assertThat(scrape.value("faultline_alert_resolve_seconds_count", "exp-rs")).isEqualTo(1.0);
        // the Streams clients' own metrics: consumer lag, processing, request latency; the JVM's
        assertThat(scrape.has("kafka_consumer_fetch_manager_records_lag_max")).isTrue();
        assertThat(scrape.has("kafka_stream_thread_process_rate")).isTrue();
        assertThat(scrape.has("kafka_producer_request_latency_avg")).isTrue();
        assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
        assertThat(scrape.promtoolProblems()).isIn(null, "");

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (String.join("", pushed).split("endsAt").length < 2 && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        String all = String.join("\n", pushed);
        assertThat(all).contains("\"experiment\":\"exp-rs\"").contains("\"endsAt\"");
      } finally {
        second.close();
        alertmanager.stop(0);
      }
    }
  }
}
