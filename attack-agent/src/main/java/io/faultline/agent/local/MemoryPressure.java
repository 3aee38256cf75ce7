package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code memory-pressure}: a holder process beside the target takes {@code mb} megabytes ({@link
 * FaultSpecs#MEMORY_PRESSURE}) of resident memory, touched page by page, so the host (or the
 * target's cgroup, when they share one) has that much less. Recovery ends the holder; the holder
 * also exits by itself at the attack's deadline. Refused when the host would be left with less than
 * {@value #KEEP_FREE_MB} MB available.
 */
public final class MemoryPressure extends ProcessFault {

  static final int KEEP_FREE_MB = 512;
  private static final Logger log = LoggerFactory.getLogger(MemoryPressure.class);

  @Override
  public FaultSpec spec() {
    return FaultSpecs.MEMORY_PRESSURE;
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    target.requireRunning();
    int mb = spec().integer(parameters, "mb");
    long available = availableMb();
    if (available >= 0 && mb > available - KEEP_FREE_MB) {
      throw new IllegalStateException(
          "parameters.mb "
              + mb
              + ": the host has "
              + available
              + " MB available and must keep "
              + KEEP_FREE_MB
              + " MB; ask for at most "
              + Math.max(0, available - KEEP_FREE_MB));
    }
    long deadline = System.currentTimeMillis() + duration.toMillis();
    Process holder =
        ChildJvm.start(
            List.of(),
            MemoryHolder.class,
            mb + 64,
            List.of("--mb", Integer.toString(mb), "--until", Long.toString(deadline)));
    log.info(
        "memory-pressure on {}: holder pid {} takes {} MB", target.describe(), holder.pid(), mb);
    return new Applied(
        List.of(target.describe() + " memory holder pid=" + holder.pid() + " mb=" + mb),
        Map.of("holderPid", Long.toString(holder.pid())));
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ChildJvm.stop("memory holder", "holderPid", recovery);
  }

  /** MemAvailable from /proc/meminfo in MB, or -1 where there is none. */
  static long availableMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no check
    }
    return -1;
  }
}
