package io.faultline.agent;

import io.faultline.schema.Group;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A process fault ({@link FaultExecutor}) or a cluster fault ({@link ClusterFault}), seen alike by
 * the agent: the targets handed to it are always of its kind, since selection asked its kind's
 * inventory.
 */
interface AgentFault {

  FaultSpec spec();

  String fault();

  String kind();

  /** The catalogue's checks of the parameters, then the fault's own; throws naming the field. */
  void validate(Map<String, String> parameters);

  List<Target> narrow(List<Target> candidates, Map<String, String> parameters);

  FaultExecutor.Applied apply(Target target, Map<String, String> parameters, Duration duration)
      throws Exception;

  String recover(Target target, Map<String, String> recovery) throws Exception;

  /** Rebuilds a target from what attack.state recorded about it, for orphan recovery. */
  Target fromState(String name, Map<String, String> values);

  static AgentFault of(FaultExecutor executor) {
    return new AgentFault() {
      @Override
      public FaultSpec spec() {
        return executor.spec();
      }

      @Override
      public String fault() {
        return executor.fault();
      }

      @Override
      public String kind() {
        return "process";
      }

      @Override
      public void validate(Map<String, String> parameters) {
        executor.spec().check(parameters);
        executor.validate(parameters);
      }

      @Override
      public List<Target> narrow(List<Target> candidates, Map<String, String> parameters) {
        return candidates;
      }

      @Override
      public FaultExecutor.Applied apply(
          Target target, Map<String, String> parameters, Duration duration) throws Exception {
        return executor.apply((ProcessTarget) target, parameters, duration);
      }

      @Override
      public String recover(Target target, Map<String, String> recovery) throws Exception {
        return executor.recover((ProcessTarget) target, recovery);
      }

      @Override
      public Target fromState(String name, Map<String, String> values) {
        long pid = Long.parseLong(values.getOrDefault("pid", "-1"));
        return new ProcessTarget(name, Group.EXPERIMENTAL, pid, "", 0, null);
      }
    };
  }

  static AgentFault of(ClusterFault cluster) {
    return new AgentFault() {
      @Override
      public FaultSpec spec() {
        return cluster.spec();
      }

      @Override
      public String fault() {
        return cluster.fault();
      }

      @Override
      public String kind() {
        return cluster.kind();
      }

      @Override
      public void validate(Map<String, String> parameters) {
        cluster.spec().check(parameters);
        cluster.validate(parameters);
      }

      @Override
      public List<Target> narrow(List<Target> candidates, Map<String, String> parameters) {
        List<ClusterTarget> typed = candidates.stream().map(ClusterTarget.class::cast).toList();
        return List.copyOf(cluster.narrow(typed, parameters));
      }

      @Override
      public FaultExecutor.Applied apply(
          Target target, Map<String, String> parameters, Duration duration) throws Exception {
        return cluster.apply((ClusterTarget) target, parameters, duration);
      }

      @Override
      public String recover(Target target, Map<String, String> recovery) throws Exception {
        Map<String, String> merged = new HashMap<>(target.stateEntries());
        merged.putAll(recovery);
        return cluster.recover((ClusterTarget) target, merged);
      }

      @Override
      public Target fromState(String name, Map<String, String> values) {
        return new ClusterTarget(cluster.kind(), name, Group.EXPERIMENTAL, values);
      }
    };
  }
}
