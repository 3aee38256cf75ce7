package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topic;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `faultline tail` decodes every faultline topic to JSON lines, against a real broker. */
@Tag("side-by-side")
class TailCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Topics topics;

  @BeforeAll
  static void writeOneRecordPerTopic() throws Exception {
    String prefix = "tail-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    topics = new Topics(prefix, 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", TestBroker.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      send(producer, topics.experiments(), Experiment.newBuilder().setExperimentId("e1").build());
      producer.send(
          new ProducerRecord<>(
              topics.attackCommands().name(),
              "e1".getBytes(StandardCharsets.UTF_8),
              AttackCommandCodec.toAvro(
                  AttackCommand.newBuilder()
                      .setCommandId("c1")
                      .setExperimentId("e1")
                      .setType(CommandType.HALT_ALL)
                      .setIssuedAt(1)
                      .setIssuedBy("test")
                      .build())));
      producer.send(
          new ProducerRecord<>(
              topics.attackCommands().name(),
              "e1".getBytes(StandardCharsets.UTF_8),
              "{\"commandId\":\"c2\",\"experimentId\":\"e1\",\"type\":\"HALT_ALL\"}"
                  .getBytes(StandardCharsets.UTF_8)));
      send(
          producer,
          topics.attackEvents(),
          AttackEvent.newBuilder()
              .setEventId("ev1")
              .setExperimentId("e1")
              .setAttackId("a1")
              .setType(AttackEventType.STARTED)
              .setFault("cpu-burn")
              .setTimestamp(5)
              .setAgentId("agent")
              .build());
      send(
          producer,
          topics.attackState(),
          AttackState.newBuilder()
              .setAttackId("a1")
              .setExperimentId("e1")
              .setAgentId("agent")
              .setFault("cpu-burn")
              .build());
      send(
          producer,
          topics.metrics(),
          MetricSample.newBuilder()
              .setExperimentId("e1")
              .setMetric("http.latency.ms")
              .setTimestamp(5)
              .setValue(Double.NaN)
              .build());
      GroupStatistics g = GroupStatistics.newBuilder().setCount(1).setMean(2).build();
      send(
          producer,
          topics.steadyState(),
          WindowVerdict.newBuilder()
              .setExperimentId("e1")
              .setMetric("http.latency.ms")
              .setWindowStart(0)
              .setWindowEnd(5000)
              .setControl(g)
              .setExperimental(g)
              .setState(SteadyState.STEADY)
              .build());
      send(
          producer,
          topics.alerts(),
          Alert.newBuilder()
              .setAlertId("al1")
              .setExperimentId("e1")
              .setMetric("http.latency.ms")
              .setStatus(AlertStatus.FIRING)
              .setSeverity("warning")
              .setReason("r")
              .setFiredAt(5000)
              .setTimestamp(5000)
              .build());
      send(
          producer,
          topics.results(),
          ExperimentResult.newBuilder()
              .setExperimentId("e1")
              .setVerdict(Verdict.DEVIATED)
              .setScore(100.0)
              .build());
      producer.send(
          new ProducerRecord<>(
              topics.dlq().name(), null, "not a command".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(topics.results().name(), "e0".getBytes(), null));
      producer.flush();
    }
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> void send(
      KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, V value) {
    producer.send(
        new ProducerRecord<>(
            topic.name(),
            "e1".getBytes(StandardCharsets.UTF_8),
            topic.valueSerde().serializer().serialize(topic.name(), value)));
  }

  private static List<JsonNode> tail(String topic, String... more) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TailCommand tail = new TailCommand();
    tail.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    String[] args =
        concat(
            new String[] {
              topic,
              "--bootstrap-server",
              TestBroker.bootstrapServers(),
              "--topics-prefix",
              topics.prefix()
            },
            more);
    assertThat(new CommandLine(tail).execute(args)).isZero();
    return bytes.toString(StandardCharsets.UTF_8).lines().map(TailCommandIT::parse).toList();
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void everyTopicDecodesToJsonLines() throws Exception {
    assertThat(tail("experiments").get(0).at("/value/experimentId").asText()).isEqualTo("e1");
    List<JsonNode> commands = tail("attack.commands");
    assertThat(commands)
        .extracting(c -> c.at("/value/commandId").asText())
        .containsExactly("c1", "c2");
    assertThat(commands.get(1).at("/value/type").asText()).isEqualTo("HALT_ALL");
    JsonNode event = tail(topics.attackEvents().name()).get(0);
    assertThat(event.get("key").asText()).isEqualTo("e1");
    assertThat(event.at("/value/type").asText()).isEqualTo("STARTED");
    assertThat(event.at("/value/fault").asText()).isEqualTo("cpu-burn");
    assertThat(tail("attack.state").get(0).at("/value/attackId").asText()).isEqualTo("a1");
    assertThat(tail("metrics").get(0).at("/value/value").asText()).isEqualTo("NaN");
    assertThat(tail("steadystate").get(0).at("/value/control/mean").asDouble()).isEqualTo(2.0);
    assertThat(tail("alerts").get(0).at("/value/status").asText()).isEqualTo("FIRING");
    List<JsonNode> results = tail("results");
    assertThat(results.get(0).at("/value/verdict").asText()).isEqualTo("DEVIATED");
    assertThat(results.get(0).at("/value/score").asDouble()).isEqualTo(100.0);
    assertThat(results.get(1).get("value").isNull()).as("a tombstone").isTrue();
    assertThat(tail("dlq").get(0).get("value").asText()).isEqualTo("not a command");
  }

  @Test
  void textOutputAndLimitsAndAnUnknownTopicIsNamed() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TailCommand tail = new TailCommand();
    tail.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertThat(
            new CommandLine(tail)
                .execute(
                    "attack.commands",
                    "--output",
                    "text",
                    "--max",
                    "1",
                    "--bootstrap-server",
                    TestBroker.bootstrapServers(),
                    "--topics-prefix",
                    topics.prefix()))
        .isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("0@0 e1 {").contains("\"commandId\":\"c1\""));
    assertThat(new CommandLine(new TailCommand()).execute("nope", "--bootstrap-server", "x:1"))
        .isEqualTo(2);
  }
}
