package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultCatalog;
import java.util.List;

/** Registers the Kubernetes faults and the pod, node and zone inventories of one scope. */
public final class KubernetesFaults {

  /** The faults this package provides (for "not configured" messages). */
  public static final List<String> NAMES =
      List.of(
          "container-kill",
          "pod-cpu-stress",
          "pod-delete",
          "pod-memory-stress",
          "pod-network-delay",
          "zone-outage",
          "node-drain");

  private KubernetesFaults() {}

  public static void register(
      FaultCatalog catalog, KubernetesScope scope, String stressImage, String networkImage) {
    catalog
        .add(new PodDelete(scope))
        .add(new ContainerKill(scope))
        .add(PodStress.cpu(scope, stressImage))
        .add(PodStress.memory(scope, stressImage))
        .add(new PodNetworkDelay(scope, networkImage))
        .add(NodeOutage.zoneOutage(scope))
        .add(NodeOutage.nodeDrain(scope))
        .add(KubernetesInventory.pods(scope))
        .add(KubernetesInventory.nodes(scope))
        .add(KubernetesInventory.zones(scope));
  }
}
