package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KubernetesSourceTest {

  private static final String NS = "scale";
  private static final Instant NOW = Instant.parse("2026-11-25T09:00:00Z");
  private static final String JAVA_TRACE =
      "java.lang.IllegalStateException: boom\n"
          + "\tat io.scale.Web.similar(Web.java:42)\n"
          + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
          + "Caused by: java.io.IOException: disk\n"
          + "\tat io.scale.Store.read(Store.java:7)\n"
          + "\t... 1 more\n";
  private static final String PYTHON_TRACE =
      "Traceback (most recent call last):\n"
          + "  File \"extract.py\", line 3, in <module>\n"
          + "ValueError: bad midi\n";

  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    // CRUD for pods and nodes, expectations for metrics.k8s.io and the logs (what CRUD lacks)
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    // no retries, like the source's own client: a failing API shows in the round it failed
    client =
        server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  private static Pod pod(
      String name, String group, String node, boolean ready, int restarts, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("faultline.io/group", group)
        .addToLabels("app", "scale")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("web")
        .withImage("scale:1")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .addNewContainerStatus()
        .withName("web")
        .withRestartCount(restarts)
        .endContainerStatus()
        .endStatus()
        .build();
  }

  private void node(String name, boolean ready, boolean unschedulable, boolean memoryPressure) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withUnschedulable(unschedulable)
                .endSpec()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .endCondition()
                .addNewCondition()
                .withType("MemoryPressure")
                .withStatus(memoryPressure ? "True" : "False")
                .endCondition()
                .endStatus()
                .build())
        .create();
  }

  private void usage(String group, String... cpuMemPairs) {
    PodMetricsListBuilder list = new PodMetricsListBuilder();
    for (int i = 0; i < cpuMemPairs.length; i += 2) {
      list.addToItems(
          new PodMetricsBuilder()
              .withNewMetadata()
              .withName(group + "-" + i)
              .withNamespace(NS)
              .endMetadata()
              .addNewContainer()
              .withName("web")
              .addToUsage("cpu", new Quantity(cpuMemPairs[i]))
              .addToUsage("memory", new Quantity(cpuMemPairs[i + 1]))
              .endContainer()
              .build());
    }
    server
        .expect()
        .get()
        .withPath(
            "/apis/metrics.k8s.io/v1beta1/namespaces/"
                + NS
                + "/pods?labelSelector="
                + URLEncoder.encode("faultline.io/group=" + group, StandardCharsets.UTF_8))
        .andReturn(200, list.build())
        .always();
  }

  private void log(String pod, Instant since, String text) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NS
                + "/pods/"
                + pod
                + "/log?pretty=false&container=web&sinceTime="
                + since)
        .andReturn(200, text)
        .always();
  }

  private void cluster() throws Exception {
    node("n1", true, false, false);
    node("n2", false, true, true);
    client.pods().resource(pod("ctl-1", "control", "n1", true, 0, "Running")).create();
    client.pods().resource(pod("ctl-2", "control", "n1", true, 1, "Running")).create();
    client.pods().resource(pod("exp-1", "experimental", "n2", true, 3, "Running")).create();
    client.pods().resource(pod("exp-2", "experimental", "n2", false, 2, "Pending")).create();
    usage("control", "250m", "64Mi", "150m", "64Mi");
    usage("experimental", "1", "100Mi", "200m", "28Mi");
    Instant since = NOW.minusSeconds(10);
    log("ctl-1", since, "INFO started\nINFO GET /similar 200\n");
    log("ctl-2", since, "INFO started\n" + JAVA_TRACE + "INFO recovered\n");
    log("exp-1", since, JAVA_TRACE + "WARN retry\n" + JAVA_TRACE + PYTHON_TRACE);
    log("exp-2", since, "");
    // forget the set-up requests: only the source's requests are checked against the RBAC file
    while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
      // drain
    }
  }

  private KubernetesSource source() {
    return new KubernetesSource(
        KubernetesSource.Settings.fromMap(new ConfigMap(Map.of("kubernetes.namespace", NS))),
        new Samples("e1"),
        client,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static double value(List<MetricSample> samples, String metric, Group group) {
    List<MetricSample> found =
        samples.stream()
            .filter(s -> s.getMetric().equals(metric) && s.getGroup() == group)
            .toList();
    assertThat(found).as(metric + " " + group).hasSize(1);
    assertThat(found.get(0).getError()).as(metric + " " + group + " error").isFalse();
    return found.get(0).getValue();
  }

  @Test
  void reportsPodsNodesUsageAndStackTracesPerGroup() throws Exception {
    cluster();
    List<MetricSample> s = source().collect();
    assertThat(s).noneMatch(MetricSample::getError);
    assertThat(value(s, "pods.ready", Group.CONTROL)).isEqualTo(2);
    assertThat(value(s, "pods.not_ready", Group.CONTROL)).isEqualTo(0);
    assertThat(value(s, "pod.restarts", Group.CONTROL)).isEqualTo(1);
    assertThat(value(s, "pods.phase.running", Group.CONTROL)).isEqualTo(2);
    assertThat(value(s, "pods.ready", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "pods.not_ready", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "pod.restarts", Group.EXPERIMENTAL)).isEqualTo(5);
    assertThat(value(s, "pods.phase.pending", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "pods.phase.failed", Group.EXPERIMENTAL)).isEqualTo(0);

    assertThat(value(s, "nodes.ready", Group.CONTROL)).isEqualTo(1);
    assertThat(value(s, "nodes.not_ready", Group.CONTROL)).isEqualTo(0);
    assertThat(value(s, "nodes.ready", Group.EXPERIMENTAL)).isEqualTo(0);
    assertThat(value(s, "nodes.not_ready", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "nodes.unschedulable", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "nodes.pressure", Group.EXPERIMENTAL)).isEqualTo(1);
    assertThat(value(s, "nodes.pressure", Group.CONTROL)).isEqualTo(0);

    assertThat(value(s, "cpu.usage.cores", Group.CONTROL))
        .isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(value(s, "cpu.usage.cores", Group.EXPERIMENTAL))
        .isCloseTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(value(s, "memory.usage.bytes", Group.CONTROL)).isEqualTo(128.0 * 1024 * 1024);

    assertThat(value(s, "app.exceptions", Group.CONTROL)).isEqualTo(1);
    assertThat(value(s, "app.exceptions", Group.EXPERIMENTAL)).isEqualTo(3);
    assertThat(s).allSatisfy(m -> assertThat(m.getTimestamp()).isEqualTo(NOW.toEpochMilli()));
    assertThat(s).allSatisfy(m -> assertThat(m.getExperimentId()).isEqualTo("e1"));
  }

  @Test
  void anUnavailableMetricsApiIsAnErrorSampleNotASilentGap() throws Exception {
    node("n1", true, false, false);
    client.pods().resource(pod("ctl-1", "control", "n1", true, 0, "Running")).create();
    log("ctl-1", NOW.minusSeconds(10), "");
    for (String group : List.of("control", "experimental")) {
      server
          .expect()
          .get()
          .withPath(
              "/apis/metrics.k8s.io/v1beta1/namespaces/"
                  + NS
                  + "/pods?labelSelector="
                  + URLEncoder.encode("faultline.io/group=" + group, StandardCharsets.UTF_8))
          .andReturn(503, "metrics-server unavailable")
          .always();
    }
    List<MetricSample> s = source().collect();
    assertThat(value(s, "pods.ready", Group.CONTROL)).isEqualTo(1);
    assertThat(s.stream().filter(m -> m.getMetric().equals("cpu.usage.cores")))
        .hasSize(2)
        .allSatisfy(
            m -> {
              assertThat(m.getError()).isTrue();
              assertThat(m.getValue()).isNaN();
              assertThat(m.getLabels().get("reason")).contains("metrics.k8s.io");
            });
  }

  @Test
  void countsJavaAndPythonStackTraces() {
    assertThat(KubernetesSource.stackTraces(JAVA_TRACE)).isEqualTo(1);
    assertThat(KubernetesSource.stackTraces(JAVA_TRACE + JAVA_TRACE + PYTHON_TRACE)).isEqualTo(3);
    assertThat(KubernetesSource.stackTraces("ERROR at startup (no frames)\n")).isZero();
    assertThat(KubernetesSource.stackTraces(null)).isZero();
  }

  /** (apiGroup, resource, verb) triples granted by the collector's RBAC contract file. */
  static Set<List<String>> rbacGrants() throws Exception {
    Set<List<String>> grants = new HashSet<>();
    try (InputStream in =
        KubernetesSourceTest.class.getResourceAsStream("/faultline/rbac/metrics-collector.yaml")) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      for (JsonNode rule : root.path("rules")) {
        for (JsonNode g : rule.path("apiGroups")) {
          for (JsonNode r : rule.path("resources")) {
            for (JsonNode v : rule.path("verbs")) {
              grants.add(List.of(g.asText(), r.asText(), v.asText()));
            }
          }
        }
      }
    }
    return grants;
  }

  /** The (apiGroup, resource, verb) a request needs, from its method and path. */
  static List<String> needed(String method, String pathAndQuery) {
    String path = pathAndQuery.split("\\?")[0];
    String query = pathAndQuery.contains("?") ? pathAndQuery.split("\\?", 2)[1] : "";
    List<String> parts = new ArrayList<>(List.of(path.substring(1).split("/")));
    String group;
    if (parts.get(0).equals("api")) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    }
    if (parts.size() >= 2 && parts.get(0).equals("namespaces") && parts.size() > 2) {
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0);
    boolean named = parts.size() >= 2;
    if (parts.size() >= 3) {
      resource = resource + "/" + parts.get(2);
    }
    String verb =
        switch (method) {
          case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> method;
        };
    return List.of(group, resource, verb);
  }

  @Test
  void everyRequestOfTheSourceIsCoveredByTheRbacContract() throws Exception {
    cluster();
    source().collect();
    Set<List<String>> grants = rbacGrants();
    List<String> seen = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      List<String> need = needed(r.getMethod(), r.getPath());
      seen.add(r.getMethod() + " " + r.getPath() + " -> " + need);
      assertThat(grants).as(r.getMethod() + " " + r.getPath()).contains(need);
    }
    // nodes, pods and metrics per group, and one log per pod: the file must cover all four kinds
    assertThat(seen).as(String.join("\n", seen)).hasSizeGreaterThanOrEqualTo(9);
    assertThat(seen.stream().map(x -> x.substring(x.indexOf("->"))).distinct())
        .containsExactlyInAnyOrder(
            "-> [, nodes, list]",
            "-> [, pods, list]",
            "-> [metrics.k8s.io, pods, list]",
            "-> [, pods/log, get]");
    // and nothing more is granted than the source uses (read-only, least privilege)
    assertThat(grants)
        .containsExactlyInAnyOrder(
            List.of("", "nodes", "list"),
            List.of("", "pods", "list"),
            List.of("metrics.k8s.io", "pods", "list"),
            List.of("", "pods/log", "get"));
    assertThat(needed("GET", "/api/v1/namespaces/x/pods/p")).containsExactly("", "pods", "get");
    assertThat(needed("DELETE", "/api/v1/namespaces/x/pods/p"))
        .containsExactly("", "pods", "delete");
  }
}
