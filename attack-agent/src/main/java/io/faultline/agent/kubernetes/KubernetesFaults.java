package io.faultline.agent.kubernetes;

import io.faultline.agent.FaultCatalog;

/** Registers the Kubernetes faults and the pod, node and zone inventories of one scope. */
public final class KubernetesFaults {

  private KubernetesFaults() {}

  public static void register(
      FaultCatalog catalog, KubernetesScope scope, String stressImage, String networkImage) {
    catalog
        .add(new PodDelete(scope))
        .add(new ExecutorPodDelete(scope)) // in the place of the local executor-kill
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
