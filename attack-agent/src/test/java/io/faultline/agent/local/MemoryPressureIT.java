package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.agent.Fault.Applied;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** memory-pressure on a real child process, observed through /proc. */
class MemoryPressureIT {

  private final MemoryPressure fault = new MemoryPressure();
  private Process victim;
  private ProcessTarget target;

  @BeforeEach
  void startVictim() throws Exception {
    victim = new ProcessBuilder("sleep", "300").start();
    target = new ProcessTarget("victim", Group.EXPERIMENTAL, victim.pid(), "127.0.0.1", 0, null);
  }

  @AfterEach
  void stopVictim() {
    victim.destroyForcibly();
  }

  private static long holderPid(Applied applied) {
    return Long.parseLong(applied.recovery().get("holderPid"));
  }

  @Test
  void holderTakesTheMegabytesAskedForAndRecoveryEndsIt() throws Exception {
    Applied applied = fault.apply(target, Map.of("mb", "200"), Duration.ofSeconds(60));
    long holder = holderPid(applied);
    assertThat(applied.touched().get(0))
        .isEqualTo("victim pid=" + victim.pid() + " memory holder pid=" + holder + " mb=200");
    assertThat(ProcFs.within(Duration.ofSeconds(30), () -> ProcFs.rssMb(holder) >= 200))
        .as("holder RSS reaches 200 MB (now %d MB)", ProcFs.rssMb(holder))
        .isTrue();
    // held, not a transient peak
    Thread.sleep(500);
    long rss = ProcFs.rssMb(holder);
    System.out.println("memory-pressure mb=200: holder RSS " + rss + " MB");
    assertThat(rss).isBetween(200L, 200L + 120);

    String restored = fault.recover(target, applied.recovery());
    assertThat(restored).isEqualTo("memory holder pid=" + holder + " stopped");
    // recovery may have reaped the holder already (no handle left): gone counts as ended
    assertThat(ProcessHandle.of(holder).map(ChildJvm::ended).orElse(true))
        .as("holder killed")
        .isTrue();
    assertThat(
            ProcFs.within(
                Duration.ofSeconds(10),
                () -> !ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)))
        .as("holder reaped")
        .isTrue();
    assertThat(victim.isAlive()).isTrue();
    assertThat(fault.recover(target, applied.recovery())).endsWith("already gone");
  }

  @Test
  void holderExitsByItselfAtTheDeadlineWithoutRecovery() throws Exception {
    long start = System.nanoTime();
    Applied applied = fault.apply(target, Map.of("mb", "16"), Duration.ofSeconds(2));
    ProcessHandle holder = ProcessHandle.of(holderPid(applied)).orElseThrow();
    holder.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMs).as("holder lived until its deadline").isGreaterThanOrEqualTo(1900);
    assertThat(holder.isAlive()).isFalse();
  }

  @Test
  void rejectsMegabytesOutsideTheDocumentedRange() {
    assertThatThrownBy(() -> fault.spec().check(Map.of("mb", "0")))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("parameters.mb")
        .hasMessageContaining("from 1 to 8192");
    assertThatThrownBy(() -> fault.spec().check(Map.of("mb", "lots")))
        .hasMessageContaining("'lots'");
  }
}
