package io.faultline.agent;

import io.faultline.schema.Group;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fault on a Kubernetes or AWS target: the agent hands it {@link ClusterTarget}s of its kind.
 * {@code recover} gets the target's attributes and the recovery data of {@code apply} merged (from
 * attack.state when another agent recovers an orphan).
 */
public abstract class ClusterFault implements Fault {

  @Override
  public final Applied apply(Target target, Map<String, String> parameters, Duration duration)
      throws Exception {
    return apply((ClusterTarget) target, parameters, duration);
  }

  @Override
  public final String recover(Target target, Map<String, String> recovery) throws Exception {
    Map<String, String> merged = new HashMap<>(target.stateEntries());
    merged.putAll(recovery);
    return recover((ClusterTarget) target, merged);
  }

  @Override
  public final List<Target> narrow(List<Target> candidates, Map<String, String> parameters) {
    List<ClusterTarget> typed = candidates.stream().map(ClusterTarget.class::cast).toList();
    return List.copyOf(narrowClusters(typed, parameters));
  }

  /** {@link Fault#narrow} for cluster targets; all of them unless the fault says otherwise. */
  protected List<ClusterTarget> narrowClusters(
      List<ClusterTarget> candidates, Map<String, String> parameters) {
    return candidates;
  }

  public abstract Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception;

  /** Undoes {@link #apply}; returns what was restored, for the event. */
  public abstract String recover(ClusterTarget target, Map<String, String> recovery)
      throws Exception;

  @Override
  public final Target fromState(String name, Map<String, String> values) {
    return new ClusterTarget(kind(), name, Group.EXPERIMENTAL, values);
  }
}
