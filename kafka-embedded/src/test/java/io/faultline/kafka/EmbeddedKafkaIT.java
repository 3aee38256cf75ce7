package io.faultline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  @TempDir Path dir;

  @Test
  void keepsRecordsAcrossRestartInTheSameDataDirectory() throws Exception {
    Path data = dir.resolve("kafka");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(data, true)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
      }
      try (var producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", "k", "v")).get();
      }
    }
    assertThat(Files.exists(data.resolve("log/meta.properties"))).isTrue();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(data, false);
        var consumer =
            new KafkaConsumer<>(
                Map.<String, Object>of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "g",
                    "auto.offset.reset", "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
      consumer.subscribe(List.of("t"));
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      long deadline = System.currentTimeMillis() + 20_000;
      while (records.isEmpty() && System.currentTimeMillis() < deadline) {
        records = consumer.poll(Duration.ofMillis(200));
      }
      assertThat(records.count()).isEqualTo(1);
      assertThat(records.iterator().next().value()).isEqualTo("v");
    }
  }
}
