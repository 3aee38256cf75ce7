package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `faultline history` reads the compacted history topic of a real broker: last value per key. */
@Tag("side-by-side")
class HistoryCommandIT {

  @Test
  void printsTheLatestFiguresPerWeekOfOneService() throws Exception {
    String prefix = "history-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 1);
    Map<String, Object> conf = Map.of("bootstrap.servers", TestBroker.bootstrapServers());
    try (Admin admin = Admin.create(conf)) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    var serde = topics.history().valueSerde().serializer();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(conf, new StringSerializer(), new ByteArraySerializer())) {
      String topic = topics.history().name();
      producer.send(
          new ProducerRecord<>(topic, "scale|2026-W45", bytes(serde, "scale", "2026-W45", 1, 1)));
      // a later figure of the same week replaces it; another service's week is filtered out
      producer.send(
          new ProducerRecord<>(topic, "scale|2026-W45", bytes(serde, "scale", "2026-W45", 2, 1)));
      producer.send(
          new ProducerRecord<>(topic, "scale|2026-W46", bytes(serde, "scale", "2026-W46", 3, 3)));
      producer.send(
          new ProducerRecord<>(topic, "scale|2026-W44", bytes(serde, "scale", "2026-W44", 1, 0)));
      producer.send(new ProducerRecord<>(topic, "scale|2026-W44", null)); // emptied: a tombstone
      producer.send(
          new ProducerRecord<>(topic, "search|2026-W46", bytes(serde, "search", "2026-W46", 9, 9)));
      producer.flush();
    }

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    HistoryCommand command = new HistoryCommand();
    command.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    int exit =
        new CommandLine(command)
            .execute(
                "--bootstrap-server",
                TestBroker.bootstrapServers(),
                "--topics-prefix",
                prefix,
                "--service",
                "scale",
                "--output",
                "json");

    assertThat(exit).as(printed.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode root = new ObjectMapper().readTree(printed.toString(StandardCharsets.UTF_8));
    assertThat(root).hasSize(1);
    JsonNode weeks = root.get(0).get("weeks");
    assertThat(weeks).hasSize(2);
    assertThat(weeks.get(0).get("week").asText()).isEqualTo("2026-W45");
    assertThat(weeks.get(0).get("experiments").asLong()).isEqualTo(2);
    assertThat(weeks.get(1).get("held").asLong()).isEqualTo(3);
    assertThat(weeks.get(1).get("trend").get("experiments").asText()).isEqualTo("↑");
  }

  private static byte[] bytes(
      org.apache.kafka.common.serialization.Serializer<ServiceHistory> serde,
      String service,
      String week,
      long runs,
      long held) {
    return serde.serialize(
        "history",
        ServiceHistory.newBuilder()
            .setService(service)
            .setWeek(week)
            .setExperiments(runs)
            .setHeld(held)
            .setNotHeld(runs - held)
            .setMttdMs(List.of())
            .build());
  }
}
