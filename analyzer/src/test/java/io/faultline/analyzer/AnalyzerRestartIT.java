package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.testsupport.Scrape;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The analyzer is stopped while an alert is firing and restarted with an empty state directory (so
 * it restores its stores from the changelogs): the alert still fires once and resolves once. The
 * second instance serves /metrics over HTTP and pushes both alerts to a mock Alertmanager.
 */
class AnalyzerRestartIT {

  @Test
  void anAlertFiresOnceAndResolvesOnceAcrossARestart() throws Exception {
    String prefix = "rs-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
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
    String key = Topics.metricKey("exp-rs", "http.latency.ms");
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      AnalyzerApp.Running first = AnalyzerApp.run(config(prefix, null, null));
      try {
        send(producer, topics, key, t0, 0, 7, w -> w >= 4 ? 60.0 : 20.0); // deviates from window 4
        awaitAlerts(topics, 1, Duration.ofSeconds(90));
      } finally {
        first.close();
      }

      AnalyzerApp.Running second =
          AnalyzerApp.run(
              config(prefix, "0", "http://127.0.0.1:" + alertmanager.getAddress().getPort()));
      try {
        send(producer, topics, key, t0, 7, 14, w -> w < 9 ? 60.0 : 20.0); // steady from window 9
        List<Alert> alerts = awaitAlerts(topics, 2, Duration.ofSeconds(90));
        Thread.sleep(3000); // a duplicate would arrive within a few commit intervals
        alerts = awaitAlerts(topics, 2, Duration.ofSeconds(5));
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

  private static AnalyzerConfig config(String prefix, String metricsPort, String alertmanager)
      throws Exception {
    Map<String, String> map = new java.util.HashMap<>();
    map.put("bootstrap.servers", TestBroker.bootstrapServers());
    map.put("topics.prefix", prefix);
    map.put("analyzer.application.id", prefix + "analyzer");
    map.put("analyzer.state.dir", Files.createTempDirectory("analyzer-rs").toString());
    if (metricsPort != null) {
      map.put("analyzer.metrics.port", metricsPort);
    }
    if (alertmanager != null) {
      map.put("analyzer.alertmanager.url", alertmanager);
    }
    return AnalyzerConfig.fromMap(map);
  }

  interface Mean {
    double of(int window);
  }

  private static void send(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String key,
      long t0,
      int from,
      int to,
      Mean mean) {
    AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
    Random random = new Random(from);
    for (int w = from; w < to; w++) {
      for (int i = 0; i < 40; i++) {
        long ts = t0 + w * 5000L + i * 120L;
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          double m = g == Group.CONTROL ? 20 : mean.of(w);
          MetricSample s =
              MetricSample.newBuilder()
                  .setExperimentId("exp-rs")
                  .setMetric("http.latency.ms")
                  .setGroup(g)
                  .setTarget(g.name())
                  .setTimestamp(ts)
                  .setValue(m * (1 + 0.1 * random.nextGaussian()))
                  .build();
          producer.send(
              new ProducerRecord<>(topics.metrics().name(), null, ts, key, serde.encode(s)));
        }
      }
    }
    producer.flush();
  }

  /** Reads the alerts topic from the start until at least n alerts, or the timeout. */
  private static List<Alert> awaitAlerts(Topics topics, int n, Duration timeout) {
    AvroSerde<Alert> serde = AvroSerde.of(Alert.class);
    List<Alert> alerts = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                TestBroker.bootstrapServers(),
                "group.id",
                "rs-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest",
                "isolation.level",
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.alerts().name()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && alerts.size() < n) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> alerts.add(serde.decode(r.value())));
      }
      // anything more already there (a duplicate) is read too
      consumer.poll(Duration.ofMillis(500)).forEach(r -> alerts.add(serde.decode(r.value())));
    }
    assertThat(alerts).as("alerts on %s", topics.alerts().name()).hasSizeGreaterThanOrEqualTo(n);
    return alerts;
  }
}
