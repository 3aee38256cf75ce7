package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import io.faultline.common.Executables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cpu-burn}: a separate burner process competing for the target's CPUs. When the target is
 * pinned ({@code cpus} in its target file) the burner is pinned to the same CPUs with taskset, so
 * only the target suffers; otherwise it burns wherever the scheduler puts it. Parameters {@code
 * cores} and {@code percent} ({@link FaultSpecs#CPU_BURN}). The burner also stops itself a few
 * seconds after the attack's duration, even if this agent dies.
 */
public final class CpuBurn extends ProcessFault {

  private static final Logger log = LoggerFactory.getLogger(CpuBurn.class);

  @Override
  public FaultSpec spec() {
    return FaultSpecs.CPU_BURN;
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    target.requireRunning();
    int cores = spec().integer(parameters, "cores");
    int percent = spec().integer(parameters, "percent");
    List<String> prefix = new ArrayList<>();
    boolean pinned = target.cpus() != null && Executables.onPath("taskset");
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
}
