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
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.VictimProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
 * answers every one with a REJECTED event, and the dlq holds every original record. Then records of
 * the {@link HostileCommands} grammar, valid and hostile mixed, attackIds reused: each hostile one
 * is REJECTED and in the dlq, each valid one is applied (as exactly its command) or REJECTED and in
 * the dlq, and no attack id is applied twice.
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

  /**
   * An experimental victim and a control bystander, each a real process, and their target files.
   */
  private record Fleet(VictimProcess victim, VictimProcess bystander, Path targets) {
    static Fleet start(String dir) throws Exception {
      VictimProcess victim = VictimProcess.start();
      VictimProcess bystander = VictimProcess.start();
      Path targets =
          TargetFiles.create(dir)
              .write("victim", "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n")
              .write("bystander", "name=bystander\ngroup=CONTROL\npid=" + bystander.pid() + "\n")
              .dir();
      return new Fleet(victim, bystander, targets);
    }
  }

  private static char processState(long pid) {
    return VictimProcess.state(pid);
  }

  @Test
  void tenThousandBadRecordsAreEachRejectedKeptAndNeverApplied() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("fuzz"));
    Fleet fleet = Fleet.start("fuzz-targets");
    VictimProcess victim = fleet.victim();
    VictimProcess bystander = fleet.bystander();
    Path targets = fleet.targets();
    Map<String, String> config = AgentSettings.forTestBroker(topics, targets).toMap();
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
      victim.close();
      bystander.close();
    }
  }

  private static final int GRAMMAR_RECORDS = 400;

  @Test
  void grammarRecordsAreRejectedIntoTheDlqOrAppliedAsExactlyTheirOneCommand() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("gfuzz"));
    Fleet fleet = Fleet.start("gfuzz-targets");
    VictimProcess victim = fleet.victim();
    VictimProcess bystander = fleet.bystander();
    Path targets = fleet.targets();
    // valid commands the agent can apply: short pauses of the victim, attack ids from a small pool
    Arbitrary<AttackCommand> pauses =
        Combinators.combine(
                Arbitraries.of("g-1", "g-2", "g-3").injectNull(0.3),
                Arbitraries.longs().between(1000, 2000),
                Arbitraries.of(Group.EXPERIMENTAL, Group.EXPERIMENTAL, Group.CONTROL))
            .as(
                (attackId, ms, group) ->
                    AttackCommand.newBuilder()
                        .setCommandId(UUID.randomUUID().toString())
                        .setExperimentId("gfuzz")
                        .setType(CommandType.START)
                        .setAttackId(attackId)
                        .setFault("pause-process")
                        .setTarget(
                            TargetSelector.newBuilder()
                                .setNames(List.of(group == Group.CONTROL ? "bystander" : "victim"))
                                .setGroup(Group.EXPERIMENTAL)
                                .build())
                        .setDurationMs(ms)
                        .build());
    List<HostileCommands.Case> cases =
        HostileCommands.cases(pauses).sampleStream().limit(GRAMMAR_RECORDS).toList();
    Map<String, String> config = AgentSettings.forTestBroker(topics, targets).toMap();
    try (AttackAgent agent = AgentMain.start(AgentConfig.fromMap(config));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(
                    "bootstrap.servers", TestBroker.bootstrapServers(), "linger.ms", "5"),
                new StringSerializer(),
                new ByteArraySerializer())) {
      Map<String, HostileCommands.Case> byKey = new HashMap<>();
      Map<String, String> keyOfCommand = new HashMap<>();
      for (int i = 0; i < cases.size(); i++) {
        String key = "gfuzz-" + i;
        HostileCommands.Case c = cases.get(i);
        byKey.put(key, c);
        if (c.expected() != null) {
          keyOfCommand.put(c.expected().getCommandId(), key);
        }
        producer.send(new ProducerRecord<>(topics.attackCommands().name(), key, c.bytes())).get();
      }
      Set<String> hostile = new HashSet<>(byKey.keySet());
      hostile.removeAll(keyOfCommand.values());

      Set<String> rejectedKeys = new HashSet<>();
      Set<String> dead = new HashSet<>();
      Set<String> answered = new HashSet<>(); // commandIds with STARTED or REJECTED
      List<AttackEvent> applied = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
      try (var consumer =
          new KafkaConsumer<>(
              TestBroker.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.attackEvents().name(), topics.dlq().name()));
        long deadline = System.currentTimeMillis() + 120_000;
        while ((!rejectedKeys.containsAll(hostile) || answered.size() < keyOfCommand.size())
            && System.currentTimeMillis() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(topics.dlq().name())) {
              dead.add(r.key());
              continue;
            }
            AttackEvent e = serde.decode(r.value());
            String command = e.getCommandId();
            switch (e.getType()) {
              case REJECTED -> {
                if (command == null) {
                  rejectedKeys.add(e.getExperimentId());
                } else {
                  answered.add(command);
                  rejectedKeys.add(keyOfCommand.getOrDefault(command, "unknown " + command));
                }
              }
              case ACCEPTED, STARTED -> {
                if (!keyOfCommand.containsKey(command)) {
                  violations.add("applied a record that is not one valid command: " + e);
                }
                if (e.getType() == AttackEventType.STARTED) {
                  answered.add(command);
                  applied.add(e);
                  AttackCommand sent = byKey.get(keyOfCommand.get(command)).expected();
                  if (sent.getAttackId() != null && !sent.getAttackId().equals(e.getAttackId())) {
                    violations.add("applied as another attack id than it named: " + e);
                  }
                }
              }
              default -> {}
            }
          }
        }
        // the dlq records of the last rejections
        long settle = System.currentTimeMillis() + 5000;
        while (!dead.containsAll(rejectedKeys) && System.currentTimeMillis() < settle) {
          consumer
              .poll(Duration.ofMillis(200))
              .forEach(
                  r -> {
                    if (r.topic().equals(topics.dlq().name())) {
                      dead.add(r.key());
                    }
                  });
        }
      }
      System.out.printf(
          "grammar fuzz: %d records (%d hostile), %d rejected, %d applied, %d in dlq%n",
          cases.size(), hostile.size(), rejectedKeys.size(), applied.size(), dead.size());
      assertThat(violations).isEmpty();
      assertThat(rejectedKeys).as("every hostile record is REJECTED").containsAll(hostile);
      assertThat(answered)
          .as("every valid one is applied or REJECTED")
          .hasSize(keyOfCommand.size());
      assertThat(dead).as("every REJECTED record is in the dlq").containsAll(rejectedKeys);
      List<String> ids = applied.stream().map(AttackEvent::getAttackId).toList();
      assertThat(ids).as("no attack id applied twice").doesNotHaveDuplicates();
      assertThat(agent.failedSends()).isZero();
      assertThat(bystander.isAlive()).isTrue();
      assertThat(processState(bystander.pid())).isNotEqualTo('T');
    } finally {
      victim.close();
      bystander.close();
    }
  }
}
