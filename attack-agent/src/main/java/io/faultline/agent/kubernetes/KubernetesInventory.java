package io.faultline.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.TargetInventory;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Pods, nodes and zones of the allowed namespaces, with their groups, for selection. */
public final class KubernetesInventory {

  private KubernetesInventory() {}

  /** Pods of the selector's namespace (or all allowed ones) with its labels; name ns/pod. */
  public static TargetInventory pods(KubernetesScope scope) {
    return TargetInventory.of("pod", selector -> podTargets(scope, selector));
  }

  /** Nodes with the selector's labels, grouped by their own faultline.io/group label. */
  public static TargetInventory nodes(KubernetesScope scope) {
    return TargetInventory.of(
        "node",
        selector -> {
          List<ClusterTarget> targets = new ArrayList<>();
          for (Node n : scope.nodes(selector.getLabels())) {
            Map<String, String> attributes = new HashMap<>();
            attributes.put("node", n.getMetadata().getName());
            String zone = KubernetesScope.zone(n);
            if (zone != null) {
              attributes.put("zone", zone);
            }
            targets.add(
                new ClusterTarget(
                    "node",
                    n.getMetadata().getName(),
                    KubernetesScope.group(n.getMetadata().getLabels()),
                    attributes));
          }
          return targets;
        });
  }

  /**
   * Zones (the {@code topology.kubernetes.io/zone} values of nodes). A zone is EXPERIMENTAL when
   * EXPERIMENTAL pods of the allowed namespaces run there or one of its nodes is labelled so; else
   * CONTROL when control pods or nodes are there, else UNKNOWN (never attacked).
   */
  public static TargetInventory zones(KubernetesScope scope) {
    return TargetInventory.of(
        "zone",
        selector -> {
          Map<String, String> nodeZone = new HashMap<>();
          Map<String, Group> zoneGroup = new TreeMap<>();
          for (Node n : scope.nodes(Map.of())) {
            String zone = KubernetesScope.zone(n);
            if (zone == null) {
              continue;
            }
            nodeZone.put(n.getMetadata().getName(), zone);
            zoneGroup.merge(
                zone, KubernetesScope.group(n.getMetadata().getLabels()), KubernetesInventory::max);
          }
          for (String ns : scope.namespaces(selector)) {
            for (Pod p : scope.livePods(ns, selector.getLabels())) {
              String zone = nodeZone.get(p.getSpec() == null ? null : p.getSpec().getNodeName());
              if (zone != null) {
                zoneGroup.merge(
                    zone,
                    KubernetesScope.group(p.getMetadata().getLabels()),
                    KubernetesInventory::max);
              }
            }
          }
          // a zone's nodes, sorted: the blast radius counts the pods on them as in it
          Map<String, java.util.SortedSet<String>> zoneNodes = new HashMap<>();
          nodeZone.forEach(
              (node, zone) -> zoneNodes.computeIfAbsent(zone, z -> new TreeSet<>()).add(node));
          List<ClusterTarget> targets = new ArrayList<>();
          zoneGroup.forEach(
              (zone, group) ->
                  targets.add(
                      new ClusterTarget(
                          "zone",
                          zone,
                          group,
                          Map.of(
                              "zone",
                              zone,
                              "nodes",
                              String.join(",", zoneNodes.getOrDefault(zone, new TreeSet<>()))))));
          return targets;
        });
  }

  /** EXPERIMENTAL wins over CONTROL, CONTROL over UNKNOWN. */
  private static Group max(Group a, Group b) {
    if (a == Group.EXPERIMENTAL || b == Group.EXPERIMENTAL) {
      return Group.EXPERIMENTAL;
    }
    return a == Group.CONTROL || b == Group.CONTROL ? Group.CONTROL : Group.UNKNOWN;
  }

  static List<ClusterTarget> podTargets(KubernetesScope scope, TargetSelector selector) {
    List<ClusterTarget> targets = new ArrayList<>();
    for (String ns : scope.namespaces(selector)) {
      for (Pod p : scope.livePods(ns, selector.getLabels())) {
        targets.add(podTarget(p));
      }
    }
    return targets;
  }

  static ClusterTarget podTarget(Pod p) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("namespace", p.getMetadata().getNamespace());
    attributes.put("pod", p.getMetadata().getName());
    if (p.getSpec() != null && p.getSpec().getNodeName() != null) {
      attributes.put("node", p.getSpec().getNodeName());
    }
    if (p.getSpec() != null && !p.getSpec().getContainers().isEmpty()) {
      attributes.put("container", p.getSpec().getContainers().get(0).getName());
    }
    String sparkRole =
        p.getMetadata().getLabels() == null
            ? null
            : p.getMetadata().getLabels().get(ExecutorPodDelete.SPARK_ROLE);
    if (sparkRole != null) {
      attributes.put("sparkRole", sparkRole); // driver or executor: what executor-kill selects by
    }
    return new ClusterTarget(
        "pod",
        p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(),
        KubernetesScope.group(p.getMetadata().getLabels()),
        attributes);
  }
}
