package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.InvalidRecordException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cpu-burn}: a separate burner process competing for the target's CPUs. When the target is
 * pinned ({@code cpus} in its target file) the burner is pinned to the same CPUs with taskset, so
 * only the target suffers; otherwise it burns wherever the scheduler puts it. Parameters: {@code
 * cores} (burner threads, 1..64, default 1) and {@code percent} (1..100, default 100). The burner
 * also stops itself a few seconds after the attack's duration, even if this agent dies.
 */
public final class CpuBurn implements FaultExecutor {

  private static final Logger log = LoggerFactory.getLogger(CpuBurn.class);

  @Override
  public String fault() {
    return "cpu-burn";
  }

  @Override
  public void validate(Map<String, String> parameters) {
    intParam(parameters, "cores", 1, 1, 64);
    intParam(parameters, "percent", 100, 1, 100);
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    if (!target.isAlive()) {
      throw new IllegalStateException(target.describe() + " is not running");
    }
    int cores = intParam(parameters, "cores", 1, 1, 64);
    int percent = intParam(parameters, "percent", 100, 1, 100);
    List<String> prefix = new ArrayList<>();
    boolean pinned = target.cpus() != null && onPath("taskset");
    if (pinned) {
      prefix.addAll(List.of("taskset", "-c", target.cpus()));
    }
    Process burner =
        ChildJvm.start(
            prefix,
            CpuBurner.class,
            32,
            List.of(
                "--threads",
                Integer.toString(cores),
                "--percent",
                Integer.toString(percent),
                "--max-seconds",
                Long.toString(duration.toSeconds() + 5)));
    log.info(
        "cpu-burn on {}: burner pid {} ({} threads at {}%{})",
        target.describe(),
        burner.pid(),
        cores,
        percent,
        pinned ? ", pinned to cpus " + target.cpus() : ", unpinned");
    return new Applied(
        List.of(
            target.describe()
                + " burner pid="
                + burner.pid()
                + " threads="
                + cores
                + " percent="
                + percent
                + (pinned ? " cpus=" + target.cpus() : "")),
        Map.of("burnerPid", Long.toString(burner.pid())));
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    return ChildJvm.stop("burner", "burnerPid", recovery);
  }

  static int intParam(Map<String, String> parameters, String name, int def, int min, int max) {
    String raw = parameters.get(name);
    if (raw == null) {
      return def;
    }
    try {
      int v = Integer.parseInt(raw.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new InvalidRecordException(
        "parameters." + name, "'" + raw + "': must be a whole number from " + min + " to " + max);
  }

  static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
