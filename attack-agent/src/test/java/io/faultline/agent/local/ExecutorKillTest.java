package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Group;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * executor-kill on a process tree shaped like a Spark worker's: a parent (the worker) with two
 * children whose command lines name the executor main class, and one that does not.
 */
class ExecutorKillTest {

  private Process worker;

  /** sh -c "sleep; true" keeps the marker in the child's own command line (no exec). */
  private Process fakeWorker(int executors) throws Exception {
    StringBuilder script = new StringBuilder("sleep 300 & ");
    for (int i = 0; i < executors; i++) {
      // a class path longer than the 4096 bytes ProcessHandle.Info shows, as an executor's is
      script
          .append("sh -c 'sleep 300; true' ")
          .append("/cp".repeat(2000))
          .append(' ')
          .append("\"$EXECUTOR_MAIN\"")
          .append(" & ");
    }
    script.append("wait");
    // the main class from the environment, not the script: the worker's own forks (its command
    // line until they exec) must not look like executors
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", script.toString());
    builder.environment().put("EXECUTOR_MAIN", ExecutorKill.EXECUTOR_MAIN);
    worker = builder.start();
    // A shell's fork has its parent's command line until it execs, so for a moment a fork of an
    // executor shell looks like one more executor (CI once saw 3 of 2): wait until the count has
    // held for 10 looks in a row.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int steady = 0;
    while (steady < 10 && System.nanoTime() < deadline) {
      steady = ExecutorKill.executors(worker.toHandle()).size() == executors ? steady + 1 : 0;
      Thread.sleep(20);
    }
    return worker;
  }

  @AfterEach
  void killTree() {
    if (worker != null) {
      worker.descendants().forEach(ProcessHandle::destroyForcibly);
      worker.destroyForcibly();
    }
  }

  private static ProcessTarget target(Process p) {
    return new ProcessTarget(
        "spark-worker-1-experimental",
        Group.EXPERIMENTAL,
        p.pid(),
        "127.0.0.1",
        0,
        null,
        null,
        Map.of("role", "spark-worker"),
        null);
  }

  @Test
  void killsTheLowestPidExecutorOfTheWorkerAndNothingElse() throws Exception {
    Process w = fakeWorker(2);
    List<ProcessHandle> before = ExecutorKill.executors(w.toHandle());
    assertThat(before).hasSize(2);
    long others = w.descendants().count();

    var applied = new ExecutorKill().apply(target(w), Map.of(), Duration.ofSeconds(5));

    ProcessHandle victim = before.get(0);
    victim.onExit().get(5, TimeUnit.SECONDS);
    assertThat(victim.isAlive()).isFalse();
    assertThat(before.get(1).isAlive()).isTrue();
    assertThat(w.isAlive()).isTrue();
    assertThat(applied.touched())
        .containsExactly(
            "spark-worker-1-experimental pid="
                + w.pid()
                + " executor pid="
                + victim.pid()
                + " SIGKILL");
    assertThat(applied.recovery()).isEmpty();
    // only the executor: its own sleep is orphaned, the worker's other children live on
    assertThat(w.descendants().count()).isGreaterThanOrEqualTo(others - 2);
  }

  @Test
  void refusesAWorkerWithoutAnExecutorNamingWhatToSelect() throws Exception {
    Process w = fakeWorker(0);

    assertThatThrownBy(() -> new ExecutorKill().apply(target(w), Map.of(), Duration.ofSeconds(5)))
        .hasMessageContaining("runs no Spark executor")
        .hasMessageContaining("role=spark-worker");
    assertThat(w.isAlive()).isTrue();
  }
}
