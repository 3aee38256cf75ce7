package io.faultline.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.schema.Group;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code zone-outage} (kind zone) and {@code node-drain} (kind node, the selected nodes only):
 * cordons every node labelled {@code topology.kubernetes.io/zone=<zone>} and evicts the
 * EXPERIMENTAL pods of the allowed namespaces on them through the Eviction API, which respects
 * PodDisruptionBudgets (a refused eviction is reported, not forced); with parameter {@code
 * force=true} it deletes them instead. CONTROL pods on those nodes keep running (a cordon only
 * stops new pods from landing). Recover uncordons exactly the nodes it cordoned: a node cordoned
 * before the attack stays cordoned. Evicted pods are recreated by their controllers elsewhere.
 */
public final class NodeOutage extends ClusterFault {

  /**
   * Marks the nodes this fault cordoned, so that even an orphan without recovery data is undone.
   */
  public static final String CORDONED_BY = "faultline.io/cordoned-by";

  private final String cordon;
  private static final String UNCORDON =
      "{\"metadata\":{\"annotations\":{\""
          + CORDONED_BY
          + "\":null}},\"spec\":{\"unschedulable\":null}}";

  private final KubernetesScope scope;
  private final FaultSpec spec;
  private final String kind;

  private NodeOutage(KubernetesScope scope, FaultSpec spec) {
    this.scope = scope;
    this.spec = spec;
    this.kind = spec.kind();
    String fault = spec.name();
    this.cordon =
        "{\"metadata\":{\"annotations\":{\""
            + CORDONED_BY
            + "\":\""
            + fault
            + "\"}},\"spec\":{\"unschedulable\":true}}";
  }

  /** Every node of the zone. */
  public static NodeOutage zoneOutage(KubernetesScope scope) {
    return new NodeOutage(scope, FaultSpecs.ZONE_OUTAGE);
  }

  /** The selected node. */
  public static NodeOutage nodeDrain(KubernetesScope scope) {
    return new NodeOutage(scope, FaultSpecs.NODE_DRAIN);
  }

  @Override
  public FaultSpec spec() {
    return spec;
  }

  @Override
  public Overlap overlap() {
    return Overlap.REFUSE; // a second cordon finds the first one's mark and would lift it
  }

  /** The nodes the target stands for, as they are now. */
  private List<Node> nodes(ClusterTarget target) {
    if (kind.equals("zone")) {
      return scope.nodes(Map.of(KubernetesScope.ZONE_LABEL, target.attribute("zone")));
    }
    Node node = scope.client().nodes().withName(target.attribute("node")).get();
    return node == null ? List.of() : List.of(node);
  }

  @Override
  public Fault.Applied apply(
      ClusterTarget target, Map<String, String> parameters, Duration duration) {
    boolean force = spec.flag(parameters, "force");
    List<Node> nodes = nodes(target);
    if (nodes.isEmpty()) {
      throw new IllegalStateException(kind + " " + target.name() + " has no nodes");
    }
    List<String> touched = new ArrayList<>();
    List<String> cordoned = new ArrayList<>();
    List<String> before = new ArrayList<>();
    for (Node n : nodes) {
      String name = n.getMetadata().getName();
      if (KubernetesScope.cordoned(n)) {
        before.add(name);
        touched.add("node " + name + " was already cordoned; left as it is");
      } else {
        scope.client().nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), cordon);
        cordoned.add(name);
        touched.add("node " + name + " cordoned");
      }
    }
    Set<String> names =
        nodes.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    List<String> evicted = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String ns : scope.namespaces()) {
      for (Pod p : scope.livePods(ns, Map.of(KubernetesScope.GROUP_LABEL, "experimental"))) {
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        if (node == null
            || !names.contains(node)
            || KubernetesScope.group(p.getMetadata().getLabels()) != Group.EXPERIMENTAL) {
          continue;
        }
        String id = ns + "/" + p.getMetadata().getName();
        var pod = scope.client().pods().inNamespace(ns).withName(p.getMetadata().getName());
        if (force) {
          pod.delete();
          evicted.add(id);
          touched.add("pod " + id + " deleted (force) on node " + node);
        } else if (pod.evict()) {
          evicted.add(id);
          touched.add("pod " + id + " evicted from node " + node);
        } else {
          refused.add(id);
          touched.add(
              "pod " + id + " on node " + node + ": eviction refused (PodDisruptionBudget)");
        }
      }
    }
    Map<String, String> recovery = new TreeMap<>();
    recovery.put("cordoned", String.join(",", cordoned));
    recovery.put("alreadyCordoned", String.join(",", before));
    recovery.put("evicted", String.join(",", evicted));
    recovery.put("evictionRefused", String.join(",", refused));
    return new Fault.Applied(touched, recovery);
  }

  @Override
  public String recover(ClusterTarget target, Map<String, String> recovery) {
    List<String> uncordoned = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    // what apply recorded, plus any node of the target it marked (an agent that died mid-apply
    // recorded nothing); a node cordoned before the attack carries no mark
    Set<String> ours = new java.util.LinkedHashSet<>(split(recovery.get("cordoned")));
    for (Node n : nodes(target)) {
      Map<String, String> annotations = n.getMetadata().getAnnotations();
      if (annotations != null && annotations.get(CORDONED_BY) != null) {
        ours.add(n.getMetadata().getName());
      }
    }
    for (String name : ours) {
      try {
        scope
            .client()
            .nodes()
            .withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), UNCORDON);
        uncordoned.add(name);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        gone.add(name);
      }
    }
    StringBuilder s =
        new StringBuilder(kind)
            .append(' ')
            .append(target.name())
            .append(": uncordoned ")
            .append(uncordoned.isEmpty() ? "no node" : String.join(", ", uncordoned));
    List<String> before = split(recovery.get("alreadyCordoned"));
    if (!before.isEmpty()) {
      s.append("; left cordoned as before the attack: ").append(String.join(", ", before));
    }
    if (!gone.isEmpty()) {
      s.append("; nodes gone meanwhile: ").append(String.join(", ", gone));
    }
    return s.toString();
  }

  private static List<String> split(String list) {
    if (list == null || list.isBlank()) {
      return List.of();
    }
    return Arrays.stream(list.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
  }
}
