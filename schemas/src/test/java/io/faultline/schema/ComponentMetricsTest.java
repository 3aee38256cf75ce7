package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Gauge;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class ComponentMetricsTest {

  @Test
  void servesJvmAndKafkaClientMetricsInTheTextFormat() throws Exception {
    ComponentMetrics metrics = new ComponentMetrics();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", "127.0.0.1:1", "client.id", "probe"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      metrics.kafkaClient(producer::metrics);
      String text = metrics.scrape();
      assertThat(text)
          .contains("# TYPE jvm_memory_used_bytes gauge")
          .contains("kafka_producer_request_latency_avg{client_id=\"probe\"}")
          .contains("# TYPE kafka_producer_record_send_total counter")
          .contains("kafka_producer_record_send_total{client_id=\"probe\"} 0.0");
      assertThat(promtool(text)).isIn(null, "");
    }
  }

  @Test
  void labelValuesAreEscapedByTheClient() throws Exception {
    ComponentMetrics metrics = new ComponentMetrics();
    Gauge g =
        Gauge.builder()
            .name("faultline_probe")
            .help("a probe")
            .labelNames("experiment")
            .register(metrics.registry());
    g.labelValues("e\"1\\x\ny").set(1);
    assertThat(metrics.scrape()).contains("faultline_probe{experiment=\"e\\\"1\\\\x\\ny\"} 1.0");
  }

  @Test
  void familyNamesFollowKafkaGroupAndName() {
    assertThat(KafkaClientMetrics.familyName("consumer-fetch-manager-metrics", "records-lag-max"))
        .isEqualTo("kafka_consumer_fetch_manager_records_lag_max");
    assertThat(KafkaClientMetrics.familyName("stream-thread-metrics", "process-rate"))
        .isEqualTo("kafka_stream_thread_process_rate");
    assertThat(KafkaClientMetrics.familyName("producer-metrics", "io-wait-time-ns-avg"))
        .isEqualTo("kafka_producer_io_wait_time_seconds_avg");
    assertThat(KafkaClientMetrics.scale("io-wait-time-ns-avg")).isEqualTo(1e-9);
    assertThat(KafkaClientMetrics.familyName("producer-metrics", "connection-count"))
        .isEqualTo("kafka_producer_connection_number");
  }

  /** promtool's complaints, "" when clean, null when promtool (package prometheus) is absent. */
  static String promtool(String text) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      return null;
    }
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").start();
    try (var in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return (out + err).strip();
  }
}
