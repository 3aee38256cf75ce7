package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random and mutated records on attack.commands: the agent never crashes and never attacks,
 * answers every one with a REJECTED event, and the dlq holds every original record.
 */
class CommandFuzzIT {

  private static final int RECORDS = 10_000;

  private static AttackCommand valid(String id) {
    return AttackCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setExperimentId(id)
        .setType(CommandType.START)
        .setFault("pause-process")
        .setTarget(
            TargetSelector.newBuilder()
                .setNames(List.of("victim"))
                .setGroup(Group.EXPERIMENTAL)
                .build())
        .setDurationMs(2000L)
        .build();
  }

  /** A record that must be rejected, of one of seven kinds. */
  static byte[] poison(int i, Random r) {
    String id = "fuzz-" + i;
    String commandId = UUID.randomUUID().toString();
    switch (i % 7) {
      case 0 -> {
        byte[] bytes = new byte[r.nextInt(200)];
        r.nextBytes(bytes);
        if (bytes.length > 0 && bytes[0] == '{') {
          bytes[0] = 0;
        }
        return bytes;
      }
      case 1 -> {
        byte[] avro = AttackCommandCodec.toAvro(valid(id));
        return Arrays.copyOf(avro, 10 + r.nextInt(avro.length - 11)); // header kept, body cut
      }
      case 2 -> {
        String[] wrong = {
          "\"durationMs\":\"soon\"", "\"durationMs\":1.5", "\"target\":[1,2]", "\"dryRun\":\"yes\"",
          "\"parameters\":[\"x\"]", "\"type\":7", "\"issuedAt\":\"now\"",
              "\"target\":{\"names\":\"victim\"}"
        };
        return ("{\"commandId\":\""
                + commandId
                + "\",\"experimentId\":\""
                + id
                + "\",\"type\":\"START\","
                + "\"fault\":\"pause-process\",\"duration\":\"2s\","
                + wrong[r.nextInt(wrong.length)]
                + "}")
            .getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> {
        return ("{\"commandId\":\""
                + commandId
                + "\",\"experimentId\":\""
                + id
                + "\",\"type\":\"START\","
                + "\"fault\":\""
                + "x".repeat(5000 + r.nextInt(5000))
                + "\",\"duration\":\"2s\","
                + "\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"}}")
            .getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> {
        AttackCommand c = valid(id);
        c.setFault(List.of("melt", "cpu_burn", "", "KILL-PROCESS", "rm -rf /").get(r.nextInt(5)));
        return AttackCommandCodec.toAvro(c);
      }
      case 5 -> {
        AttackCommand c = valid(id);
        c.setDurationMs(
            List.of(-1L, 0L, 999L, Long.MAX_VALUE, Long.MIN_VALUE, 86_400_000L).get(r.nextInt(6)));
        return AttackCommandCodec.toAvro(c);
      }
      default -> {
        AttackCommand c = valid(id);
        if (r.nextBoolean()) {
          c.getTarget().setGroup(Group.CONTROL);
          c.getTarget().setNames(List.of());
          c.getTarget().setMode("all");
        } else {
          c.getTarget().setNames(List.of("victim", "bystander"));
        }
        return AttackCommandCodec.toAvro(c);
      }
    }
  }

  private static char processState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void tenThousandBadRecordsAreEachRejectedKeptAndNeverApplied() throws Exception {
    String prefix = "fuzz-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Process bystander = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createTempDirectory("fuzz-targets");
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    Files.writeString(
        targets.resolve("bystander.properties"),
        "name=bystander\ngroup=CONTROL\npid=" + bystander.pid() + "\n");
    Map<String, String> config =
        Map.of(
            "bootstrap.servers", TestBroker.bootstrapServers(),
            "topics.prefix", prefix,
            "agent.targets.dir", targets.toString());
    Random random = new Random(20261125);
    long began = System.currentTimeMillis();
    try (AttackAgent agent = AgentMain.start(AgentConfig.fromMap(config));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(
                    "bootstrap.servers",
                    TestBroker.bootstrapServers(),
                    "linger.ms",
                    "20",
                    "delivery.timeout.ms",
                    "45000"),
                new StringSerializer(),
                new ByteArraySerializer())) {
      AtomicInteger unsent = new AtomicInteger();
      for (int i = 0; i < RECORDS; i++) {
        producer.send(
            new ProducerRecord<>(topics.attackCommands().name(), "fuzz-" + i, poison(i, random)),
            (meta, e) -> {
              if (e != null) {
                unsent.incrementAndGet();
              }
            });
      }
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "after-fuzz",
                  AttackCommandCodec.toAvro(valid("after-fuzz"))))
          .get();
      producer.flush();
      assertThat(unsent.get()).as("records the test producer failed to send").isZero();

      Map<AttackEventType, Integer> byType = new HashMap<>();
      Set<String> rejected = new HashSet<>();
      Set<String> dead = new HashSet<>();
      boolean validStarted = false;
      AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
      try (var consumer =
          new KafkaConsumer<>(
              Map.<String, Object>of(
                  "bootstrap.servers",
                  TestBroker.bootstrapServers(),
                  "group.id",
                  "fuzz-" + UUID.randomUUID(),
                  "auto.offset.reset",
                  "earliest",
                  "max.partition.fetch.bytes",
                  10 * 1024 * 1024),
              new StringDeserializer(),
              new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.attackEvents().name(), topics.dlq().name()));
        long deadline = System.currentTimeMillis() + 120_000;
        while ((rejected.size() < RECORDS || dead.size() < RECORDS || !validStarted)
            && System.currentTimeMillis() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(topics.dlq().name())) {
              dead.add(r.key());
              continue;
            }
            AttackEvent e = serde.decode(r.value());
            if (e.getExperimentId().startsWith("fuzz-")) {
              byType.merge(e.getType(), 1, Integer::sum);
              if (e.getType() == AttackEventType.REJECTED) {
                assertThat(e.getReason()).as("reason of %s", e.getExperimentId()).isNotBlank();
                rejected.add(e.getExperimentId());
              }
            } else if (e.getExperimentId().equals("after-fuzz")
                && e.getType() == AttackEventType.STARTED) {
              validStarted = true;
            }
          }
        }
      }
      System.out.printf(
          "fuzz: %d records, %d rejected, %d in dlq, in %d ms%n",
          RECORDS, rejected.size(), dead.size(), System.currentTimeMillis() - began);
      assertThat(rejected).hasSize(RECORDS);
      assertThat(dead).hasSize(RECORDS);
      assertThat(byType).containsOnlyKeys(AttackEventType.REJECTED);
      assertThat(byType.get(AttackEventType.REJECTED)).isEqualTo(RECORDS);
      assertThat(validStarted).as("the agent still applies a valid command afterwards").isTrue();
      assertThat(bystander.isAlive()).isTrue();
      assertThat(processState(bystander.pid())).isNotEqualTo('T');
    } finally {
      victim.destroyForcibly();
      bystander.destroyForcibly();
    }
  }
}
