package io.faultline.agent.kubernetes;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.FaultExecutor;
import io.faultline.agent.FaultParameters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code container-kill}: signals the main process (PID 1) of a container through pods/exec, {@code
 * kill -TERM 1} by default (parameters {@code container}, default the pod's first; {@code signal}
 * TERM, INT, QUIT or HUP: the kernel ignores SIGKILL sent to PID 1 from inside its own namespace).
 * The kubelet restarts the container by the pod's restartPolicy; nothing to undo.
 */
public final class ContainerKill implements ClusterFault {

  static final Set<String> SIGNALS = Set.of("TERM", "INT", "QUIT", "HUP");

  private final KubernetesScope scope;

  public ContainerKill(KubernetesScope scope) {
    this.scope = scope;
  }

  @Override
  public String fault() {
    return "container-kill";
  }

  @Override
  public String kind() {
    return "pod";
  }

  @Override
  public void validate(Map<String, String> parameters) {
    FaultParameters.oneOf(parameters, "signal", "TERM", SIGNALS);
  }

  @Override
  public FaultExecutor.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception {
    String container = parameters.getOrDefault("container", target.attribute("container"));
    String signal = FaultParameters.oneOf(parameters, "signal", "TERM", SIGNALS);
    PodExec.runChecked(
        scope.client(),
        target.attribute("namespace"),
        target.attribute("pod"),
        container,
        Duration.ofSeconds(30),
        "kill",
        "-" + signal,
        "1");
    return new FaultExecutor.Applied(
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
