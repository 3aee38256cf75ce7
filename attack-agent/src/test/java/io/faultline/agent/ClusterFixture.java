package io.faultline.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.faultline.agent.kubernetes.KubernetesScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Nodes in three zones and pods of both groups, in the namespace the agent may touch ("shop") and
 * one it may not ("other"):
 *
 * <pre>
 * zone-a: n-a1 (schedulable), n-a2 (cordoned before any attack)
 * zone-b: n-b1            zone-c: n-c1
 * shop:  exp-1 on n-a1, exp-2 on n-a2, ctl-1 on n-a1 (CONTROL), exp-3 on n-b1, ctl-2 on n-c1
 * other: exp-x on n-a1 (EXPERIMENTAL, but outside agent.kubernetes.namespaces)
 * </pre>
 */
public final class ClusterFixture {

  private ClusterFixture() {}

  public static void create(KubernetesClient client) {
    node(client, "n-a1", "zone-a", false);
    node(client, "n-a2", "zone-a", true);
    node(client, "n-b1", "zone-b", false);
    node(client, "n-c1", "zone-c", false);
    pod(client, "shop", "exp-1", "experimental", "n-a1");
    pod(client, "shop", "exp-2", "experimental", "n-a2");
    pod(client, "shop", "ctl-1", "control", "n-a1");
    pod(client, "shop", "exp-3", "experimental", "n-b1");
    pod(client, "shop", "ctl-2", "control", "n-c1");
    pod(client, "other", "exp-x", "experimental", "n-a1");
  }

  static void node(KubernetesClient client, String name, String zone, boolean cordoned) {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels(KubernetesScope.ZONE_LABEL, zone)
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(cordoned ? Boolean.TRUE : null)
            .endSpec()
            .build();
    client.nodes().resource(node).create();
  }

  static void pod(KubernetesClient client, String ns, String name, String group, String node) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .addToLabels(KubernetesScope.GROUP_LABEL, group)
            .addToLabels("app", "scale")
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("app")
            .withImage("scale:1")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();
    client.pods().inNamespace(ns).resource(pod).create();
  }

  /** A request the mock server received: method and path with query. */
  public record Request(String method, String path, String contentType, String body) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** Takes every request the server has recorded so far (and forgets them). */
  public static List<Request> drain(KubernetesMockServer server) throws InterruptedException {
    List<Request> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      requests.add(
          new Request(r.getMethod(), r.getPath(), r.getHeader("Content-Type"), r.getUtf8Body()));
    }
    return requests;
  }
}
