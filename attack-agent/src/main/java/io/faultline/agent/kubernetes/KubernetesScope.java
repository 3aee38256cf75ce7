package io.faultline.agent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.faultline.agent.ClusterTarget;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of a cluster the agent may touch: a client and the namespaces from {@code
 * agent.kubernetes.namespaces}. Groups come from the label {@code faultline.io/group}.
 */
public record KubernetesScope(KubernetesClient client, List<String> namespaces) {

  public static final String GROUP_LABEL = "faultline.io/group";
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  public KubernetesScope {
    namespaces = List.copyOf(namespaces);
  }

  public static Group group(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(GROUP_LABEL);
    if (value == null) {
      return Group.UNKNOWN;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "experimental" -> Group.EXPERIMENTAL;
      case "control" -> Group.CONTROL;
      default -> Group.UNKNOWN; // never attackable
    };
  }

  /** The selector's namespace (which must be allowed), or every allowed namespace. */
  public List<String> namespaces(TargetSelector selector) {
    String ns = selector == null ? null : selector.getNamespace();
    if (ns == null || ns.isBlank()) {
      return namespaces;
    }
    if (!namespaces.contains(ns)) {
      throw new InvalidRecordException(
          "target.namespace",
          "'" + ns + "' is not one of agent.kubernetes.namespaces " + namespaces);
    }
    return List.of(ns);
  }

  /** The pod a target is (its {@code namespace} and {@code pod} attributes). */
  public PodResource pod(ClusterTarget target) {
    return client
        .pods()
        .inNamespace(target.attribute("namespace"))
        .withName(target.attribute("pod"));
  }

  /** Pods that run or will run: not terminating, not finished. */
  public List<Pod> livePods(String namespace, Map<String, String> labels) {
    List<Pod> pods = new ArrayList<>();
    var op = client.pods().inNamespace(namespace);
    var items = (labels == null || labels.isEmpty() ? op : op.withLabels(labels)).list().getItems();
    for (Pod p : items) {
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      if (p.getMetadata().getDeletionTimestamp() == null
          && !"Succeeded".equals(phase)
          && !"Failed".equals(phase)) {
        pods.add(p);
      }
    }
    return pods;
  }

  public List<Node> nodes(Map<String, String> labels) {
    var op = client.nodes();
    return (labels == null || labels.isEmpty() ? op : op.withLabels(labels)).list().getItems();
  }

  public static String zone(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? null : labels.get(ZONE_LABEL);
  }

  public static boolean cordoned(Node node) {
    return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }
}
