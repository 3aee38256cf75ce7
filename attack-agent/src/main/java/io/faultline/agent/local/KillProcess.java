package io.faultline.agent.local;

import io.faultline.agent.FaultExecutor;
import io.faultline.agent.ProcessTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code kill-process}: SIGKILL; nothing to undo, the process's supervisor restarts it. */
public final class KillProcess implements FaultExecutor {

  @Override
  public String fault() {
    return "kill-process";
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration) {
    ProcessHandle process =
        ProcessHandle.of(target.pid())
            .filter(ProcessHandle::isAlive)
            .orElseThrow(() -> new IllegalStateException(target.describe() + " is not running"));
    process.destroyForcibly();
    return new Applied(List.of(target.describe() + " SIGKILL"), Map.of());
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) {
    return target.name() + ": nothing to undo; its supervisor restarts it";
  }
}
