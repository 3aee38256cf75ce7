package io.faultline.agent;

import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The faults this agent can run, by name, and where the targets of each kind come from. A kind
 * whose executor is not configured (Kubernetes without namespaces, AWS not enabled) is reported
 * with the key that turns it on.
 */
public final class FaultCatalog {

  /** Every selector kind faultline knows, with the config that enables the cloud ones. */
  static final Map<String, String> KINDS =
      Map.of(
          "process", "agent.targets.dir",
          "pod", "agent.kubernetes.namespaces",
          "node", "agent.kubernetes.namespaces",
          "zone", "agent.kubernetes.namespaces",
          "ec2", "agent.aws.enabled=true",
          "fis-template", "agent.aws.enabled=true");

  /** The cluster faults and the key that turns each on, for a clear message when it is off. */
  static final Map<String, String> OFF =
      Map.of(
          "pod-delete", "agent.kubernetes.namespaces",
          "container-kill", "agent.kubernetes.namespaces",
          "pod-cpu-stress", "agent.kubernetes.namespaces",
          "pod-memory-stress", "agent.kubernetes.namespaces",
          "pod-network-delay", "agent.kubernetes.namespaces",
          "zone-outage", "agent.kubernetes.namespaces",
          "node-drain", "agent.kubernetes.namespaces",
          "ec2-zone-outage", "agent.aws.enabled=true",
          "fis-experiment", "agent.aws.enabled=true");

  private final Map<String, AgentFault> faults = new TreeMap<>();
  private final Map<String, TargetInventory> inventories = new LinkedHashMap<>();

  /** Only the local process faults, reading targets from {@code targets}. */
  static FaultCatalog local(
      Map<String, FaultExecutor> executors, Supplier<List<ProcessTarget>> targets) {
    FaultCatalog catalog = new FaultCatalog();
    executors.values().forEach(catalog::add);
    catalog.add(
        new TargetInventory() {
          @Override
          public String kind() {
            return "process";
          }

          @Override
          public List<? extends Target> list(TargetSelector selector) {
            return targets.get();
          }
        });
    return catalog;
  }

  public FaultCatalog add(FaultExecutor executor) {
    faults.put(executor.fault(), AgentFault.of(executor));
    return this;
  }

  public FaultCatalog add(ClusterFault fault) {
    faults.put(fault.fault(), AgentFault.of(fault));
    return this;
  }

  public FaultCatalog add(TargetInventory inventory) {
    inventories.put(inventory.kind(), inventory);
    return this;
  }

  AgentFault fault(String name) {
    return faults.get(name);
  }

  Map<String, AgentFault> faults() {
    return Collections.unmodifiableMap(faults);
  }

  /** The targets of the selector's kind, of every group; the kind must match the fault's. */
  List<Target> targets(TargetSelector selector, AgentFault fault) {
    String kind = selector.getKind();
    if (!KINDS.containsKey(kind)) {
      throw new InvalidRecordException(
          "target.kind",
          "'" + kind + "': use one of " + String.join(", ", new TreeMap<>(KINDS).keySet()));
    }
    if (!kind.equals(fault.kind())) {
      throw new InvalidRecordException(
          "target.kind",
          "'" + kind + "': fault " + fault.fault() + " takes targets of kind " + fault.kind());
    }
    TargetInventory inventory = inventories.get(kind);
    if (inventory == null) {
      throw new InvalidRecordException(
          "target.kind",
          "'" + kind + "': this agent has no " + kind + " targets; set " + KINDS.get(kind));
    }
    return List.copyOf(inventory.list(selector));
  }
}
