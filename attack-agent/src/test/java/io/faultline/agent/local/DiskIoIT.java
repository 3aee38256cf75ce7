package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.agent.Fault.Applied;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** disk-io on a real child process, observed through /proc/PID/io and the file system. */
class DiskIoIT {

  private final DiskIo fault = new DiskIo();
  private Process victim;
  private ProcessTarget target;
  @TempDir Path parent;

  @BeforeEach
  void startVictim() throws Exception {
    victim = new ProcessBuilder("sleep", "300").start();
    target = new ProcessTarget("victim", Group.EXPERIMENTAL, victim.pid(), "127.0.0.1", 0, null);
  }

  @AfterEach
  void stopVictim() {
    victim.destroyForcibly();
  }

  @Test
  void writerWritesAtTheAskedRateAndRecoveryRemovesItsDirectory() throws Exception {
    Applied applied =
        fault.apply(
            target,
            Map.of("mbps", "8", "block-kb", "256", "dir", parent.toString()),
            Duration.ofSeconds(60));
    long writer = Long.parseLong(applied.recovery().get("writerPid"));
    Instant launched = ProcessHandle.of(writer).orElseThrow().info().startInstant().orElseThrow();
    Path dir = Path.of(applied.recovery().get("dir"));
    assertThat(dir.getParent()).isEqualTo(parent);
    assertThat(dir.getFileName().toString()).startsWith("faultline-disk-io-");
    assertThat(applied.touched().get(0)).contains("disk writer pid=" + writer, "mbps=8");

    assertThat(ProcFs.within(Duration.ofSeconds(20), () -> ProcFs.io(writer, "wchar") > 1 << 20))
        .as("writer has written its first MB")
        .isTrue();
    long before = ProcFs.io(writer, "wchar");
    long t0 = System.nanoTime();
    Thread.sleep(2000);
    long after = ProcFs.io(writer, "wchar");
    double seconds = (System.nanoTime() - t0) / 1e9;
    double mbps = (after - before) / seconds / (1 << 20);
    System.out.printf(
        "disk-io: %.1f MB/s written (asked 8), write_bytes=%d%n",
        mbps, ProcFs.io(writer, "write_bytes"));
    // paced from its own start, the writer is never ahead of 8 MiB/s by more than a block
    // (plus 1 MiB for the JVM's own writes): a ceiling whatever the load; over a 2 s window
    // it may catch up on a stall, so that window is held only to a quarter of the rate, which
    // still fails a writer that does not write or slips a unit (a loaded disk slows fsync)
    double life = Duration.between(launched, Instant.now()).toNanos() / 1e9;
    assertThat(ProcFs.io(writer, "wchar"))
        .as("bytes written in %.1f s since launch", life)
        .isLessThanOrEqualTo((long) (life * (8 << 20)) + (256 << 10) + (1 << 20));
    assertThat(mbps).as("MB/s written").isGreaterThanOrEqualTo(2.0);
    assertThat(Files.size(dir.resolve("load.bin"))).isPositive();

    String restored = fault.recover(target, applied.recovery());
    assertThat(restored).isEqualTo("disk writer pid=" + writer + " stopped; removed " + dir);
    assertThat(dir).doesNotExist();
    // killed at recovery; reaped by its parent a moment later
    long reapBy = System.currentTimeMillis() + 10_000;
    while (ProcessHandle.of(writer).map(ProcessHandle::isAlive).orElse(false)
        && System.currentTimeMillis() < reapBy) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(writer).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(fault.recover(target, applied.recovery()))
        .isEqualTo("disk writer pid=" + writer + " already gone; already gone: " + dir);
  }

  @Test
  void writerStopsAndRemovesItsDirectoryByItselfAtTheDeadline() throws Exception {
    long start = System.nanoTime();
    Applied applied = fault.apply(target, Map.of("dir", parent.toString()), Duration.ofSeconds(2));
    Path dir = Path.of(applied.recovery().get("dir"));
    ProcessHandle writer =
        ProcessHandle.of(Long.parseLong(applied.recovery().get("writerPid"))).orElseThrow();
    writer.onExit().get(20, TimeUnit.SECONDS);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1900);
    assertThat(dir).doesNotExist();
  }

  @Test
  void recoveryNeverRemovesADirectoryItDidNotCreate() throws Exception {
    Path precious = Files.createDirectory(parent.resolve("precious"));
    String restored = fault.recover(target, Map.of("dir", precious.toString()));
    assertThat(restored).contains("refusing to remove " + precious);
    assertThat(precious).exists();
  }

  @Test
  void rejectsBadParametersNamingThem() {
    assertThatThrownBy(() -> fault.spec().check(Map.of("mbps", "10000")))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("parameters.mbps")
        .hasMessageContaining("from 1 to 512");
    assertThatThrownBy(() -> fault.spec().check(Map.of("block-kb", "1")))
        .hasMessageContaining("parameters.block-kb");
    assertThatThrownBy(() -> fault.validate(Map.of("dir", "relative/dir")))
        .hasMessageContaining("parameters.dir")
        .hasMessageContaining("absolute path of a writable directory");
  }
}
