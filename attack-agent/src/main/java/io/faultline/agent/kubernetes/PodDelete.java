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
    var pod =
        scope
            .client()
            .pods()
            .inNamespace(target.attribute("namespace"))
            .withName(target.attribute("pod"));
    Integer grace = spec().integerOrNull(parameters, "gracePeriodSeconds");
    var deleted = grace != null ? pod.withGracePeriod(grace).delete() : pod.delete();
    if (deleted.isEmpty()) {
      throw new IllegalStateException("pod " + target.name() + " was already gone");
    }
    return new Fault.Applied(
        List.of("pod " + target.name() + " deleted" + where(target)), Map.of("deleted", "true"));
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
