package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.CommandType;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent's intake against a real broker: a reused attackId is refused and never takes over the
 * first attack (issue 23's scenario), and records at and above the broker's size limit each leave a
 * REJECTED event and a dlq record saying where the whole record is.
 */
@Tag("side-by-side")
class CommandIntakeIT {

  private static Topics topics;
  private static TargetFiles targets;
  private static AttackAgent agent;
  private static VictimProcess victim1;
  private static VictimProcess victim2;
  private static KafkaProducer<String, byte[]> producer;

  /** The dlq topic's max.message.bytes: the broker's message.max.bytes unless overridden. */
  private static int limit;

  private static TopicFollower<String, AttackEvent> events;
  private static TopicFollower<byte[], byte[]> dead;
  private static TopicFollower<String, AttackState> states;

  @BeforeAll
  static void start() throws Exception {
    topics = TestTopics.provision(TestTopics.prefix("intake"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, topics.dlq().name());
      limit =
          Integer.parseInt(
              admin
                  .describeConfigs(List.of(dlq))
                  .all()
                  .get()
                  .get(dlq)
                  .get("max.message.bytes")
                  .value());
      // the commands topic takes records the dlq topic could not hold whole
      ConfigResource commands =
          new ConfigResource(ConfigResource.Type.TOPIC, topics.attackCommands().name());
      admin
          .incrementalAlterConfigs(
              Map.of(
                  commands,
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("max.message.bytes", Integer.toString(8 * limit)),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get();
    }
    targets = TargetFiles.create("intake-it-targets");
    victim1 = VictimProcess.start();
    victim2 = VictimProcess.start();
    targets.process("victim1", "EXPERIMENTAL", victim1.pid());
    targets.process("victim2", "EXPERIMENTAL", victim2.pid());
    agent =
        AgentMain.start(
            AgentConfig.fromMap(
                AgentSettings.forTestBroker(topics, "agent-intake-it", targets.dir())
                    .set("agent.max.blast.radius.percent", "100")
                    .toMap()));
    producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers",
                TestBroker.bootstrapServers(),
                "max.request.size",
                Integer.toString(8 * limit)),
            new StringSerializer(),
            new ByteArraySerializer());
    events = TopicFollower.start(topics.attackEvents());
    dead = TopicFollower.start(topics.dlq());
    states = TopicFollower.start(topics.attackState());
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    events.close();
    dead.close();
    states.close();
    producer.close();
    victim1.close();
    victim2.close();
  }

  private static long send(String key, byte[] value) throws Exception {
    return producer
        .send(new ProducerRecord<>(topics.attackCommands().name(), key, value))
        .get()
        .offset();
  }

  private static AttackEvent await(Predicate<AttackEvent> match, Duration limit) throws Exception {
    return events.await(match, limit);
  }

  private static ConsumerRecord<byte[], byte[]> awaitDead(String key, Duration limit)
      throws Exception {
    return dead.awaitRecord(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)), limit);
  }

  private static char processState(long pid) {
    return VictimProcess.state(pid);
  }

  private static byte[] pause(String experiment, String target, String attackId, String ms) {
    return ("{\"commandId\":\""
            + UUID.randomUUID()
            + "\",\"experimentId\":\""
            + experiment
            + "\",\"type\":\"START\",\"attackId\":\""
            + attackId
            + "\",\"fault\":\"pause-process\",\"durationMs\":"
            + ms
            + ",\"target\":{\"names\":[\""
            + target
            + "\"],\"group\":\"EXPERIMENTAL\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aReusedAttackIdIsRejectedAndTheFirstVictimIsResumedAtExpiry() throws Exception {
    send("dup-e1", pause("dup-e1", "victim1", "dup-1", "4000"));
    AttackEvent started =
        await(
            e -> e.getExperimentId().equals("dup-e1") && e.getType() == AttackEventType.STARTED,
            Duration.ofSeconds(10));
    assertThat(started.getAttackId()).isEqualTo("dup-1");
    assertThat(processState(victim1.pid())).isEqualTo('T');

    send("dup-e2", pause("dup-e2", "victim2", "dup-1", "4000"));
    AttackEvent rejected =
        await(
            e -> e.getExperimentId().equals("dup-e2") && e.getType() == AttackEventType.REJECTED,
            Duration.ofSeconds(10));
    assertThat(rejected.getReason()).startsWith("attackId: already active: 'dup-1' on this agent");
    assertThat(processState(victim2.pid())).isNotEqualTo('T');
    assertThat(agent.activeAttacks()).containsExactly("dup-1");

    AttackEvent rolledBack =
        await(
            e -> "dup-1".equals(e.getAttackId()) && e.getType() == AttackEventType.ROLLED_BACK,
            Duration.ofSeconds(10));
    assertThat(rolledBack.getTargets()).singleElement().asString().contains("victim1");
    Thread.sleep(200);
    assertThat(processState(victim1.pid())).isNotEqualTo('T');
    assertThat(processState(victim2.pid())).isNotEqualTo('T');

    // once ended, the id stays taken: a late tombstone can never delete a newer attack's record
    send("dup-e3", pause("dup-e3", "victim2", "dup-1", "2000"));
    assertThat(
            await(
                    e ->
                        e.getExperimentId().equals("dup-e3")
                            && e.getType() == AttackEventType.REJECTED,
                    Duration.ofSeconds(10))
                .getReason())
        .contains("'dup-1' was an attack of this agent that has ended");

    // one attack.state history for the id: its record, then its tombstone
    long deadline = System.currentTimeMillis() + 10_000;
    while (states.records().stream().noneMatch(r -> "dup-1".equals(r.key()) && r.value() == null)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    List<ConsumerRecord<String, AttackState>> history =
        states.records().stream().filter(r -> "dup-1".equals(r.key())).toList();
    List<String> commandIds = new ArrayList<>();
    for (var r : history) {
      if (r.value() != null) {
        commandIds.add(r.value().getCommandId());
      }
    }
    assertThat(commandIds).isNotEmpty().containsOnly(started.getCommandId());
    assertThat(history.get(history.size() - 1).value())
        .as("the last record of dup-1 is its tombstone")
        .isNull();
  }

  @Test
  void recordsAtAndAboveTheBrokersLimitEachLeaveADlqRecordSayingWhereTheWholeOneIs()
      throws Exception {
    Map<String, byte[]> records = new LinkedHashMap<>();
    records.put("size-600k-name", startNaming("n".repeat(614_400)));
    records.put("size-at-limit", padded(limit));
    records.put("size-above-limit", padded(limit + 1));
    records.put("size-3x-limit", padded(3 * limit));
    AttackCommand avro = command("a");
    avro.setParameters(Map.of("dir", "/".repeat(limit + 1000)));
    records.put("size-avro-above-limit", AttackCommandCodec.toAvro(avro));

    Map<String, Long> offsets = new LinkedHashMap<>();
    for (var e : records.entrySet()) {
      offsets.put(e.getKey(), send(e.getKey(), e.getValue()));
    }
    for (var e : records.entrySet()) {
      String key = e.getKey();
      byte[] original = e.getValue();
      AttackEvent rejected =
          await(
              ev -> ev.getExperimentId().equals(key) && ev.getType() == AttackEventType.REJECTED,
              Duration.ofSeconds(20));
      assertThat(rejected.getReason()).hasSizeLessThanOrEqualTo(DeadLetters.MAX_REASON_CHARS);
      ConsumerRecord<byte[], byte[]> letter = awaitDead(key, Duration.ofSeconds(20));
      var h = letter.headers();
      System.out.printf(
          "dlq: %s of %d bytes (limit %d) -> %d bytes, reason: %s%n",
          key,
          original.length,
          limit,
          letter.value().length,
          DeadLetters.header(h, DeadLetters.REASON));
      assertThat(DeadLetters.header(h, DeadLetters.ORIGINAL_SIZE))
          .isEqualTo(Integer.toString(original.length));
      assertThat(DeadLetters.header(h, DeadLetters.SOURCE_TOPIC))
          .isEqualTo(topics.attackCommands().name());
      assertThat(DeadLetters.header(h, DeadLetters.SOURCE_OFFSET))
          .isEqualTo(Long.toString(offsets.get(key)));
      assertThat(DeadLetters.header(h, DeadLetters.SOURCE_PARTITION)).isNotNull();
      assertThat(DeadLetters.header(h, DeadLetters.REASON)).isEqualTo(rejected.getReason());
      assertThat(letter.value())
          .hasSize(Math.min(original.length, DeadLetters.MAX_VALUE_BYTES))
          .isEqualTo(Arrays.copyOf(original, letter.value().length));
    }
    assertThat(
            await(
                    ev ->
                        ev.getExperimentId().equals("size-600k-name")
                            && ev.getType() == AttackEventType.REJECTED,
                    Duration.ofSeconds(1))
                .getReason())
        .isEqualTo("target.names[0]: 614400 characters, at most 317");
    assertThat(agent.failedSends()).as("sends the agent could not make").isZero();
  }

  @Test
  void aDlqSendThatFailsIsCountedAndTheAgentGoesOn() throws Exception {
    Topics small = TestTopics.provision(TestTopics.prefix("intake-small"));
    // a producer limit below the dlq's 512 KiB cut: the dlq send of a big record fails
    try (AttackAgent tight =
        AgentMain.start(
            AgentConfig.fromMap(
                AgentSettings.forTestBroker(small, "agent-intake-tight", targets.dir())
                    .set("kafka.max.request.size", "65536")
                    .toMap()))) {
      producer
          .send(
              new ProducerRecord<>(
                  small.attackCommands().name(), "too-big", startNaming("n".repeat(200_000))))
          .get();
      producer
          .send(
              new ProducerRecord<>(
                  small.attackCommands().name(), "small", startNaming("x".repeat(400))))
          .get();
      long deadline = System.currentTimeMillis() + 20_000;
      while (tight.failedSends() < 1 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(tight.failedSends()).as("the dlq send of the 200 KB record").isEqualTo(1);
      // the next bad record is still rejected and dead-lettered
      try (var consumer =
          new KafkaConsumer<>(
              TestBroker.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(small.dlq().name()));
        List<String> keys = new ArrayList<>();
        deadline = System.currentTimeMillis() + 20_000;
        while (!keys.contains("small") && System.currentTimeMillis() < deadline) {
          consumer.poll(Duration.ofMillis(100)).forEach(r -> keys.add(r.key()));
        }
        assertThat(keys).containsExactly("small");
      }
      assertThat(tight.failedSends()).isEqualTo(1);
    }
  }

  private static AttackCommand command(String name) {
    return AttackCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setExperimentId("size")
        .setType(CommandType.START)
        .setFault("pause-process")
        .setTarget(
            TargetSelector.newBuilder()
                .setNames(List.of(name))
                .setGroup(Group.EXPERIMENTAL)
                .build())
        .setDurationMs(2000L)
        .build();
  }

  private static byte[] startNaming(String name) {
    return ("{\"commandId\":\""
            + UUID.randomUUID()
            + "\",\"experimentId\":\"size\",\"type\":\"START\",\"fault\":\"pause-process\","
            + "\"durationMs\":2000,\"target\":{\"names\":[\""
            + name
            + "\"],\"group\":\"EXPERIMENTAL\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A JSON command of exactly {@code size} bytes, its target name padded. */
  private static byte[] padded(int size) {
    int overhead = startNaming("").length;
    return startNaming("n".repeat(size - overhead));
  }
}
