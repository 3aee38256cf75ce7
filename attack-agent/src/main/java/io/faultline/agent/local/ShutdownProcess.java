package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Shuts a process down with a signal; nothing to undo, the process's supervisor restarts it (as
 * Kubernetes restarts a container). {@code kill-process} is SIGKILL, {@code terminate-process}
 * SIGTERM, a graceful shutdown.
 */
public final class ShutdownProcess extends ProcessFault {

  private final FaultSpec spec;
  private final boolean forcibly;

  private ShutdownProcess(FaultSpec spec, boolean forcibly) {
    this.spec = spec;
    this.forcibly = forcibly;
  }

  public static ShutdownProcess kill() {
    return new ShutdownProcess(FaultSpecs.KILL_PROCESS, true);
  }

  public static ShutdownProcess terminate() {
    return new ShutdownProcess(FaultSpecs.TERMINATE_PROCESS, false);
  }

  @Override
  public FaultSpec spec() {
    return spec;
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration) {
    ProcessHandle process = target.requireRunning();
    boolean sent = forcibly ? process.destroyForcibly() : process.destroy();
    if (!sent) {
      throw new IllegalStateException("cannot signal " + target.describe());
    }
    return new Applied(List.of(target.describe() + (forcibly ? " SIGKILL" : " SIGTERM")), Map.of());
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) {
    return target.name() + ": nothing to undo; its supervisor restarts it";
  }
}
