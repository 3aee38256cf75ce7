package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back (same ports, same data): the agent's dead-man's switch
 * recovers by itself and reports it once Kafka is back; commands published across a restart are
 * each handled exactly once.
 */
class BrokerOutageIT {

  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);

  private static AttackCommand start(String experiment, String commandId, long ms, boolean dry) {
    return AttackCommand.newBuilder()
        .setCommandId(commandId)
        .setExperimentId(experiment)
        .setType(CommandType.START)
        .setFault("pause-process")
        .setTarget(
            TargetSelector.newBuilder()
                .setNames(List.of("victim"))
                .setGroup(Group.EXPERIMENTAL)
                .build())
        .setDurationMs(ms)
        .setDryRun(dry)
        .setIssuedAt(System.currentTimeMillis())
        .build();
  }

  private static Path targets(Process victim) throws Exception {
    Path dir = Files.createTempDirectory("outage-targets");
    Files.writeString(
        dir.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    return dir;
  }

  /** An agent on {@code kafka} whose one target is {@code victim}, with these key-value pairs. */
  private static AttackAgent agent(EmbeddedKafka kafka, Process victim, String... settings)
      throws Exception {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", kafka.bootstrapServers());
    config.put("agent.targets.dir", targets(victim).toString());
    for (int i = 0; i < settings.length; i += 2) {
      config.put(settings[i], settings[i + 1]);
    }
    return AgentMain.start(AgentConfig.fromMap(config));
  }

  private static char processState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(
        Map.<String, Object>of(
            "bootstrap.servers", kafka.bootstrapServers(),
            "delivery.timeout.ms", "120000",
            "request.timeout.ms", "5000",
            "max.block.ms", "120000"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Every event on attack.events, read until {@code done} holds or the limit passes. */
  private static List<AttackEvent> events(
      EmbeddedKafka kafka,
      Topics topics,
      java.util.function.Predicate<List<AttackEvent>> done,
      Duration limit) {
    List<AttackEvent> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "group.id",
                "outage-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.attackEvents().name()));
      long deadline = System.currentTimeMillis() + limit.toMillis();
      while (System.currentTimeMillis() < deadline && !done.test(out)) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(EVENTS.decode(r.value())));
      }
    }
    return out;
  }

  @Test
  void deadMansSwitchRecoversAloneAndReportsItWhenKafkaIsBack() throws Exception {
    Process victim = new ProcessBuilder("sleep", "300").start();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    Topics topics = new Topics("faultline.", 3);
    AttackAgent agent = agent(kafka, victim, "agent.lease", "3s");
    try (var producer = producer(kafka)) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "dms",
                  AttackCommandCodec.toAvro(
                      start("dms", UUID.randomUUID().toString(), 120_000, false))))
          .get();
      long deadline = System.currentTimeMillis() + 30_000;
      while (processState(victim.pid()) != 'T' && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(processState(victim.pid())).as("victim paused by the attack").isEqualTo('T');

      long lost = System.currentTimeMillis();
      kafka.stop();
      while (processState(victim.pid()) == 'T' && System.currentTimeMillis() - lost < 30_000) {
        Thread.sleep(100);
      }
      long recoveredAfter = System.currentTimeMillis() - lost;
      System.out.println("dead-man's switch resumed the victim " + recoveredAfter + " ms after");
      assertThat(processState(victim.pid())).as("resumed without Kafka").isNotEqualTo('T');
      assertThat(agent.activeAttacks()).isEmpty();

      kafka.restart();
      List<AttackEvent> events =
          events(
              kafka,
              topics,
              es -> es.stream().anyMatch(e -> e.getType() == AttackEventType.ROLLED_BACK),
              Duration.ofSeconds(60));
      assertThat(events)
          .as("the recovery made while Kafka was away is on attack.events once it is back")
          .anyMatch(
              e -> e.getType() == AttackEventType.ROLLED_BACK && e.getExperimentId().equals("dms"));
    } finally {
      agent.close();
      kafka.close();
      victim.destroyForcibly();
    }
  }

  /**
   * Two attacks of different kinds on one target whose durations end while the broker is away, the
   * lease far off: each fault ends at its own expiresAt, by the agent's timer and without Kafka,
   * not at the dead-man's switch; once Kafka is back each has one ROLLED_BACK saying "duration
   * elapsed". (SafetyIT and deadMansSwitchRecoversAloneAndReportsItWhenKafkaIsBack end attacks by
   * the lease; FaultMatrixIT's attacks last 5 minutes.)
   */
  @Test
  void attacksWhoseDurationEndsDuringAnOutageEndAtTheirExpiryWithoutKafka() throws Exception {
    Process victim = new ProcessBuilder("sleep", "300").start();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    Topics topics = new Topics("faultline.", 3);
    Duration lease = Duration.ofSeconds(60);
    AttackAgent agent =
        agent(kafka, victim, "agent.lease", lease.toSeconds() + "s", "agent.max.concurrent", "2");
    long burner = -1;
    try (var producer = producer(kafka)) {
      AttackCommand pause = start("expiry", "expiry-pause", 4_000, false);
      AttackCommand burn = start("expiry", "expiry-burn", 5_000, false);
      burn.setFault("cpu-burn");
      burn.setParameters(Map.of("cores", "1", "percent", "10"));
      for (AttackCommand c : List.of(pause, burn)) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.attackCommands().name(), "expiry", AttackCommandCodec.toAvro(c)))
            .get();
      }
      List<AttackEvent> started =
          events(
              kafka,
              topics,
              es -> es.stream().filter(e -> e.getType() == AttackEventType.STARTED).count() == 2,
              Duration.ofSeconds(60));
      Map<String, Long> expiresAt = new HashMap<>();
      for (AttackEvent e : started) {
        if (e.getType() == AttackEventType.STARTED) {
          expiresAt.put(e.getFault(), Long.parseLong(e.getDetails().get("expiresAt")));
          var m =
              java.util.regex.Pattern.compile("burner pid=(\\d+)")
                  .matcher(String.join(" ", e.getTargets()));
          if (m.find()) {
            burner = Long.parseLong(m.group(1));
          }
        }
      }
      assertThat(expiresAt).as("both STARTED; events %s", started).hasSize(2);
      assertThat(burner).as("the burner's pid in STARTED").isPositive();
      assertThat(processState(victim.pid())).as("victim paused").isEqualTo('T');

      long lost = System.currentTimeMillis();
      kafka.stop();
      long burnerPid = burner;
      long leaseEnd = lost + lease.toMillis();
      long resumedAt = -1;
      long burnerEndedAt = -1;
      while ((resumedAt < 0 || burnerEndedAt < 0) && System.currentTimeMillis() < leaseEnd) {
        long now = System.currentTimeMillis();
        if (resumedAt < 0 && processState(victim.pid()) != 'T') {
          resumedAt = now;
        }
        if (burnerEndedAt < 0 && !alive(burnerPid)) {
          burnerEndedAt = now;
        }
        Thread.sleep(10);
      }
      System.out.printf(
          "without Kafka: pause ended %+d ms after its expiresAt, burner %+d ms%n",
          resumedAt - expiresAt.get("pause-process"), burnerEndedAt - expiresAt.get("cpu-burn"));
      assertThat(resumedAt).as("victim resumed before the lease could end it").isPositive();
      assertThat(burnerEndedAt).as("burner ended before the lease could end it").isPositive();
      assertThat(resumedAt).isGreaterThanOrEqualTo(expiresAt.get("pause-process"));
      assertThat(burnerEndedAt).isGreaterThanOrEqualTo(expiresAt.get("cpu-burn"));
      assertThat(agent.activeAttacks()).isEmpty();

      kafka.restart();
      List<AttackEvent> after =
          events(
              kafka,
              topics,
              es ->
                  es.stream().filter(e -> e.getType() == AttackEventType.ROLLED_BACK).count() >= 2,
              Duration.ofSeconds(90));
      List<AttackEvent> rolledBack =
          after.stream().filter(e -> e.getType() == AttackEventType.ROLLED_BACK).toList();
      assertThat(rolledBack)
          .extracting(AttackEvent::getFault)
          .containsExactlyInAnyOrder("pause-process", "cpu-burn");
      assertThat(rolledBack).allMatch(e -> "duration elapsed".equals(e.getReason()));
    } finally {
      agent.close();
      kafka.close();
      victim.destroyForcibly();
      if (burner > 0) {
        ProcessHandle.of(burner).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Alive and not a zombie: a killed child counts as ended once the kernel has it as a zombie. */
  private static boolean alive(long pid) {
    try {
      char s = processState(pid);
      return s != 'Z' && s != 'X';
    } catch (Exception gone) {
      return false;
    }
  }

  @Test
  void commandsAcrossABrokerRestartAreEachHandledExactlyOnce() throws Exception {
    Process victim = new ProcessBuilder("sleep", "300").start();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    Topics topics = new Topics("faultline.", 3);
    // the outage is shorter than the lease: no dead-man's switch here
    AttackAgent agent = agent(kafka, victim, "agent.lease", "2m");
    int commands = 300;
    AtomicInteger unsent = new AtomicInteger();
    try (var producer = producer(kafka)) {
      for (int i = 0; i < commands; i++) {
        String id = "cmd-" + i;
        producer.send(
            new ProducerRecord<>(
                topics.attackCommands().name(),
                "restart-" + (i % 7),
                AttackCommandCodec.toAvro(start("restart-" + (i % 7), id, 10_000, true))),
            (meta, e) -> {
              if (e != null) {
                unsent.incrementAndGet();
              }
            });
        if (i == commands / 3) {
          producer.flush();
          kafka.stop(); // the rest are sent while the broker is down and delivered after
          new Thread(
                  () -> {
                    try {
                      Thread.sleep(4000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    kafka.restart();
                  },
                  "broker-restart")
              .start();
        }
        Thread.sleep(10);
      }
      producer.flush();
      assertThat(unsent.get()).as("records the producer gave up on").isZero();

      List<AttackEvent> events =
          events(
              kafka,
              topics,
              es ->
                  es.stream()
                          .filter(e -> e.getType() == AttackEventType.ACCEPTED)
                          .map(AttackEvent::getCommandId)
                          .distinct()
                          .count()
                      >= commands,
              Duration.ofSeconds(90));
      // an event sent again (from the outbox, after the producer gave it up) keeps its event id;
      // a command handled twice would have two ACCEPTED events with different ids
      Map<String, Set<String>> acceptedPerCommand = new HashMap<>();
      events.stream()
          .filter(e -> e.getType() == AttackEventType.ACCEPTED)
          .forEach(
              e ->
                  acceptedPerCommand
                      .computeIfAbsent(String.valueOf(e.getCommandId()), c -> new HashSet<>())
                      .add(String.valueOf(e.getEventId())));
      System.out.println(
          "ACCEPTED events read: "
              + events.stream().filter(e -> e.getType() == AttackEventType.ACCEPTED).count()
              + " for "
              + acceptedPerCommand.size()
              + " commands; the agent's failed sends: "
              + agent.failedSends());
      assertThat(acceptedPerCommand).as("one ACCEPTED per command").hasSize(commands);
      assertThat(acceptedPerCommand.values())
          .as("none handled twice")
          .allMatch(ids -> ids.size() == 1);
      assertThat(agent.failedSends()).as("events the agent gave up on").isZero();
      assertThat(events).noneMatch(e -> e.getType() == AttackEventType.STARTED);
      assertThat(processState(victim.pid())).as("dry runs touch nothing").isNotEqualTo('T');
    } finally {
      agent.close();
      kafka.close();
      victim.destroyForcibly();
    }
  }

  /**
   * An event the producer fails to deliver is not lost: here the broker is away when the agent
   * handles a command, so the ACCEPTED event's send fails (no metadata within {@code
   * agent.producer.max.block}); the outbox keeps it and it reaches attack.events, once, when the
   * broker is back. Before, it was logged as LOST and never sent.
   */
  @Test
  void anEventKafkaDidNotTakeIsSentAgainOnceTheBrokerIsBack() throws Exception {
    Process victim = new ProcessBuilder("sleep", "300").start();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    Topics topics = new Topics("faultline.", 3);
    AttackAgent agent =
        agent(
            kafka,
            victim,
            "agent.lease",
            "2m",
            "agent.producer.max.block",
            "200ms",
            "agent.producer.delivery.timeout",
            "1s");
    try {
      assertThat(agent.awaitTopics(Duration.ofSeconds(60))).as("topics ready").isTrue();
      kafka.stop();
      // the command as the agent's consumer would hand it over (read before the broker went)
      byte[] value = AttackCommandCodec.toAvro(start("away", "cmd-away", 10_000, true));
      agent.handle(
          new ConsumerRecord<>(
              topics.attackCommands().name(),
              0,
              0L,
              System.currentTimeMillis(),
              TimestampType.CREATE_TIME,
              5,
              value.length,
              "away",
              value,
              new RecordHeaders(),
              Optional.empty()));
      kafka.restart();
      List<AttackEvent> events =
          events(
              kafka,
              topics,
              es -> es.stream().anyMatch(e -> "cmd-away".equals(e.getCommandId())),
              Duration.ofSeconds(60));
      assertThat(events)
          .as("the ACCEPTED event Kafka did not take the first time, on attack.events once")
          .filteredOn(e -> "cmd-away".equals(e.getCommandId()))
          .extracting(AttackEvent::getType)
          .containsExactly(AttackEventType.ACCEPTED);
      assertThat(agent.failedSends()).as("events the agent gave up on").isZero();
    } finally {
      agent.close();
      kafka.close();
      victim.destroyForcibly();
    }
  }
}
