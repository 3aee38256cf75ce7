package io.faultline.agent.local;

import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.ProcessFault;
import io.faultline.agent.ProcessTarget;
import io.faultline.agent.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code pause-process}: SIGSTOP (the process hangs, connections time out), SIGCONT on recover. */
public final class PauseProcess extends ProcessFault {

  @Override
  public FaultSpec spec() {
    return FaultSpecs.PAUSE_PROCESS;
  }

  @Override
  public Overlap overlap() {
    return Overlap.SHARE; // a second SIGSTOP is the same stop; the last holder sends SIGCONT
  }

  @Override
  public Set<Long> stops(Target target) {
    return Set.of(((ProcessTarget) target).pid());
  }

  @Override
  public Applied apply(ProcessTarget target, Map<String, String> parameters, Duration duration)
      throws Exception {
    target.requireRunning();
    // STARTED follows this: the target is stopped by then, not only signalled
    ProcessSignal.STOP.send(target.pid());
    return new Applied(
        List.of(target.describe() + " SIGSTOP"), Map.of("pid", Long.toString(target.pid())));
  }

  @Override
  public String recover(ProcessTarget target, Map<String, String> recovery) throws Exception {
    long pid = Long.parseLong(recovery.getOrDefault("pid", Long.toString(target.pid())));
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      ProcessSignal.CONT.send(pid);
      return target.name() + " pid=" + pid + " SIGCONT";
    }
    return target.name() + " pid=" + pid + " is gone; nothing to resume";
  }
}
