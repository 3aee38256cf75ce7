package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The analyzer against a real in-process broker, with exactly-once on. */
class AnalyzerIT {

  @Test
  void verdictFlipsForAnInjectedLatencyShiftAndPoisonGoesToDlq() throws Exception {
    String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
    AnalyzerConfig config =
        AnalyzerConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                TestBroker.bootstrapServers(),
                "topics.prefix",
                prefix,
                "analyzer.application.id",
                prefix + "analyzer",
                "analyzer.state.dir",
                Files.createTempDirectory("analyzer-it").toString()));
    try (KafkaStreams streams = AnalyzerApp.start(config);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
      AvroSerde<MetricSample> serde = AvroSerde.of(MetricSample.class);
      String key = Topics.metricKey("exp-it", "http.latency.ms");
      Random random = new Random(5);
      long t0 = (System.currentTimeMillis() / 5000) * 5000 - 120_000;
      producer.send(new ProducerRecord<>(topics.metrics().name(), key, "garbage".getBytes()));
      for (int w = 0; w < 12; w++) {
        double experimental = w >= 4 && w < 7 ? 50 : 20; // shift in windows 4..6
        for (int i = 0; i < 40; i++) {
          long ts = t0 + w * 5000L + i * 120L;
          for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
            double mean = g == Group.CONTROL ? 20 : experimental;
            MetricSample s =
                MetricSample.newBuilder()
                    .setExperimentId("exp-it")
                    .setMetric("http.latency.ms")
                    .setGroup(g)
                    .setTarget(g.name().toLowerCase())
                    .setTimestamp(ts)
                    .setValue(mean * (1 + 0.1 * random.nextGaussian()))
                    .build();
            producer.send(
                new ProducerRecord<>(topics.metrics().name(), null, ts, key, serde.encode(s)));
          }
        }
      }
      producer.flush();

      List<WindowVerdict> verdicts = new ArrayList<>();
      List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
      AvroSerde<WindowVerdict> verdictSerde = AvroSerde.of(WindowVerdict.class);
      try (var consumer = consumer();
          var dlqConsumer = dlqConsumer()) {
        consumer.subscribe(List.of(topics.steadyState().name()));
        dlqConsumer.subscribe(List.of(topics.dlq().name()));
        long deadline = System.currentTimeMillis() + 60_000;
        while ((verdicts.size() < 11 || dead.isEmpty()) && System.currentTimeMillis() < deadline) {
          consumer
              .poll(Duration.ofMillis(200))
              .forEach(r -> verdicts.add(verdictSerde.decode(r.value())));
          dlqConsumer.poll(Duration.ofMillis(10)).forEach(dead::add);
        }
      }
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      verdicts.sort((a, b) -> Long.compare(a.getWindowStart(), b.getWindowStart()));
      assertThat(verdicts)
          .extracting(WindowVerdict::getState)
          .containsExactly(
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.DEVIATING,
              SteadyState.DEVIATING,
              SteadyState.DEVIATING,
              SteadyState.STEADY,
              SteadyState.STEADY,
              SteadyState.STEADY,
              SteadyState.STEADY);
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
      assertThat(
              new String(
                  dead.get(0).headers().lastHeader(DeadLetters.REASON).value(),
                  StandardCharsets.UTF_8))
          .contains("MetricSample");
    }
  }

  private static KafkaConsumer<String, byte[]> consumer() {
    return new KafkaConsumer<>(
        Map.<String, Object>of(
            "bootstrap.servers",
            TestBroker.bootstrapServers(),
            "group.id",
            "it-" + UUID.randomUUID(),
            "auto.offset.reset",
            "earliest",
            "isolation.level",
            "read_committed"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static KafkaConsumer<byte[], byte[]> dlqConsumer() {
    return new KafkaConsumer<>(
        Map.<String, Object>of(
            "bootstrap.servers",
            TestBroker.bootstrapServers(),
            "group.id",
            "it-" + UUID.randomUUID(),
            "auto.offset.reset",
            "earliest",
            "isolation.level",
            "read_committed"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
