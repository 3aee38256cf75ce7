package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent restarted while Kafka is away (nothing listens at its bootstrap address) recovers what
 * its earlier run left active, from its own journal, before it contacts Kafka; the events wait in
 * its outbox.
 */
class AgentJournalTest {

  @TempDir Path dir;

  private static char state(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  /**
   * The process's state once it is {@code wanted} or 10 s have passed: SIGSTOP takes effect when
   * the target next runs, which on a loaded machine can be after {@code kill} has returned.
   */
  private static char awaitState(long pid, char wanted) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    char now = state(pid);
    while (now != wanted && System.nanoTime() < deadline) {
      Thread.sleep(10);
      now = state(pid);
    }
    return now;
  }

  /** An agent {@code id} with its outbox and targets under {@code dir}, and no Kafka to reach. */
  static AgentConfig withoutKafka(String id, Path dir) {
    return AgentConfig.fromMap(
        Map.of(
            "bootstrap.servers",
            "127.0.0.1:1",
            "agent.id",
            id,
            "agent.outbox.dir",
            dir.resolve("outbox").toString(),
            "agent.targets.dir",
            dir.resolve("targets").toString(),
            "agent.producer.max.block",
            "200ms"));
  }

  @Test
  void aRestartedAgentRecoversItsJournalWithoutKafkaAndParksTheEvents() throws Exception {
    AgentConfig config = withoutKafka("journal-agent", dir);
    Path active = dir.resolve("outbox/_journal-agent/active");
    AttackJournal journal = new AttackJournal(active);
    List<Process> victims = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Process victim = new ProcessBuilder("sleep", "120").start();
        victims.add(victim);
        new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid())).start().waitFor();
        journal.record(
            AttackState.newBuilder()
                .setAttackId("left-" + i)
                .setExperimentId("e")
                .setCommandId("c-" + i)
                .setFault("pause-process")
                .setAgentId("journal-agent")
                .setTargets(List.of("victim" + i + " pid=" + victim.pid()))
                .setParameters(Map.of())
                .setRecovery(Map.of("victim" + i + ".pid", Long.toString(victim.pid())))
                .setStartedAt(System.currentTimeMillis())
                .setExpiresAt(System.currentTimeMillis() + 120_000)
                .build());
      }
      for (Process v : victims) {
        assertThat(awaitState(v.pid(), 'T')).isEqualTo('T');
      }
      journal.close(); // the earlier run ends here (a crash leaves the file as it is)
      AttackAgent agent = new AttackAgent(config); // recovers its journal first
      try {
        for (Process v : victims) {
          assertThat(state(v.pid())).as("resumed without Kafka").isNotEqualTo('T');
        }
        assertThat(AttackJournal.read(active)).as("journal emptied").isEmpty();
        assertThat(agent.recoveredAtStart("left-1")).isTrue();
        try (var parked = Files.list(dir.resolve("outbox/_journal-agent"))) {
          Path outbox =
              parked
                  .filter(p -> p.getFileName().toString().startsWith("outbox-"))
                  .findFirst()
                  .orElseThrow();
          try (var records = Files.list(outbox)) {
            assertThat(records.count())
                .as("3 tombstones and 3 ROLLED_BACK events parked")
                .isEqualTo(6);
          }
        }
      } finally {
        agent.close();
      }
    } finally {
      victims.forEach(Process::destroyForcibly);
    }
  }
}
