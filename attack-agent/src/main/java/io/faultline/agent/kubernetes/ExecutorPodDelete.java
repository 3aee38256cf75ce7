package io.faultline.agent.kubernetes;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code executor-kill} on Kubernetes: deletes one Spark executor pod (label {@code
 * spark-role=executor}, which Spark puts on its pods) among the selected EXPERIMENTAL pods, at once
 * (grace period 0, as the local fault's SIGKILL). A driver pod is never deleted: a selection that
 * leaves only drivers is refused naming one. Nothing to undo: the driver asks for a new executor
 * pod and retries the lost tasks.
 */
public final class ExecutorPodDelete extends ClusterFault {

  /** The label Spark puts on its driver and executor pods. */
  static final String SPARK_ROLE = "spark-role";

  private final KubernetesScope scope;

  public ExecutorPodDelete(KubernetesScope scope) {
    this.scope = scope;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.EXECUTOR_KILL;
  }

  @Override
  public String kind() {
    return spec().kindOn("kubernetes");
  }

  @Override
  protected List<ClusterTarget> narrowClusters(
      List<ClusterTarget> candidates, Map<String, String> parameters) {
    List<ClusterTarget> executors =
        candidates.stream().filter(t -> "executor".equals(role(t))).toList();
    if (!executors.isEmpty()) {
      return executors;
    }
    ClusterTarget driver =
        candidates.stream().filter(t -> "driver".equals(role(t))).findFirst().orElse(null);
    if (driver != null) {
      throw new InvalidRecordException(
          "target",
          "pod "
              + driver.name()
              + " is a Spark driver (spark-role=driver): executor-kill never deletes a driver;"
              + " select the application's executor pods (labels spark-role=executor)");
    }
    throw new InvalidRecordException(
        "target",
        "no Spark executor pod (label spark-role=executor) among the "
            + candidates.size()
            + " EXPERIMENTAL pods selected"
            + (candidates.isEmpty()
                ? ""
                : " ("
                    + String.join(", ", candidates.stream().map(ClusterTarget::name).toList())
                    + ")")
            + "; select a Spark application's pods while its job runs");
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) {
    var pod = scope.pod(target);
    var live = pod.get();
    if (live == null) {
      throw new IllegalStateException("executor pod " + target.name() + " was already gone");
    }
    // checked again on the pod itself: selection saw it a moment ago
    Map<String, String> labels = live.getMetadata().getLabels();
    String role = labels == null ? null : labels.get(SPARK_ROLE);
    if (!"executor".equals(role)) {
      throw new IllegalStateException(
          "pod "
              + target.name()
              + " is not a Spark executor (spark-role="
              + role
              + "): not deleted");
    }
    if (KubernetesScope.group(labels) != io.faultline.schema.Group.EXPERIMENTAL) {
      throw new IllegalStateException(
          "pod " + target.name() + " is not in the EXPERIMENTAL group: not deleted");
    }
    return PodDelete.deleted("executor pod", target, pod.withGracePeriod(0).delete());
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) {
    return "executor pod "
        + target.name()
        + ": the Spark driver asks for a new executor and retries its tasks; nothing to undo";
  }

  private static String role(ClusterTarget t) {
    return t.attributes().get("sparkRole");
  }
}
