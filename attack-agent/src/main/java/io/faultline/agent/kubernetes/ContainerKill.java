package io.faultline.agent.kubernetes;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code container-kill}: signals the main process (PID 1) of a container through pods/exec, {@code
 * kill -TERM 1} by default (parameters {@code container}, default the pod's first; {@code signal}
 * TERM, INT, QUIT or HUP: the kernel ignores SIGKILL sent to PID 1 from inside its own namespace).
 * The kubelet restarts the container by the pod's restartPolicy; nothing to undo.
 */
public final class ContainerKill extends ClusterFault {

  private final KubernetesScope scope;

  public ContainerKill(KubernetesScope scope) {
    this.scope = scope;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.CONTAINER_KILL;
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String named = spec().text(parameters, "container");
    String container = named != null ? named : target.attribute("container");
    String signal = spec().text(parameters, "signal");
    PodExec.runChecked(
        scope.client(),
        target.attribute("namespace"),
        target.attribute("pod"),
        container,
        Duration.ofSeconds(30),
        "kill",
        "-" + signal,
        "1");
    return new Fault.Applied(
        List.of(
            "pod "
                + target.name()
                + " container "
                + container
                + " PID 1 sent SIG"
                + signal
                + PodDelete.where(target)),
        Map.of("killedContainer", container));
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) {
    return "pod "
        + target.name()
        + " container "
        + recovery.getOrDefault("killedContainer", "?")
        + ": restarted by the kubelet per restartPolicy; nothing to undo";
  }
}
