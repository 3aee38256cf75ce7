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
 * The faults this agent can run, by name, and where the targets of each kind come from. Every fault
 * is one of the catalogue's ({@link FaultSpecs}); a fault whose kind is not configured (Kubernetes
 * without namespaces, AWS not enabled) is reported with the key that turns it on.
 */
public final class FaultCatalog {

  /** Every selector kind faultline knows, with the config that enables the cloud ones. */
  static final Map<String, String> KINDS = FaultSpecs.KINDS;

  /**
   * Every fault of the catalogue, with no client behind the cluster ones: for checking commands and
   * files as an agent would (parameters, kinds) where no cluster is at hand. Never applies.
   */
  public static FaultCatalog offline() {
    FaultCatalog catalog = local(AttackAgent.localExecutors(), List::of);
    new CloudFaults(
            new io.faultline.agent.kubernetes.KubernetesScope(null, List.of()),
            null,
            null,
            new io.faultline.agent.aws.AwsFaults(null, null))
        .register(catalog);
    return catalog;
  }

  /** The config key that gives an agent the fault, for "not enabled" messages; null if unknown. */
  static String enabledBy(String fault) {
    return FaultSpecs.named(fault).map(s -> KINDS.get(s.kind())).orElse(null);
  }

  /**
   * The checks a START command's fault gets before targets are chosen: the fault is known, takes
   * targets of {@code kind}, and its parameters pass the catalogue's and the fault's own checks.
   */
  public void check(String fault, String kind, Map<String, String> parameters) {
    Fault f = faults.get(fault);
    if (f == null) {
      throw new InvalidRecordException(
          "fault", "'" + fault + "' is unknown" + FaultSpecs.hint(fault));
    }
    // the spec's kinds: an offline catalog checks files of every platform (executor-kill: process
    // locally, pod on Kubernetes); an agent's targets() holds a START to its own fault's kind
    if (!f.spec().kinds().contains(kind)) {
      throw new InvalidRecordException(
          "target.kind",
          "'"
              + kind
              + "': fault "
              + fault
              + " takes targets of kind "
              + String.join(" or ", f.spec().kinds()));
    }
    f.check(parameters);
  }

  private final Map<String, Fault> faults = new TreeMap<>();
  private final Map<String, TargetInventory> inventories = new LinkedHashMap<>();

  /** Only the local process faults, reading targets from {@code targets}. */
  static FaultCatalog local(
      Map<String, ? extends Fault> executors, Supplier<List<ProcessTarget>> targets) {
    FaultCatalog catalog = new FaultCatalog();
    executors.values().forEach(catalog::add);
    // labels (zone, role) narrow the set the blast radius is counted against, as for pods
    catalog.add(
        TargetInventory.of(
            "process",
            selector ->
                targets.get().stream().filter(t -> t.matches(selector.getLabels())).toList()));
    return catalog;
  }

  public FaultCatalog add(Fault fault) {
    if (FaultSpecs.named(fault.fault()).orElse(null) != fault.spec()) {
      throw new IllegalArgumentException(fault.fault() + " is not a fault of FaultSpecs.ALL");
    }
    faults.put(fault.fault(), fault);
    return this;
  }

  public FaultCatalog add(TargetInventory inventory) {
    inventories.put(inventory.kind(), inventory);
    return this;
  }

  Fault fault(String name) {
    return faults.get(name);
  }

  Map<String, Fault> faults() {
    return Collections.unmodifiableMap(faults);
  }

  /** The names of the faults this catalog runs. */
  public java.util.Set<String> names() {
    return Collections.unmodifiableSet(faults.keySet());
  }

  /** The targets of the selector's kind, of every group; the kind must match the fault's. */
  List<Target> targets(TargetSelector selector, Fault fault) {
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
