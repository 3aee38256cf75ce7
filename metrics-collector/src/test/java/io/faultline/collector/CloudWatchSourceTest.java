package io.faultline.collector;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.fabric8.kubernetes.api.model.NodeBuilder;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.thirdparty.jackson.core.JsonToken;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORGenerator;
import software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORParser;

/**
 * GetMetricData against WireMock in the protocol CloudWatch's client of SDK 2.40.17 really speaks:
 * Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/GetMetricData, CBOR
 * bodies, header smithy-protocol: rpc-v2-cbor), not the older awsQuery form protocol.
 */
class CloudWatchSourceTest {

  private static final String PATH =
      "/service/GraniteServiceVersion20100801/operation/GetMetricData";
  private static final CBORFactory CBOR = new CBORFactory();

  private static final String NODEGROUP = "eks.amazonaws.com/nodegroup";

  private WireMockServer wiremock;
  private KubernetesMockServer kube;
  private KubernetesClient kubeClient;

  @BeforeEach
  void start() {
    wiremock = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
    wiremock.start();
  }

  @AfterEach
  void stop() {
    wiremock.stop();
    if (kube != null) {
      kubeClient.close();
      kube.destroy();
    }
  }

  private CloudWatchSource source(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>();
    m.put("cloudwatch.workload.control", "scale-control");
    m.put("cloudwatch.workload.experimental", "scale-experimental");
    m.putAll(extra);
    return new CloudWatchSource(
        settings(m),
        new Samples("e1"),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
  }

  /** A source of exactly {@code config} (no workloads unless given), nodes listed by the mock. */
  private CloudWatchSource nodeSource(Map<String, String> config) {
    return new CloudWatchSource(
        settings(config),
        new Samples("e1"),
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
        kubeClient);
  }

  private CloudWatchSource.Settings settings(Map<String, String> config) {
    Map<String, String> m = new HashMap<>();
    m.put("cloudwatch.endpoint", "http://127.0.0.1:" + wiremock.port());
    m.put("cloudwatch.cluster", "scale-eks");
    m.put("cloudwatch.namespace", "scale");
    m.putAll(config);
    return CloudWatchSource.Settings.fromMap(new ConfigMap(m));
  }

  /** A fabric8 mock API server in CRUD mode (label selectors work on list), like the k8s test's. */
  private void kubernetes() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    kube =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    kube.init(InetAddress.getLoopbackAddress(), 0);
    kubeClient =
        kube.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
  }

  private void node(String name, String providerId, Map<String, String> labels) {
    kubeClient
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withProviderID(providerId)
                .endSpec()
                .build())
        .create();
  }

  /** The requests the mock API server saw since the last call. */
  private List<RecordedRequest> kubeRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = kube.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  /** One MetricDataResult: id, timestamps (epoch seconds) and values. */
  private record Result(String id, long[] epochSeconds, double[] values) {}

  private static byte[] response(List<Result> results, String nextToken) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("MetricDataResults");
      g.writeStartArray();
      for (Result r : results) {
        g.writeStartObject();
        g.writeStringField("Id", r.id());
        g.writeStringField("Label", r.id());
        g.writeFieldName("Timestamps");
        g.writeStartArray();
        for (long t : r.epochSeconds()) {
          g.writeTag(1); // CBOR epoch-seconds timestamp
          g.writeNumber((double) t);
        }
        g.writeEndArray();
        g.writeFieldName("Values");
        g.writeStartArray();
        for (double v : r.values()) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeStringField("StatusCode", "Complete");
        g.writeEndObject();
      }
      g.writeEndArray();
      if (nextToken != null) {
        g.writeStringField("NextToken", nextToken);
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private void stub(String scenario, String state, String next, byte[] body) {
    wiremock.stubFor(
        post(urlEqualTo(PATH))
            .inScenario(scenario)
            .whenScenarioStateIs(state)
            .willSetStateTo(next)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(body)));
  }

  /** Decodes a CBOR body into maps, lists, strings and numbers. */
  private static Object decode(byte[] body) throws IOException {
    try (CBORParser p = (CBORParser) CBOR.createParser(body)) {
      p.nextToken();
      return read(p);
    }
  }

  private static Object read(CBORParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Object> m = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        m.put(name, read(p));
      }
      return m;
    }
    if (t == JsonToken.START_ARRAY) {
      List<Object> l = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        l.add(read(p));
      }
      return l;
    }
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t.isNumeric()) {
      return p.getNumberValue();
    }
    return p.getText();
  }

  /** A query of a GetMetricData request: id, metric, statistic, dimensions "Name=Value". */
  private record Sent(String id, String namespace, String metric, String stat, List<String> dims) {

    String dim(String name) {
      return dims.stream()
          .filter(d -> d.startsWith(name + "="))
          .map(d -> d.substring(name.length() + 1))
          .findFirst()
          .orElse(null);
    }
  }

  @SuppressWarnings("unchecked")
  private List<Sent> queriesSent() throws IOException {
    List<Sent> out = new ArrayList<>();
    for (Map<String, Object> body : requestBodies()) {
      for (Map<String, Object> q : (List<Map<String, Object>>) body.get("MetricDataQueries")) {
        Map<String, Object> stat = (Map<String, Object>) q.get("MetricStat");
        Map<String, Object> metric = (Map<String, Object>) stat.get("Metric");
        out.add(
            new Sent(
                (String) q.get("Id"),
                (String) metric.get("Namespace"),
                (String) metric.get("MetricName"),
                (String) stat.get("Stat"),
                ((List<Map<String, Object>>) metric.get("Dimensions"))
                    .stream().map(d -> d.get("Name") + "=" + d.get("Value")).toList()));
      }
    }
    return out;
  }

  private static MetricSample sample(
      List<MetricSample> samples, String metric, Group group, String target) {
    List<MetricSample> found =
        samples.stream()
            .filter(
                s ->
                    s.getMetric().equals(metric)
                        && s.getGroup() == group
                        && s.getTarget().equals(target))
            .toList();
    assertThat(found).as(metric + " " + group + " " + target).hasSize(1);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> requestBodies() throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (LoggedRequest r : wiremock.findAll(postRequestedFor(urlEqualTo(PATH)))) {
      out.add((Map<String, Object>) decode(r.getBody()));
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void followsNextTokenAndPublishesTheLatestDatapointPerGroupAndMetric() throws Exception {
    long t0 = 1_764_000_000L;
    // page 1: control CPU (q0) with two datapoints; page 2: experimental CPU (q5)
    stub(
        "paging",
        Scenario.STARTED,
        "page2",
        response(
            List.of(new Result("q0", new long[] {t0, t0 + 60}, new double[] {12.5, 14.0})),
            "token-2"));
    stub(
        "paging",
        "page2",
        "done",
        response(List.of(new Result("q5", new long[] {t0 + 60}, new double[] {71.0})), null));

    List<MetricSample> samples = source(Map.of()).collect();

    List<Map<String, Object>> bodies = requestBodies();
    assertThat(bodies).hasSize(2);
    assertThat(bodies.get(0)).doesNotContainKey("NextToken");
    assertThat(bodies.get(1)).containsEntry("NextToken", "token-2");
    List<Map<String, Object>> queries =
        (List<Map<String, Object>>) bodies.get(0).get("MetricDataQueries");
    assertThat(queries).hasSize(10); // 5 Container Insights metrics x 2 groups
    Map<String, Object> metric =
        (Map<String, Object>)
            ((Map<String, Object>) queries.get(0).get("MetricStat")).get("Metric");
    assertThat(metric).containsEntry("Namespace", "ContainerInsights");
    assertThat(metric).containsEntry("MetricName", "pod_cpu_utilization");
    assertThat((List<Map<String, Object>>) metric.get("Dimensions"))
        .extracting(d -> d.get("Name") + "=" + d.get("Value"))
        .containsExactly("ClusterName=scale-eks", "Namespace=scale", "PodName=scale-control");
    assertThat(
            wiremock
                .findAll(postRequestedFor(urlEqualTo(PATH)))
                .get(0)
                .getHeader("smithy-protocol"))
        .isEqualTo("rpc-v2-cbor");

    MetricSample control =
        samples.stream()
            .filter(s -> s.getMetric().equals("cpu.utilization") && s.getGroup() == Group.CONTROL)
            .findFirst()
            .orElseThrow();
    assertThat(control.getValue()).isEqualTo(14.0);
    assertThat(control.getTimestamp()).isEqualTo((t0 + 60) * 1000);
    assertThat(control.getTarget()).isEqualTo("scale-control");
    assertThat(control.getUnit()).isEqualTo("percent");
    assertThat(control.getError()).isFalse();
    MetricSample experimental =
        samples.stream()
            .filter(
                s -> s.getMetric().equals("cpu.utilization") && s.getGroup() == Group.EXPERIMENTAL)
            .findFirst()
            .orElseThrow();
    assertThat(experimental.getValue()).isEqualTo(71.0);
    // a metric without datapoints is an error sample, not a gap
    assertThat(samples.stream().filter(s -> s.getMetric().equals("memory.utilization")))
        .hasSize(2)
        .allSatisfy(s -> assertThat(s.getError()).isTrue());
  }

  @Test
  @SuppressWarnings("unchecked")
  void sendsAtMostFiveHundredQueriesPerCall() throws Exception {
    stub("batches", Scenario.STARTED, Scenario.STARTED, response(List.of(), null));
    CloudWatchSource source = source(Map.of());
    List<CloudWatchSource.Query> queries = new ArrayList<>();
    for (int i = 0; i < 1_201; i++) {
      queries.add(
          CloudWatchSource.query(
              i,
              CloudWatchSource.CONTAINER_INSIGHTS.get(0),
              Group.EXPERIMENTAL,
              "w" + i,
              List.of(),
              60));
    }
    List<MetricSample> samples = source.collect(queries);
    assertThat(requestBodies())
        .extracting(b -> ((List<Object>) b.get("MetricDataQueries")).size())
        .containsExactly(500, 500, 201);
    assertThat(samples).hasSize(1_201);
  }

  @Test
  void retriesAThrottledCall() throws Exception {
    wiremock.stubFor(
        post(urlEqualTo(PATH))
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("ok")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(throttling())));
    stub(
        "throttle",
        "ok",
        "ok",
        response(List.of(new Result("q0", new long[] {1_764_000_000L}, new double[] {3})), null));
    List<MetricSample> samples = source(Map.of()).collect();
    assertThat(wiremock.findAll(postRequestedFor(urlEqualTo(PATH)))).hasSize(2);
    assertThat(
            samples.stream().filter(s -> s.getMetric().equals("cpu.utilization") && !s.getError()))
        .hasSize(1);
  }

  private static byte[] throttling() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("__type", "com.amazonaws.cloudwatch#Throttling");
      g.writeStringField("message", "Rate exceeded");
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static final List<String> NODE_METRICS =
      List.of(
          "node_cpu_utilization",
          "node_memory_utilization",
          "node_network_total_bytes",
          "node_filesystem_utilization",
          "node_number_of_running_pods");

  @Test
  void queriesEachListedNodeByClusterInstanceAndNodeNameUnderItsGroup() throws Exception {
    long t0 = 1_764_000_000L;
    // q0-q4: the control node; q5-q9 and q10-q14: the experimental nodes in name order
    stub(
        "nodes",
        Scenario.STARTED,
        Scenario.STARTED,
        response(
            List.of(
                new Result("q0", new long[] {t0}, new double[] {33.0}),
                new Result("q5", new long[] {t0, t0 + 60}, new double[] {50.0, 91.5}),
                new Result("q12", new long[] {t0 + 60}, new double[] {1.25e6}),
                new Result("q14", new long[] {t0 + 60}, new double[] {17})),
            null));

    List<MetricSample> samples =
        nodeSource(
                Map.of(
                    "cloudwatch.nodes.control", "ip-10-0-2-7.ec2.internal@i-0aaa111",
                    "cloudwatch.nodes.experimental",
                        "ip-10-0-1-6.ec2.internal@i-0def456, ip-10-0-1-5.ec2.internal@i-0abc123"))
            .collect();

    List<String> expected = new ArrayList<>();
    for (String node :
        List.of(
            "i-0aaa111 ip-10-0-2-7.ec2.internal",
            "i-0abc123 ip-10-0-1-5.ec2.internal",
            "i-0def456 ip-10-0-1-6.ec2.internal")) {
      String[] n = node.split(" ");
      for (String metric : NODE_METRICS) {
        expected.add(
            "q"
                + expected.size()
                + " ContainerInsights/"
                + metric
                + " Average [ClusterName=scale-eks, InstanceId="
                + n[0]
                + ", NodeName="
                + n[1]
                + "]");
      }
    }
    List<Sent> sent = queriesSent();
    assertThat(sent)
        .extracting(
            q -> q.id() + " " + q.namespace() + "/" + q.metric() + " " + q.stat() + " " + q.dims())
        .containsExactlyElementsOf(expected);
    assertThat(sent).allSatisfy(q -> assertThat(q.id()).matches("[a-z][a-zA-Z0-9_]*"));
    assertThat(sent.stream().map(Sent::id).distinct()).hasSize(sent.size());

    MetricSample cpu =
        sample(samples, "node.cpu.utilization", Group.EXPERIMENTAL, "ip-10-0-1-5.ec2.internal");
    assertThat(cpu.getError()).isFalse();
    assertThat(cpu.getValue()).isEqualTo(91.5);
    assertThat(cpu.getTimestamp()).isEqualTo((t0 + 60) * 1000);
    assertThat(cpu.getUnit()).isEqualTo("percent");
    assertThat(cpu.getLabels())
        .containsEntry("cloudwatch", "ContainerInsights/node_cpu_utilization");
    MetricSample network =
        sample(samples, "node.network.bytes", Group.EXPERIMENTAL, "ip-10-0-1-6.ec2.internal");
    assertThat(network.getValue()).isEqualTo(1.25e6);
    assertThat(network.getUnit()).isEqualTo("bytes/s");
    MetricSample pods =
        sample(samples, "node.pods.running", Group.EXPERIMENTAL, "ip-10-0-1-6.ec2.internal");
    assertThat(pods.getValue()).isEqualTo(17);
    assertThat(pods.getUnit()).isEqualTo("pods");
    MetricSample control =
        sample(samples, "node.cpu.utilization", Group.CONTROL, "ip-10-0-2-7.ec2.internal");
    assertThat(control.getValue()).isEqualTo(33.0);
    assertThat(control.getTimestamp()).isEqualTo(t0 * 1000);
    // 3 nodes x 5 metrics, nothing else (no workload, no ASG); the queries without data are errors
    assertThat(samples).hasSize(15);
    assertThat(samples.stream().filter(s -> s.getMetric().equals("node.memory.utilization")))
        .hasSize(3)
        .allSatisfy(
            s -> {
              assertThat(s.getError()).isTrue();
              assertThat(s.getUnit()).isEqualTo("percent");
            });
  }

  @Test
  void listsEachGroupsNodesBySelectorAtEveryRoundWithTheVerbsOfTheRbacContract() throws Exception {
    kubernetes();
    Map<String, String> web = Map.of("faultline.io/tier", "web");
    node(
        "ip-10-0-2-7.ec2.internal",
        "aws:///us-east-1a/i-0c1",
        Map.of(NODEGROUP, "scale-control", "faultline.io/tier", "web"));
    node(
        "ip-10-0-1-6.ec2.internal",
        "aws:///us-east-1b/i-0e2",
        Map.of(NODEGROUP, "scale-experimental", "faultline.io/tier", "web"));
    node(
        "ip-10-0-1-5.ec2.internal",
        "aws:///us-east-1b/i-0e1",
        Map.of(NODEGROUP, "scale-experimental", "faultline.io/tier", "web"));
    // another node group, and an experimental node without the second label: never queried
    node("ip-10-0-9-9.ec2.internal", "aws:///us-east-1c/i-0b9", Map.of(NODEGROUP, "batch"));
    node(
        "ip-10-0-1-8.ec2.internal",
        "aws:///us-east-1b/i-0e8",
        Map.of(NODEGROUP, "scale-experimental"));
    kubeRequests(); // forget the set-up: only the source's requests are checked
    // the workloads' 10 queries come first (q0-q9), the control node's CPU is q10
    stub(
        "selectors",
        Scenario.STARTED,
        Scenario.STARTED,
        response(List.of(new Result("q10", new long[] {1_764_000_000L}, new double[] {40})), null));
    Map<String, String> config =
        Map.of(
            "cloudwatch.workload.control",
            "scale-control",
            "cloudwatch.workload.experimental",
            "scale-experimental",
            "cloudwatch.node.selector.control",
            NODEGROUP + "=scale-control",
            "cloudwatch.node.selector.experimental",
            NODEGROUP + "=scale-experimental, faultline.io/tier=web");
    CloudWatchSource source = nodeSource(config);

    List<MetricSample> samples = source.collect();

    List<Sent> sent = queriesSent();
    assertThat(sent).hasSize(10 + 3 * 5);
    assertThat(sent.subList(0, 10)).allSatisfy(q -> assertThat(q.metric()).startsWith("pod_"));
    assertThat(
            sent.subList(10, 25).stream()
                .map(q -> q.dim("NodeName") + "@" + q.dim("InstanceId"))
                .distinct())
        .containsExactly(
            "ip-10-0-2-7.ec2.internal@i-0c1",
            "ip-10-0-1-5.ec2.internal@i-0e1",
            "ip-10-0-1-6.ec2.internal@i-0e2");
    MetricSample control =
        sample(samples, "node.cpu.utilization", Group.CONTROL, "ip-10-0-2-7.ec2.internal");
    assertThat(control.getError()).isFalse();
    assertThat(control.getValue()).isEqualTo(40);
    for (String target : List.of("ip-10-0-1-5.ec2.internal", "ip-10-0-1-6.ec2.internal")) {
      assertThat(samples.stream().filter(s -> s.getTarget().equals(target)))
          .hasSize(5)
          .allSatisfy(s -> assertThat(s.getGroup()).isEqualTo(Group.EXPERIMENTAL));
    }
    assertThat(samples)
        .noneMatch(
            s ->
                s.getTarget().equals("ip-10-0-9-9.ec2.internal")
                    || s.getTarget().equals("ip-10-0-1-8.ec2.internal"));

    // one list of nodes per group, by label selector, and nothing the RBAC contract lacks
    Set<List<String>> grants = KubernetesSourceTest.rbacGrants();
    List<RecordedRequest> requests = kubeRequests();
    assertThat(requests).hasSize(2);
    for (RecordedRequest r : requests) {
      assertThat(grants)
          .as(r.getMethod() + " " + r.getPath())
          .contains(KubernetesSourceTest.needed(r.getMethod(), r.getPath()));
      assertThat(KubernetesSourceTest.needed(r.getMethod(), r.getPath()))
          .containsExactly("", "nodes", "list");
    }
    assertThat(requests)
        .extracting(r -> URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8))
        .anySatisfy(p -> assertThat(p).contains("labelSelector=" + NODEGROUP + "=scale-control"));

    // a node that joins the group is queried from the next round on
    kubeClient
        .nodes()
        .withName("ip-10-0-1-8.ec2.internal")
        .edit(
            n -> {
              n.getMetadata().getLabels().putAll(web);
              return n;
            });
    wiremock.resetRequests();
    source.collect();
    assertThat(queriesSent().stream().map(q -> q.dim("NodeName")))
        .contains("ip-10-0-1-8.ec2.internal")
        .doesNotContain("ip-10-0-9-9.ec2.internal");
  }

  @Test
  void aNodeWithoutAnEc2ProviderIdOrASelectorWithoutNodesIsAnErrorSample() throws Exception {
    kubernetes();
    node("ip-10-0-1-5.ec2.internal", "aws:///us-east-1b/i-0e1", Map.of(NODEGROUP, "scale-exp"));
    node("kind-worker", "kind://docker/kind/kind-worker", Map.of(NODEGROUP, "scale-exp"));
    node("bare-node", null, Map.of(NODEGROUP, "scale-exp"));
    stub("empty", Scenario.STARTED, Scenario.STARTED, response(List.of(), null));

    List<MetricSample> samples =
        nodeSource(
                Map.of(
                    "cloudwatch.node.selector.control", NODEGROUP + "=gone",
                    "cloudwatch.node.selector.experimental", NODEGROUP + "=scale-exp"))
            .collect();

    assertThat(queriesSent().stream().map(q -> q.dim("NodeName")).distinct())
        .containsExactly("ip-10-0-1-5.ec2.internal");
    assertThat(samples.stream().filter(s -> s.getTarget().equals("kind-worker")))
        .extracting(MetricSample::getMetric)
        .containsExactly(
            "node.cpu.utilization",
            "node.memory.utilization",
            "node.network.bytes",
            "node.filesystem.utilization",
            "node.pods.running");
    MetricSample kind = sample(samples, "node.cpu.utilization", Group.EXPERIMENTAL, "kind-worker");
    assertThat(kind.getError()).isTrue();
    assertThat(kind.getValue()).isNaN();
    assertThat(kind.getLabels().get("reason"))
        .contains("spec.providerID 'kind://docker/kind/kind-worker'");
    assertThat(sample(samples, "node.pods.running", Group.EXPERIMENTAL, "bare-node").getLabels())
        .containsEntry(
            "reason", "spec.providerID unset: not an EC2 instance (aws:///<zone>/i-...)");
    MetricSample none = sample(samples, "node.cpu.utilization", Group.CONTROL, NODEGROUP + "=gone");
    assertThat(none.getError()).isTrue();
    assertThat(none.getLabels().get("reason")).contains("no node matches");
  }

  @Test
  void aFailedNodeListIsAnErrorSampleAndTheOtherQueriesStillRun() throws Exception {
    kubernetes();
    kube.destroy(); // the API server is gone: the list fails fast (no client retries)
    stub("down", Scenario.STARTED, Scenario.STARTED, response(List.of(), null));

    List<MetricSample> samples =
        nodeSource(
                Map.of(
                    "cloudwatch.nodes.control",
                    "ip-10-0-2-7.ec2.internal@i-0aaa111",
                    "cloudwatch.node.selector.experimental",
                    NODEGROUP + "=scale-experimental"))
            .collect();

    assertThat(queriesSent())
        .extracting(q -> q.dim("NodeName"))
        .containsOnly("ip-10-0-2-7.ec2.internal");
    assertThat(samples.stream().filter(s -> s.getGroup() == Group.EXPERIMENTAL))
        .hasSize(5)
        .allSatisfy(
            s -> {
              assertThat(s.getError()).isTrue();
              assertThat(s.getTarget()).isEqualTo(NODEGROUP + "=scale-experimental");
              assertThat(s.getLabels().get("reason")).startsWith("node list " + NODEGROUP);
            });
  }

  @Test
  void instanceIdIsTheLastSegmentOfAnAwsProviderId() {
    assertThat(CloudWatchSource.instanceId("aws:///us-east-1a/i-0abc123")).isEqualTo("i-0abc123");
    assertThat(CloudWatchSource.instanceId("aws:///us-east-1a/fargate-ip-10-0-3-3")).isNull();
    assertThat(CloudWatchSource.instanceId("kind://docker/kind/kind-worker")).isNull();
    assertThat(CloudWatchSource.instanceId(null)).isNull();
  }

  @Test
  void settingsNameTheKeysOfAGroupWithNothingToQueryAndOfABadNodeOrSelector() {
    assertThatThrownBy(() -> settings(Map.of("cloudwatch.workload.control", "scale-control")))
        .hasMessageStartingWith(
            "cloudwatch.workload.experimental, cloudwatch.asg.experimental,"
                + " cloudwatch.nodes.experimental or cloudwatch.node.selector.experimental: one is"
                + " required");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "cloudwatch.workload.experimental", "scale-experimental",
                        "cloudwatch.nodes.control", "ip-10-0-1-5.ec2.internal@i-0ABC123")))
        .hasMessage(
            "cloudwatch.nodes.control entry 'ip-10-0-1-5.ec2.internal@i-0ABC123': instance id"
                + " 'i-0ABC123' must be i- and lower-case hex digits, e.g. i-0abc123");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "cloudwatch.workload.experimental", "scale-experimental",
                        "cloudwatch.nodes.control", "ip-10-0-1-5.ec2.internal")))
        .hasMessageStartingWith(
            "cloudwatch.nodes.control entry 'ip-10-0-1-5.ec2.internal': expected"
                + " NodeName@InstanceId");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "cloudwatch.workload.control",
                        "scale-control",
                        "cloudwatch.node.selector.experimental",
                        NODEGROUP + "!=scale")))
        .hasMessageStartingWith(
            "cloudwatch.node.selector.experimental entry '"
                + NODEGROUP
                + "!=scale': expected label=value (equality only");
    // a group needs no workload when it has other things to query
    CloudWatchSource.Settings s =
        settings(
            Map.of(
                "cloudwatch.asg.control", "scale-control-asg",
                "cloudwatch.nodes.experimental", "ip-10-0-1-5.ec2.internal@i-0abc123"));
    assertThat(s.workloads()).isEmpty();
    assertThat(s.nodes())
        .containsOnlyKeys(Group.EXPERIMENTAL)
        .containsEntry(
            Group.EXPERIMENTAL,
            List.of(new CloudWatchSource.WorkerNode("ip-10-0-1-5.ec2.internal", "i-0abc123")));
    assertThat(s.kubernetesMaster()).isNull();
  }

  @Test
  void settingsNameTheMissingKey() {
    assertThatThrownBy(
            () ->
                CloudWatchSource.Settings.fromMap(
                    new ConfigMap(
                        Map.of(
                            "cloudwatch.workload.control",
                            "a",
                            "cloudwatch.workload.experimental",
                            "b"))))
        .hasMessageStartingWith("cloudwatch.cluster: required");
    assertThatThrownBy(
            () ->
                CloudWatchSource.Settings.fromMap(
                    new ConfigMap(
                        Map.of(
                            "cloudwatch.cluster", "c",
                            "cloudwatch.workload.control", "a",
                            "cloudwatch.workload.experimental", "b",
                            "cloudwatch.period", "45s"))))
        .hasMessageContaining("cloudwatch.period 45s: must be 1, 5, 10, 30 or a multiple of 60");
  }

  @Test
  @SuppressWarnings("unchecked")
  void putMetricDataSendsBatchesOfAtMostOneThousand() throws Exception {
    String put = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    wiremock.stubFor(
        post(urlEqualTo(put))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/cbor")
                    .withHeader("smithy-protocol", "rpc-v2-cbor")
                    .withBody(response(List.of(), null))));
    Samples samples = new Samples("e1");
    try (CloudWatchMetricPublisher publisher =
        new CloudWatchMetricPublisher(
            "Faultline",
            software.amazon.awssdk.regions.Region.US_EAST_1,
            java.net.URI.create("http://127.0.0.1:" + wiremock.port()),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")),
            java.time.Duration.ofHours(1))) {
      for (int i = 0; i < 2_500; i++) {
        publisher.publish(
            samples.of("http.latency.p99", Group.EXPERIMENTAL, "x", 1_764_000_000_000L, i, "ms"));
      }
      publisher.publish(samples.failed("http.latency.p99", Group.CONTROL, "c", 0, "ms", "down"));
    }
    List<LoggedRequest> requests = wiremock.findAll(postRequestedFor(urlEqualTo(put)));
    List<Map<String, Object>> bodies = new ArrayList<>();
    for (LoggedRequest r : requests) {
      bodies.add((Map<String, Object>) decode(r.getBody()));
    }
    assertThat(bodies)
        .extracting(b -> ((List<Object>) b.get("MetricData")).size())
        .containsExactly(1000, 1000, 500); // the error sample is not sent
    Map<String, Object> datum =
        (Map<String, Object>) ((List<Object>) bodies.get(0).get("MetricData")).get(7);
    assertThat(bodies.get(0)).containsEntry("Namespace", "Faultline");
    assertThat(datum)
        .containsEntry("MetricName", "http.latency.p99")
        .containsEntry("Unit", "Milliseconds");
    assertThat(((Number) datum.get("Value")).doubleValue()).isEqualTo(7.0);
    assertThat((List<Map<String, Object>>) datum.get("Dimensions"))
        .extracting(d -> d.get("Name") + "=" + d.get("Value"))
        .containsExactly("Experiment=e1", "Group=EXPERIMENTAL", "Target=x");
  }
}
