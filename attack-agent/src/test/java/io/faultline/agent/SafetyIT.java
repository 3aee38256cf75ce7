package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.EmbeddedKafka;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Safety invariants 4 (dead-man's switch) and 6 (signed commands) against real brokers. */
class SafetyIT {

  private static final String SECRET = "correct-horse-battery-staple";

  private static Path targets(VictimProcess victim) throws Exception {
    return TargetFiles.create("safety-targets")
        .write("victim", "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n")
        .dir();
  }

  private static AttackCommand start(String experiment, String duration) {
    return AttackCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setExperimentId(experiment)
        .setType(CommandType.START)
        .setFault("cpu-burn")
        .setTarget(
            TargetSelector.newBuilder()
                .setNames(List.of("victim"))
                .setGroup(Group.EXPERIMENTAL)
                .build())
        .setDurationMs(Duration.parse("PT" + duration).toMillis())
        .setIssuedAt(System.currentTimeMillis())
        .build();
  }

  private static AttackEvent await(
      TopicFollower<String, AttackEvent> events, String experiment, AttackEventType type)
      throws Exception {
    return events.await(
        e -> e.getExperimentId().equals(experiment) && e.getType() == type, Duration.ofSeconds(15));
  }

  @Test
  void withASecretOnlyFreshCorrectlySignedCommandsAreApplied() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it"), 1);
    VictimProcess victim = VictimProcess.start();
    AgentConfig config =
        AgentConfig.fromMap(
            AgentSettings.forTestBroker(topics, targets(victim))
                .set("agent.command.secret", SECRET)
                .toMap());
    assertThat(config.toString()).doesNotContain(SECRET).contains("commandSecret=****");
    try (AttackAgent agent = AgentMain.start(config);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
        var events = TopicFollower.start(topics.attackEvents())) {
      AttackCommand unsigned = start("unsigned", "5S");
      AttackCommand forged =
          CommandSignature.signed(start("forged", "5S"), "another-secret-of-16+");
      AttackCommand expired = start("expired", "5S");
      expired.setIssuedAt(System.currentTimeMillis() - 600_000);
      expired = CommandSignature.signed(expired, SECRET);
      AttackCommand tampered = CommandSignature.signed(start("tampered", "5S"), SECRET);
      tampered.setDurationMs(600_000L); // changed after signing
      AttackCommand good = CommandSignature.signed(start("good", "2S"), SECRET);
      for (AttackCommand c : List.of(unsigned, forged, expired, tampered, good)) {
        producer
            .send(
                new ProducerRecord<>(
                    topics.attackCommands().name(),
                    c.getExperimentId(),
                    AttackCommandCodec.toAvro(c)))
            .get();
      }
      assertThat(await(events, "unsigned", AttackEventType.REJECTED).getReason())
          .startsWith("signature: required");
      assertThat(await(events, "forged", AttackEventType.REJECTED).getReason())
          .startsWith("signature: does not match");
      assertThat(await(events, "tampered", AttackEventType.REJECTED).getReason())
          .startsWith("signature: does not match");
      assertThat(await(events, "expired", AttackEventType.REJECTED).getReason())
          .contains("outside the 2m window");
      assertThat(await(events, "good", AttackEventType.STARTED)).isNotNull();

      // the same signed command again is a replay
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(), "good", AttackCommandCodec.toAvro(good)))
          .get();
      assertThat(await(events, "good", AttackEventType.REJECTED).getReason()).contains("replayed");
      assertThat(
              events.values().stream()
                  .filter(
                      e ->
                          e.getExperimentId().equals("good")
                              && e.getType() == AttackEventType.STARTED))
          .hasSize(1);
      for (String bad : List.of("unsigned", "forged", "expired", "tampered")) {
        assertThat(events.values())
            .noneMatch(
                e -> e.getExperimentId().equals(bad) && e.getType() == AttackEventType.STARTED);
      }
      assertThat(events.values()).allMatch(e -> !String.valueOf(e.getReason()).contains(SECRET));
    } finally {
      victim.close();
    }
  }

  @Test
  void agentThatLosesKafkaForTheLeaseRecoversEverything() throws Exception {
    VictimProcess victim = VictimProcess.start();
    EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
    Topics topics = new Topics("faultline.", 1);
    AttackAgent agent =
        AgentMain.start(
            AgentConfig.fromMap(
                Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "agent.lease", "3s",
                    "agent.targets.dir", targets(victim).toString())));
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "dms",
                  AttackCommandCodec.toAvro(start("dms", "60S"))))
          .get();
      long deadline = System.currentTimeMillis() + 15_000;
      while (agent.activeAttacks().isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(agent.activeAttacks()).hasSize(1);
      long burner = burnerPid(victim);
      assertThat(ProcessHandle.of(burner).map(ProcessHandle::isAlive).orElse(false)).isTrue();

      long lost = System.currentTimeMillis();
      kafka.close(); // the broker goes away for good
      // the broker answers while it shuts down (8 s at load 55): the lease runs from its last
      // answer, so the bound is timed from the end of close(), the early limit from its start
      long gone = System.currentTimeMillis();
      while (!agent.activeAttacks().isEmpty() && System.currentTimeMillis() - gone < 20_000) {
        Thread.sleep(100);
      }
      long recovered = System.currentTimeMillis();
      System.out.println(
          "dead-man's switch recovered "
              + (recovered - gone)
              + " ms after the broker's close (lease 3 s; close took "
              + (gone - lost)
              + " ms)");
      assertThat(agent.activeAttacks()).isEmpty();
      assertThat(recovered - lost).as("not before the lease").isGreaterThanOrEqualTo(2_500L);
      assertThat(recovered - gone)
          .as("within the lease and a loaded machine's margin")
          .isLessThanOrEqualTo(10_000L);
      Thread.sleep(300);
      // killed at recovery; reaped by its parent a moment later
      long reapBy = System.currentTimeMillis() + 10_000;
      while (ProcessHandle.of(burner).map(ProcessHandle::isAlive).orElse(false)
          && System.currentTimeMillis() < reapBy) {
        Thread.sleep(20);
      }
      assertThat(ProcessHandle.of(burner).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    } finally {
      agent.close();
      victim.close();
    }
  }

  /** The burner: this JVM's child that is not the victim (and not a test's other child). */
  private static long burnerPid(VictimProcess victim) {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.pid() != victim.pid() && p.info().command().orElse("").endsWith("java"))
        .findFirst()
        .orElseThrow()
        .pid();
  }
}
