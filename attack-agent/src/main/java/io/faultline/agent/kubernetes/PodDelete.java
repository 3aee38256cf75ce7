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
 * {@code pod-delete}: deletes the pod (parameter {@code gracePeriodSeconds}, default the pod's
 * own); its controller creates a new one. Recovery has nothing to undo and says so.
 */
public final class PodDelete extends ClusterFault {

  private final KubernetesScope scope;

  public PodDelete(KubernetesScope scope) {
    this.scope = scope;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.POD_DELETE;
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) {
    var pod = scope.pod(target);
    Integer grace = spec().integerOrNull(parameters, "gracePeriodSeconds");
    return deleted(
        "pod", target, grace != null ? pod.withGracePeriod(grace).delete() : pod.delete());
  }

  /**
   * What deleting the pod {@code target} (a "pod", an "executor pod") did: its line, or an error
   * when the API deleted nothing because the pod was already gone.
   */
  static Fault.Applied deleted(String what, ClusterTarget target, List<?> deletions) {
    if (deletions.isEmpty()) {
      throw new IllegalStateException(what + " " + target.name() + " was already gone");
    }
    return new Fault.Applied(
        List.of(what + " " + target.name() + " deleted" + where(target)),
        Map.of("deleted", "true"));
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) {
    return "pod " + target.name() + ": its controller recreates it; nothing to undo";
  }

  static String where(ClusterTarget target) {
    String node = target.attributes().get("node");
    return node == null ? "" : " (node " + node + ")";
  }
}
