package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.testsupport.TestJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent per journal directory: a second one, in this JVM or another process, is refused with
 * the directory and the holder named, and gets the directory once the first has let it go.
 */
class JournalLockTest {

  @TempDir Path dir;

  // the host as the environment or the kernel names it, never a DNS lookup (HostName)
  private static final String PID =
      "pid "
          + ProcessHandle.current().pid()
          + " on "
          + io.faultline.common.HostName.local()
          + " since ";

  @Test
  void aSecondJournalOnOneDirectoryIsRefusedNamingItAndTheHolder() {
    try (AttackJournal first = new AttackJournal(dir)) {
      first.record(AttackJournalTest.state("a1"));
      assertThatThrownBy(() -> new AttackJournal(dir))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("agent.outbox.dir: " + dir + " is in use by another agent (")
          .hasMessageContaining(PID)
          .hasMessageEndingWith(
              "); give each agent its own agent.id or agent.outbox.dir, or stop the other one"
                  + " first");
      // the refused one touched nothing
      assertThat(first.active()).hasSize(1);
      first.record(AttackJournalTest.state("a2"));
    }
    try (AttackJournal next = new AttackJournal(dir)) {
      assertThat(next.active()).extracting(s -> s.getAttackId()).containsExactly("a1", "a2");
    }
  }

  @Test
  void aJournalHeldByAnotherProcessIsRefusedNamingThatProcess() throws Exception {
    Process holder =
        TestJvm.command(JournalHolder.class, dir.toString()).redirectErrorStream(true).start();
    try {
      var lines =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.equals("open")) {
        // the child's log lines
      }
      assertThat(line).as("the holder opened the journal").isEqualTo("open");
      assertThatThrownBy(() -> new AttackJournal(dir))
          .hasMessageStartingWith("agent.outbox.dir: " + dir + " is in use by another agent (")
          .hasMessageContaining(
              "pid " + holder.pid() + " on " + io.faultline.common.HostName.local() + " since ");
      holder.getOutputStream().close(); // the holder closes its journal and exits
      assertThat(holder.waitFor()).isZero();
      try (AttackJournal next = new AttackJournal(dir)) {
        assertThat(next.active()).isEmpty();
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aSecondAgentWithTheSameIdAndOutboxDirExitsNamingTheDirectory() {
    AgentConfig config = AgentJournalTest.withoutKafka("twin", dir);
    Path active = dir.resolve("outbox").resolve("_twin").resolve("active");
    try (AttackAgent first = new AttackAgent(config)) {
      assertThatThrownBy(() -> new AttackAgent(config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("agent.outbox.dir: " + active + " is in use by another agent (")
          .hasMessageContaining(PID);
    }
    new AttackAgent(config).close(); // free again once the first is closed
  }
}
