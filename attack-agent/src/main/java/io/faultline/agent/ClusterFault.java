package io.faultline.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A fault on a Kubernetes or AWS target: one small class per fault with {@code apply} and {@code
 * recover}, like {@link FaultExecutor} for local processes. Targets are chosen once, by the agent,
 * before {@code apply} runs; {@code recover} gets the target's attributes and the recovery data of
 * {@code apply} merged (from attack.state when another agent recovers an orphan).
 */
public interface ClusterFault {

  /** The fault's name, target kind and parameters, from the catalogue ({@link FaultSpecs}). */
  FaultSpec spec();

  /** The fault's name in commands, e.g. {@code zone-outage}. */
  default String fault() {
    return spec().name();
  }

  /** The selector kind it takes: pod, node, zone, ec2 or fis-template. */
  default String kind() {
    return spec().kind();
  }

  /**
   * Checks what the catalogue cannot, before anything is touched; the spec's checks have passed.
   * Throws InvalidRecordException.
   */
  default void validate(Map<String, String> parameters) {}

  /**
   * Narrows the selector's EXPERIMENTAL candidates by the fault's own parameters (e.g. the zone of
   * ec2-zone-outage) before the mode picks some; the blast radius is still counted against all.
   */
  default List<ClusterTarget> narrow(List<ClusterTarget> candidates, Map<String, String> params) {
    return candidates;
  }

  FaultExecutor.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) throws Exception;

  /** Undoes {@link #apply}; returns what was restored, for the event. */
  String recover(ClusterTarget target, Map<String, String> recovery) throws Exception;
}
