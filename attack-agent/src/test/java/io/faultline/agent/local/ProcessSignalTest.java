package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** SIGSTOP and SIGCONT through libc, seen from /proc as the process's state. */
@EnabledOnOs(OS.LINUX)
class ProcessSignalTest {

  private Process sleeper;

  @AfterEach
  void stop() {
    if (sleeper != null) {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void sendsSignalsWithoutAKillProcessOnLinux() {
    assertThat(ProcessSignal.inProcess()).isTrue();
  }

  @Test
  void stopsAndResumesAProcess() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    long pid = sleeper.pid();

    ProcessSignal.STOP.send(pid);
    // read once, no waiting: a STOP returns once the process has taken it
    assertThat(state(pid)).as("pid %d's state as STOP returns", pid).isEqualTo('T');

    ProcessSignal.CONT.send(pid);
    assertThat(ProcFs.within(Duration.ofSeconds(10), () -> state(pid) == 'S'))
        .as("pid %d running again (state S), was %s", pid, state(pid))
        .isTrue();
  }

  @Test
  void aPausedTargetIsStoppedWhenApplyReturnsNotOnlySignalled() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    long pid = sleeper.pid();
    var target =
        new io.faultline.agent.ProcessTarget(
            "victim", io.faultline.schema.Group.EXPERIMENTAL, pid, "127.0.0.1", 1, null);

    new PauseProcess().apply(target, java.util.Map.of(), Duration.ofSeconds(30));

    // read once, no waiting: STARTED is sent right after apply returns
    assertThat(state(pid)).as("pid %d's state as apply returns", pid).isEqualTo('T');
  }

  @Test
  void aStopToEachProcessOfAZoneReturnsOnceEachHasTakenIt() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    Process other = new ProcessBuilder("sleep", "300").start();
    try {
      int signalled = ProcessSignal.STOP.sendToEach(List.of(sleeper.pid(), other.pid()));

      assertThat(signalled).isEqualTo(2);
      // read once each, no waiting
      assertThat(state(sleeper.pid())).as("first pid's state as STOP returns").isEqualTo('T');
      assertThat(state(other.pid())).as("second pid's state as STOP returns").isEqualTo('T');
    } finally {
      other.destroyForcibly();
    }
  }

  @Test
  void waitingForAStopPollsUntilTheProcessReadsStopped() throws Exception {
    char[] seen = {'R', 'R', 'S', 'T'};
    int[] reads = {0};

    boolean stopped =
        ProcessSignal.awaitStopped(
            42, Duration.ofMinutes(5), pid -> seen[Math.min(reads[0]++, seen.length - 1)]);

    assertThat(stopped).isTrue();
    assertThat(reads[0]).isEqualTo(4);
  }

  @Test
  void waitingForAStopGivesUpOnAProcessThatNeverStops() throws Exception {
    assertThat(ProcessSignal.awaitStopped(42, Duration.ofMillis(20), pid -> 'D')).isFalse();
    // gone, or /proc unreadable: nothing to wait for
    assertThat(ProcessSignal.awaitStopped(42, Duration.ofMillis(20), pid -> (char) 0)).isTrue();
  }

  @Test
  void namesThePidAndTheReasonWhenTheProcessIsGone() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    long pid = sleeper.pid();
    sleeper.destroyForcibly().waitFor();

    assertThatThrownBy(() -> ProcessSignal.STOP.send(pid))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kill -STOP " + pid + " failed")
        .hasMessageContaining("No such process");
  }

  @Test
  void refusesAPidThatNamesAGroupOrEveryProcess() {
    // 0 is the agent's own process group, -1 every process it may signal, 4294967295 is -1 as an
    // int, 1 is init: none is one target process
    for (long pid : new long[] {0, -1, 1, 4_294_967_295L, -2_147_483_648L}) {
      assertThatThrownBy(() -> ProcessSignal.STOP.send(pid))
          .as("pid %d", pid)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("kill -STOP " + pid)
          .hasMessageContaining("pid must be one process")
          .hasMessageContaining("no signal sent");
    }
  }

  @Test
  void killsEachProcessOfAZoneAndSkipsOneThatExitedMeanwhile() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    Process gone = new ProcessBuilder("sleep", "300").start();
    gone.destroyForcibly().waitFor();

    int signalled = ProcessSignal.KILL.sendToEach(List.of(gone.pid(), sleeper.pid()));

    assertThat(signalled).as("the exited process is skipped, not an error").isEqualTo(1);
    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).as("SIGKILL delivered").isTrue();
  }

  @Test
  void refusesAZoneListWithAGroupPidBeforeSignallingAnyProcess() throws Exception {
    sleeper = new ProcessBuilder("sleep", "300").start();
    long pid = sleeper.pid();

    assertThatThrownBy(() -> ProcessSignal.STOP.sendToEach(List.of(pid, 0L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kill -STOP 0")
        .hasMessageContaining("pid must be one process");
    assertThat(state(pid)).as("no signal sent to the valid pid either").isNotEqualTo('T');
  }

  /** The state letter of /proc/PID/stat (after the command name's closing parenthesis). */
  private static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (IOException e) {
      return '?';
    }
  }
}
