package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent process is killed with SIGKILL while its target is paused (SIGSTOP); the fault must not
 * outlive it: a restarted agent process with the same id (from its local journal, JVM start
 * included), or another agent of the group (from attack.state), resumes it.
 */
class AgentCrashIT {

  private static char processState(long pid) {
    return VictimProcess.state(pid);
  }

  @ParameterizedTest
  @ValueSource(strings = {"restarted", "another"})
  void aKilledAgentsFaultIsRecovered(String recoverer) throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it"), 1);
    VictimProcess victim = VictimProcess.start();
    TargetFiles targets =
        TargetFiles.create("crash-targets")
            .write("victim", "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    String crashyId = "crashy-" + UUID.randomUUID().toString().substring(0, 6);
    Path outbox = Files.createTempDirectory("crash-outbox");

    ProcessBuilder child =
        agentJvm(AgentSettings.forTestBroker(topics, crashyId, targets.dir()), outbox);
    Process agentProcess = child.start();
    Process restarted = null;

    try (var commands = CommandWriter.open(topics);
        var events = TopicFollower.start(topics.attackEvents())) {
      commands.send(
          "crash",
          "{\"commandId\":\""
              + UUID.randomUUID()
              + "\",\"experimentId\":\"crash\",\"type\":\"START\","
              + "\"fault\":\"pause-process\",\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},"
              + "\"duration\":\"2m\"}");
      // a wait, not a bound: at load 40 the agent JVM took over a minute to start and apply it
      awaitEvent(events, AttackEventType.STARTED, Duration.ofSeconds(150));
      assertThat(processState(victim.pid())).isEqualTo('T');

      agentProcess.destroyForcibly().waitFor();
      long killedAt = System.currentTimeMillis();
      Thread.sleep(500);
      assertThat(processState(victim.pid())).as("still paused after the agent died").isEqualTo('T');

      if (recoverer.equals("restarted")) {
        // a real restart: a new JVM with the same agent.id and outbox dir
        long launchedAt = System.currentTimeMillis();
        restarted = child.start();
        AttackEvent rolledBack =
            awaitEvent(events, AttackEventType.ROLLED_BACK, Duration.ofSeconds(40));
        long now = System.currentTimeMillis();
        System.out.println(
            "restarted agent JVM recovered the orphan "
                + (now - killedAt)
                + " ms after the crash, "
                + (now - launchedAt)
                + " ms after its launch (JVM start included; the event is read from Kafka)");
        assertThat(rolledBack.getReason()).contains("orphan").contains("local journal");
        assertThat(rolledBack.getTargets().get(0)).contains("SIGCONT");
        assertThat(processState(victim.pid())).isNotEqualTo('T');
        // the event's own timestamp (the recovery), not the test's read of it from Kafka; the
        // new JVM's start is in it (18.1 s at load 35), so the bound is loose: the guarantee,
        // recovery from the local journal before any Kafka client, is the reason checked above
        assertThat(rolledBack.getTimestamp() - killedAt).isLessThan(60_000L);
        return;
      }
      // The worst case for the rescuer: the dead agent had not committed the START's offset, so
      // the rescuer reads the START again. Once the dead agent has left the group, its committed
      // offset is set back to the START (it may have committed before it died, or not).
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!admin
                .describeConsumerGroups(List.of(AttackAgent.GROUP))
                .all()
                .get()
                .get(AttackAgent.GROUP)
                .members()
                .isEmpty()
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(500);
        }
        admin
            .alterConsumerGroupOffsets(
                AttackAgent.GROUP,
                Map.of(
                    new TopicPartition(topics.attackCommands().name(), 0),
                    new OffsetAndMetadata(0)))
            .all()
            .get();
      }
      Map<String, String> conf =
          AgentSettings.forTestBroker(topics, "rescuer-" + UUID.randomUUID(), targets.dir())
              .set("agent.lease", "6s")
              .set("agent.outbox.dir", outbox.toString())
              .toMap();
      try (AttackAgent rescuer = AgentMain.start(AgentConfig.fromMap(conf))) {
        AttackEvent rolledBack =
            awaitEvent(events, AttackEventType.ROLLED_BACK, Duration.ofSeconds(40));
        long after = System.currentTimeMillis() - killedAt;
        System.out.println(
            recoverer + " agent recovered the orphan " + after + " ms after the crash");
        assertThat(rolledBack.getReason()).contains("orphan");
        assertThat(rolledBack.getTargets().get(0)).contains("SIGCONT");
        assertThat(processState(victim.pid())).isNotEqualTo('T');
        // the event's own timestamp (the recovery), not the test's read of it from Kafka
        assertThat(rolledBack.getTimestamp() - killedAt).isLessThan(25_000L);
        // the replayed START was handled (its offset committed by the rescuer) and not applied
        // again: the dead agent's attack.state record names the command
        try (Admin admin =
            Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
          TopicPartition commandsPartition = new TopicPartition(topics.attackCommands().name(), 0);
          long deadline = System.currentTimeMillis() + 60_000;
          long committed = 0;
          while (committed < 1 && System.currentTimeMillis() < deadline) {
            OffsetAndMetadata offset =
                admin
                    .listConsumerGroupOffsets(AttackAgent.GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(commandsPartition);
            committed = offset == null ? 0 : offset.offset();
            if (committed < 1) {
              Thread.sleep(500);
            }
          }
          assertThat(committed).as("the rescuer handled the replayed START").isEqualTo(1L);
        }
        assertThat(processState(victim.pid()))
            .as("not paused again by the replay")
            .isNotEqualTo('T');
        assertThat(
                events.values().stream()
                    .filter(e -> e.getType() == AttackEventType.STARTED)
                    .count())
            .as("one STARTED: the replayed START was not applied a second time")
            .isEqualTo(1L);
      }
    } finally {
      agentProcess.destroyForcibly();
      if (restarted != null) {
        restarted.destroyForcibly();
      }
      victim.close();
    }
  }

  /**
   * Several attacks at once, one of them stopped before the crash: the restarted agent resumes
   * every process still paused from its journal (one append-only file since docs/adr/0064), and
   * does not recover the stopped one a second time.
   */
  @Test
  void aRestartedAgentRecoversEveryAttackOfItsJournalButTheEndedOnes() throws Exception {
    int n = 4;
    Topics topics = TestTopics.provision(TestTopics.prefix("it"), 1);
    List<VictimProcess> victims = new ArrayList<>();
    TargetFiles targets = TargetFiles.create("crash-many-targets");
    for (int i = 0; i < n; i++) {
      VictimProcess v = VictimProcess.start();
      victims.add(v);
      targets.write("v" + i, "name=v" + i + "\ngroup=EXPERIMENTAL\npid=" + v.pid() + "\n");
    }
    String crashyId = "crashy-many-" + UUID.randomUUID().toString().substring(0, 6);
    Path outbox = Files.createTempDirectory("crash-many-outbox");
    ProcessBuilder child =
        agentJvm(
            AgentSettings.forTestBroker(topics, crashyId, targets.dir())
                .set("agent.max.blast.radius.percent", "100"),
            outbox);
    Process agentProcess = child.start();
    Process restarted = null;
    try (var commands = CommandWriter.open(topics);
        var events = TopicFollower.start(topics.attackEvents())) {
      for (int i = 0; i < n; i++) {
        commands.send(
            "crash-many",
            "{\"commandId\":\""
                + UUID.randomUUID()
                + "\",\"experimentId\":\"crash-many\",\"type\":\"START\",\"attackId\":\"a"
                + i
                + "-"
                + crashyId
                + "\",\"fault\":\"pause-process\",\"target\":{\"names\":[\"v"
                + i
                + "\"],\"group\":\"EXPERIMENTAL\"},\"duration\":\"2m\"}");
      }
      // a wait, not a bound: at load 40 the agent JVM took over a minute to start and apply them
      events.awaitAtLeast(n, e -> e.getType() == AttackEventType.STARTED, Duration.ofSeconds(150));
      String stoppedId = "a0-" + crashyId;
      commands.send(
          "crash-many",
          "{\"commandId\":\""
              + UUID.randomUUID()
              + "\",\"experimentId\":\"crash-many\",\"type\":\"STOP\",\"attackId\":\""
              + stoppedId
              + "\"}");
      awaitEvent(events, AttackEventType.STOPPED, Duration.ofSeconds(60));
      assertThat(processState(victims.get(0).pid())).isNotEqualTo('T');
      for (int i = 1; i < n; i++) {
        assertThat(processState(victims.get(i).pid())).as("v%d paused", i).isEqualTo('T');
      }
      Path journalDir = outbox.resolve("_" + crashyId).resolve("active");
      try (var files = Files.list(journalDir)) {
        assertThat(files.map(f -> f.getFileName().toString()).toList())
            .as("one journal file (and its lock), no file per attack")
            .containsExactlyInAnyOrder(AttackJournal.FILE, AttackJournal.LOCK);
      }

      agentProcess.destroyForcibly().waitFor();
      assertThat(ids(AttackJournal.read(journalDir)))
          .as("what the killed agent left in its journal")
          .containsExactlyInAnyOrder("a1-" + crashyId, "a2-" + crashyId, "a3-" + crashyId);
      for (int i = 1; i < n; i++) {
        assertThat(processState(victims.get(i).pid()))
            .as("v%d still paused after the agent died", i)
            .isEqualTo('T');
      }

      restarted = child.start();
      List<AttackEvent> rolledBack =
          events.awaitAtLeast(
              n - 1, e -> e.getType() == AttackEventType.ROLLED_BACK, Duration.ofSeconds(60));
      assertThat(rolledBack)
          .extracting(AttackEvent::getAttackId)
          .containsExactlyInAnyOrder("a1-" + crashyId, "a2-" + crashyId, "a3-" + crashyId);
      assertThat(rolledBack).allSatisfy(e -> assertThat(e.getReason()).contains("local journal"));
      for (int i = 1; i < n; i++) {
        assertThat(processState(victims.get(i).pid())).as("v%d resumed", i).isNotEqualTo('T');
      }
      assertThat(events.values())
          .as("the attack stopped before the crash is not recovered again")
          .noneMatch(
              e -> e.getType() == AttackEventType.ROLLED_BACK && e.getAttackId().equals(stoppedId));
    } finally {
      agentProcess.destroyForcibly();
      if (restarted != null) {
        restarted.destroyForcibly();
      }
      victims.forEach(VictimProcess::close);
    }
  }

  /**
   * Three pauses of one process held at once (docs/adr/0085) when the agent is SIGKILLed: the
   * restarted agent finds all three in its journal and ends each once, and the process runs again.
   */
  @Test
  void overlappingPausesOfAKilledAgentAreEachRevertedOnceByItsRestart() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it"), 1);
    VictimProcess victim = VictimProcess.start();
    TargetFiles targets =
        TargetFiles.create("crash-overlap-targets")
            .write("victim", "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    String crashyId = "crashy-overlap-" + UUID.randomUUID().toString().substring(0, 6);
    Path outbox = Files.createTempDirectory("crash-overlap-outbox");
    ProcessBuilder child =
        agentJvm(AgentSettings.forTestBroker(topics, crashyId, targets.dir()), outbox);
    Process agentProcess = child.start();
    Process restarted = null;
    List<String> ids = List.of("o1-" + crashyId, "o2-" + crashyId, "o3-" + crashyId);
    try (var commands = CommandWriter.open(topics);
        var events = TopicFollower.start(topics.attackEvents())) {
      List<String> durations = List.of("2m", "3m", "4m");
      for (int i = 0; i < ids.size(); i++) {
        commands.send(
            "crash-overlap",
            "{\"commandId\":\""
                + UUID.randomUUID()
                + "\",\"experimentId\":\"crash-overlap\",\"type\":\"START\",\"attackId\":\""
                + ids.get(i)
                + "\",\"fault\":\"pause-process\",\"target\":{\"names\":[\"victim\"],"
                + "\"group\":\"EXPERIMENTAL\"},\"duration\":\""
                + durations.get(i)
                + "\"}");
      }
      // a wait, not a bound: at load 40 the agent JVM took over a minute to start and apply them
      events.awaitAtLeast(3, e -> e.getType() == AttackEventType.STARTED, Duration.ofSeconds(150));
      assertThat(processState(victim.pid())).isEqualTo('T');

      agentProcess.destroyForcibly().waitFor();
      Path journalDir = outbox.resolve("_" + crashyId).resolve("active");
      assertThat(ids(AttackJournal.read(journalDir)))
          .as("what the killed agent left in its journal")
          .containsExactlyInAnyOrderElementsOf(ids);
      assertThat(processState(victim.pid())).as("still paused after the agent died").isEqualTo('T');

      restarted = child.start();
      events.awaitAtLeast(
          3, e -> e.getType() == AttackEventType.ROLLED_BACK, Duration.ofSeconds(60));
      assertThat(processState(victim.pid())).as("resumed by the restart").isNotEqualTo('T');
      // a late duplicate would come within the outbox's next round (1 s)
      Thread.sleep(2000);
      List<AttackEvent> rolledBack =
          events.values().stream().filter(e -> e.getType() == AttackEventType.ROLLED_BACK).toList();
      assertThat(rolledBack)
          .extracting(AttackEvent::getAttackId)
          .as("each attack reverted once")
          .containsExactlyInAnyOrderElementsOf(ids);
      assertThat(rolledBack).allSatisfy(e -> assertThat(e.getReason()).contains("local journal"));
    } finally {
      agentProcess.destroyForcibly();
      if (restarted != null) {
        restarted.destroyForcibly();
      }
      victim.close();
    }
  }

  /** An agent JVM with a 6 s lease and its journal and outbox in {@code outbox}. */
  private static ProcessBuilder agentJvm(AgentSettings settings, Path outbox) {
    return settings
        .set("agent.lease", "6s")
        .set("agent.outbox.dir", outbox.toString())
        .childJvm(AgentMain.class);
  }

  private static List<String> ids(List<AttackState> states) {
    return states.stream().map(AttackState::getAttackId).toList();
  }

  private static AttackEvent awaitEvent(
      TopicFollower<String, AttackEvent> events, AttackEventType type, Duration limit)
      throws InterruptedException {
    return events.await(e -> e.getType() == type, limit);
  }
}
