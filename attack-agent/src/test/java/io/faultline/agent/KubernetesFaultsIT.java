package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.faultline.agent.ClusterFixture.Request;
import io.faultline.agent.kubernetes.KubernetesFaults;
import io.faultline.agent.kubernetes.KubernetesScope;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Kubernetes faults against fabric8's mock server in CRUD mode, with pods of both groups and
 * nodes in three zones ({@link ClusterFixture}); eviction, exec and ephemeral containers, which
 * CRUD mode lacks, are stubbed with expect(). Every request is recorded; the last test checks each
 * one against the RBAC contract.
 */
@EnableKubernetesMockClient(
    crud = true,
    kubernetesClientBuilderCustomizer = KubernetesFaultsIT.NoRetries.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("side-by-side")
class KubernetesFaultsIT {

  /**
   * The client retries a 429 (a PodDisruptionBudget refusing an eviction) ten times with backoff,
   * about 30 s; one answer is enough here.
   */
  public static final class NoRetries implements Consumer<KubernetesClientBuilder> {
    @Override
    public void accept(KubernetesClientBuilder builder) {
      builder.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig();
    }
  }

  private static final List<Request> ALL_REQUESTS = new CopyOnWriteArrayList<>();

  KubernetesMockServer server;
  KubernetesClient client;
  private FaultCatalog catalog;

  @BeforeEach
  void cluster() throws Exception {
    ClusterFixture.create(client);
    catalog = new FaultCatalog();
    KubernetesFaults.register(
        catalog, new KubernetesScope(client, List.of("shop")), "stress:test", "net:test");
    ClusterFixture.drain(server); // the fixture's own requests are not the agent's
  }

  private List<Request> requests() throws InterruptedException {
    List<Request> r = ClusterFixture.drain(server);
    ALL_REQUESTS.addAll(r);
    return r;
  }

  private static AttackCommand command(
      String fault, TargetSelector selector, Map<String, String> p) {
    return AttackCommand.newBuilder()
        .setCommandId("c")
        .setExperimentId("e")
        .setType(CommandType.START)
        .setFault(fault)
        .setDurationMs(30_000L)
        .setTarget(selector)
        .setParameters(p)
        .build();
  }

  private static TargetSelector selector(String kind, String mode, String... names) {
    return TargetSelector.newBuilder()
        .setKind(kind)
        .setGroup(Group.EXPERIMENTAL)
        .setMode(mode)
        .setNames(List.of(names))
        .build();
  }

  private AttackPlan plan(AttackCommand command) {
    return AttackPlan.of(command, catalog, Duration.ofMinutes(15), 50, new Random(3));
  }

  /** The test's own look (not recorded: call {@link #requests} before it). */
  private boolean cordoned(String node) throws InterruptedException {
    Node n = client.nodes().withName(node).get();
    ClusterFixture.drain(server);
    return KubernetesScope.cordoned(n);
  }

  /** The test's own look at the pods left (not recorded: call {@link #requests} before it). */
  private Set<String> pods() throws InterruptedException {
    Set<String> names = new TreeSet<>();
    for (String ns : List.of("shop", "other")) {
      for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
        names.add(ns + "/" + p.getMetadata().getName());
      }
    }
    ClusterFixture.drain(server);
    return names;
  }

  private void stubEviction(String pod, int code) {
    var expectation =
        server.expect().post().withPath("/api/v1/namespaces/shop/pods/" + pod + "/eviction");
    if (code == 201) {
      expectation
          .andReturn(
              201, new EvictionBuilder().withNewMetadata().withName(pod).endMetadata().build())
          .once();
    } else {
      expectation
          .andReturn(
              code,
              new StatusBuilder()
                  .withCode(code)
                  .withReason("TooManyRequests")
                  .withMessage("Cannot evict pod as it would violate the pod's disruption budget.")
                  .build())
          .always();
    }
  }

  private void stubExec(String pod, String container, String query) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/shop/pods/"
                + pod
                + "/exec?"
                + query
                + "&container="
                + container
                + "&stdout=true&stderr=true")
        .andUpgradeToWebSocket()
        .open(new StatusMessage(0))
        .done()
        .once();
  }

  private String patchBody() throws InterruptedException {
    return requests().stream()
        .filter(r -> r.method().equals("PATCH"))
        .map(Request::body)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no PATCH sent"));
  }

  @Test
  @Order(1)
  void zoneOutageCordonsOnlyThatZoneEvictsOnlyExperimentalPodsAndRecoversThePriorState()
      throws Exception {
    stubEviction("exp-1", 201);
    stubEviction("exp-2", 429); // a PodDisruptionBudget refuses this one
    AttackPlan plan = plan(command("zone-outage", selector("zone", "one", "zone-a"), Map.of()));
    assertThat(plan.targets()).extracting(Target::name).containsExactly("zone-a");
    requests();

    Target zone = plan.targets().get(0);
    Fault.Applied applied = plan.executor().apply(zone, Map.of(), Duration.ofSeconds(30));
    List<Request> sent = requests();

    assertThat(cordoned("n-a1")).isTrue();
    assertThat(cordoned("n-a2")).isTrue();
    assertThat(cordoned("n-b1")).isFalse();
    assertThat(cordoned("n-c1")).isFalse();
    assertThat(sent)
        .filteredOn(r -> r.method().equals("PATCH"))
        .extracting(Request::path)
        .containsExactly("/api/v1/nodes/n-a1");
    assertThat(sent)
        .filteredOn(r -> r.method().equals("POST"))
        .extracting(Request::path)
        .containsExactlyInAnyOrder(
            "/api/v1/namespaces/shop/pods/exp-1/eviction",
            "/api/v1/namespaces/shop/pods/exp-2/eviction");
    assertThat(sent).noneMatch(r -> r.method().equals("DELETE"));
    assertThat(pods()).contains("shop/ctl-1", "shop/ctl-2", "other/exp-x");
    assertThat(applied.touched())
        .contains(
            "node n-a1 cordoned",
            "node n-a2 was already cordoned; left as it is",
            "pod shop/exp-1 evicted from node n-a1",
            "pod shop/exp-2 on node n-a2: eviction refused (PodDisruptionBudget)");
    assertThat(applied.recovery())
        .containsEntry("cordoned", "n-a1")
        .containsEntry("alreadyCordoned", "n-a2")
        .containsEntry("evicted", "shop/exp-1");

    String restored = plan.executor().recover(zone, applied.recovery());
    List<Request> recoverySent = requests();

    assertThat(cordoned("n-a1")).isFalse();
    assertThat(cordoned("n-a2")).as("cordoned before the attack: stays cordoned").isTrue();
    assertThat(restored)
        .isEqualTo("zone zone-a: uncordoned n-a1; left cordoned as before the attack: n-a2");
    assertThat(recoverySent)
        .filteredOn(r -> !r.method().equals("GET"))
        .extracting(Request::toString)
        .containsExactly("PATCH /api/v1/nodes/n-a1");
  }

  @Test
  @Order(2)
  void zoneOutageWithForceDeletesTheExperimentalPodsOnlyAndAnOrphanRecoveryUncordons()
      throws Exception {
    AttackPlan plan =
        plan(command("zone-outage", selector("zone", "one", "zone-a"), Map.of("force", "true")));
    Target zone = plan.targets().get(0);
    Fault.Applied applied =
        plan.executor().apply(zone, Map.of("force", "true"), Duration.ofSeconds(30));
    List<Request> sent = requests();

    assertThat(pods())
        .containsExactlyInAnyOrder("shop/ctl-1", "shop/exp-3", "shop/ctl-2", "other/exp-x");
    assertThat(sent)
        .filteredOn(r -> r.method().equals("DELETE"))
        .extracting(Request::path)
        .containsExactlyInAnyOrder(
            "/api/v1/namespaces/shop/pods/exp-1", "/api/v1/namespaces/shop/pods/exp-2");

    // another agent rebuilds the target from attack.state's flattened entries
    Map<String, String> state = new java.util.HashMap<>(zone.stateEntries());
    state.putAll(applied.recovery());
    Target rebuilt = plan.executor().fromState("zone-a", state);
    plan.executor().recover(rebuilt, applied.recovery());
    requests();
    assertThat(cordoned("n-a1")).isFalse();
    assertThat(cordoned("n-a2")).isTrue();
  }

  @Test
  @Order(10)
  void anOrphanZoneOutageWithoutRecoveryDataUncordonsTheNodesItMarkedOnly() throws Exception {
    stubEviction("exp-1", 201);
    stubEviction("exp-2", 201);
    AttackPlan plan = plan(command("zone-outage", selector("zone", "one", "zone-a"), Map.of()));
    Target zone = plan.targets().get(0);
    plan.executor().apply(zone, Map.of(), Duration.ofSeconds(30));
    requests();
    assertThat(client.nodes().withName("n-a1").get().getMetadata().getAnnotations())
        .containsEntry("faultline.io/cordoned-by", "zone-outage");
    assertThat(client.nodes().withName("n-a2").get().getMetadata().getAnnotations())
        .as("cordoned before: not marked")
        .isNullOrEmpty();
    ClusterFixture.drain(server);

    // the agent died before attack.state got the recovery data: only the zone is known
    Target rebuilt = plan.executor().fromState("zone-a", zone.stateEntries());
    String restored = plan.executor().recover(rebuilt, Map.of());
    requests();

    assertThat(restored).isEqualTo("zone zone-a: uncordoned n-a1");
    assertThat(cordoned("n-a1")).isFalse();
    assertThat(cordoned("n-a2")).as("cordoned before the attack, never marked").isTrue();
    assertThat(client.nodes().withName("n-a1").get().getMetadata().getAnnotations())
        .as("the mark is gone (the mock keeps a removed key with a null value)")
        .extractingByKey("faultline.io/cordoned-by")
        .isNull();
    ClusterFixture.drain(server);
  }

  @Test
  @Order(11)
  void nodeDrainCordonsTheSelectedExperimentalNodeAndEvictsOnlyItsExperimentalPods()
      throws Exception {
    for (String[] n : new String[][] {{"n-b1", "experimental"}, {"n-c1", "control"}}) {
      client
          .nodes()
          .withName(n[0])
          .edit(
              node ->
                  new io.fabric8.kubernetes.api.model.NodeBuilder(node)
                      .editMetadata()
                      .addToLabels(KubernetesScope.GROUP_LABEL, n[1])
                      .endMetadata()
                      .build());
    }
    ClusterFixture.drain(server);
    stubEviction("exp-3", 201);
    assertThatThrownBy(() -> plan(command("node-drain", selector("node", "one", "n-c1"), Map.of())))
        .hasMessageStartingWith("target.names: 'n-c1' is in the CONTROL group");
    AttackPlan plan = plan(command("node-drain", selector("node", "all"), Map.of()));
    assertThat(plan.targets()).extracting(Target::name).containsExactly("n-b1");
    requests();

    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), Map.of(), Duration.ofSeconds(30));
    List<Request> sent = requests();
    assertThat(applied.touched())
        .containsExactly("node n-b1 cordoned", "pod shop/exp-3 evicted from node n-b1");
    assertThat(sent)
        .filteredOn(r -> !r.method().equals("GET"))
        .extracting(Request::toString)
        .containsExactly(
            "PATCH /api/v1/nodes/n-b1", "POST /api/v1/namespaces/shop/pods/exp-3/eviction");
    assertThat(cordoned("n-b1")).isTrue();
    assertThat(cordoned("n-a1")).isFalse();

    assertThat(plan.executor().recover(plan.targets().get(0), applied.recovery()))
        .isEqualTo("node n-b1: uncordoned n-b1");
    requests();
    assertThat(cordoned("n-b1")).isFalse();
  }

  @Test
  @Order(3)
  void selectionRejectsControlZonesControlPodsAndNamespacesOutsideTheConfiguredOnes() {
    assertThatThrownBy(
            () -> plan(command("zone-outage", selector("zone", "one", "zone-c"), Map.of())))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "target.names: 'zone-c' is in the CONTROL group; only EXPERIMENTAL targets are"
                + " attacked");
    assertThatThrownBy(() -> plan(command("pod-delete", selector("pod", "one", "ctl-1"), Map.of())))
        .hasMessageStartingWith("target.names: 'ctl-1' is in the CONTROL group");
    TargetSelector other = selector("pod", "one");
    other.setNamespace("other");
    assertThatThrownBy(() -> plan(command("pod-delete", other, Map.of())))
        .hasMessage("target.namespace: 'other' is not one of agent.kubernetes.namespaces [shop]");
    assertThatThrownBy(() -> plan(command("pod-delete", selector("zone", "one"), Map.of())))
        .hasMessage("target.kind: 'zone': fault pod-delete takes targets of kind pod");
  }

  @Test
  @Order(4)
  void blastRadiusShareLimitsHowManyExperimentalPodsOneAttackTakes() throws Exception {
    // 3 EXPERIMENTAL pods in shop; 50% allows 1
    assertThatThrownBy(() -> plan(command("pod-delete", selector("pod", "all"), Map.of())))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "target.mode: blast radius: 3 of 3 EXPERIMENTAL pod targets (100%) is over"
                + " agent.max.blast.radius.percent=50 (at most 1 of 3)");
    assertThatThrownBy(() -> plan(command("pod-delete", selector("pod", "fixed:2"), Map.of())))
        .hasMessageContaining("2 of 3 EXPERIMENTAL pod targets (67%)");
    AttackPlan plan = plan(command("pod-delete", selector("pod", "percent:50"), Map.of()));
    assertThat(plan.targets()).hasSize(1);
    assertThat(plan.targets().get(0).name()).isIn("shop/exp-1", "shop/exp-2", "shop/exp-3");
    assertThat(
            AttackPlan.of(
                    command("pod-delete", selector("pod", "all"), Map.of()),
                    catalog,
                    Duration.ofMinutes(15),
                    100,
                    new Random(1))
                .targets())
        .extracting(Target::name)
        .containsExactlyInAnyOrder("shop/exp-1", "shop/exp-2", "shop/exp-3");
  }

  @Test
  @Order(5)
  void podDeleteDeletesTheChosenExperimentalPodAndNothingElse() throws Exception {
    AttackPlan plan = plan(command("pod-delete", selector("pod", "one", "exp-3"), Map.of()));
    requests();
    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), Map.of(), Duration.ofSeconds(30));

    assertThat(applied.touched()).containsExactly("pod shop/exp-3 deleted (node n-b1)");
    assertThat(requests())
        .extracting(Request::toString)
        .containsExactly("DELETE /api/v1/namespaces/shop/pods/exp-3");
    assertThat(pods())
        .containsExactlyInAnyOrder(
            "shop/exp-1", "shop/exp-2", "shop/ctl-1", "shop/ctl-2", "other/exp-x");
    assertThat(plan.executor().recover(plan.targets().get(0), applied.recovery()))
        .contains("its controller recreates it");
  }

  @Test
  @Order(6)
  void containerKillSendsKillToPidOneOfTheContainerThroughExec() throws Exception {
    stubExec("exp-1", "app", "command=kill&command=-TERM&command=1");
    AttackPlan plan = plan(command("container-kill", selector("pod", "one", "exp-1"), Map.of()));
    requests();
    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), Map.of(), Duration.ofSeconds(30));

    assertThat(applied.touched())
        .containsExactly("pod shop/exp-1 container app PID 1 sent SIGTERM (node n-a1)");
    assertThat(requests())
        .filteredOn(r -> r.path().contains("/exec"))
        .extracting(Request::toString)
        .containsExactly(
            "GET /api/v1/namespaces/shop/pods/exp-1/exec?command=kill&command=-TERM&command=1"
                + "&container=app&stdout=true&stderr=true");
    assertThatThrownBy(
            () ->
                plan(
                    command(
                        "container-kill",
                        selector("pod", "one", "exp-1"),
                        Map.of("signal", "KILL"))))
        .hasMessage("parameters.signal: 'KILL': must be one of TERM, INT, QUIT, HUP");
  }

  @Test
  @Order(7)
  void cpuStressRunsStressNgInAnEphemeralContainerBoundedByTheDurationAndStopsItOnRecover()
      throws Exception {
    Pod pod = client.pods().inNamespace("shop").withName("exp-2").get();
    server
        .expect()
        .patch()
        .withPath("/api/v1/namespaces/shop/pods/exp-2/ephemeralcontainers")
        .andReturn(200, pod)
        .once();
    Map<String, String> params = Map.of("workers", "2", "load", "80");
    AttackPlan plan = plan(command("pod-cpu-stress", selector("pod", "one", "exp-2"), params));
    requests();
    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), params, Duration.ofSeconds(30));
    String container = applied.recovery().get("ephemeralContainer");
    assertThat(container).startsWith("faultline-pod-cpu-stress-");

    List<Request> sent = requests().stream().filter(r -> r.method().equals("PATCH")).toList();
    assertThat(sent).hasSize(1);
    Request patch = sent.get(0);
    assertThat(patch.method()).isEqualTo("PATCH");
    assertThat(patch.contentType()).startsWith("application/strategic-merge-patch+json");
    assertThat(patch.body())
        .contains("\"name\":\"" + container + "\"")
        .contains("\"image\":\"stress:test\"")
        .contains("stress-ng --cpu 2 --cpu-load 80 --timeout 30s & wait");

    // what the API server does with the patch (the stub does not): the pod now has the container
    client
        .pods()
        .inNamespace("shop")
        .withName("exp-2")
        .edit(
            p ->
                new PodBuilder(p)
                    .editSpec()
                    .addNewEphemeralContainer()
                    .withName(container)
                    .withImage("stress:test")
                    .endEphemeralContainer()
                    .endSpec()
                    .build());
    ClusterFixture.drain(server); // the test's own requests
    stubExec("exp-2", container, "command=sh&command=-c&command=pkill%20stress-ng%3B%20true");
    String restored = plan.executor().recover(plan.targets().get(0), applied.recovery());
    assertThat(restored).isEqualTo("pod shop/exp-2 ephemeral container " + container + " stopped");
    assertThat(requests())
        .filteredOn(r -> r.path().contains("/exec"))
        .extracting(Request::path)
        .containsExactly(
            "/api/v1/namespaces/shop/pods/exp-2/exec?command=sh&command=-c"
                + "&command=pkill%20stress-ng%3B%20true&container="
                + container
                + "&stdout=true&stderr=true");
  }

  @Test
  @Order(8)
  void networkDelayAddsNetemWithNetAdminAndMemoryStressHoldsTheMegabytes() throws Exception {
    Pod pod = client.pods().inNamespace("shop").withName("exp-1").get();
    server
        .expect()
        .patch()
        .withPath("/api/v1/namespaces/shop/pods/exp-1/ephemeralcontainers")
        .andReturn(200, pod)
        .times(2);
    Map<String, String> delay = Map.of("delayMs", "200", "jitterMs", "20");
    AttackPlan plan = plan(command("pod-network-delay", selector("pod", "one", "exp-1"), delay));
    requests();
    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), delay, Duration.ofMillis(1500));
    String body = patchBody();
    assertThat(body)
        .contains("\"image\":\"net:test\"")
        .contains("\"add\":[\"NET_ADMIN\"]")
        .contains(
            "tc qdisc add dev eth0 root netem delay 200ms 20ms && sleep 2; tc qdisc del dev eth0 root");
    assertThat(applied.recovery()).containsEntry("interface", "eth0");

    Map<String, String> memory = Map.of("mb", "512");
    AttackPlan mem = plan(command("pod-memory-stress", selector("pod", "one", "exp-1"), memory));
    requests();
    mem.executor().apply(mem.targets().get(0), memory, Duration.ofSeconds(10));
    assertThat(patchBody())
        .contains("stress-ng --vm 1 --vm-bytes 512M --vm-keep --timeout 10s & wait");
  }

  @Test
  @Order(100)
  void everyRequestTheFaultsSentIsCoveredByTheRbacContract() throws Exception {
    Set<String> granted = RbacContract.granted();
    Set<String> used = new TreeSet<>();
    for (Request r : ALL_REQUESTS) {
      used.add(RbacContract.of(r));
    }
    assertThat(used)
        .as("faults exercised: zone-outage, pod-delete, container-kill, stress, network delay")
        .contains("nodes patch", "pods/eviction create", "pods/exec get", "pods delete");
    assertThat(granted).as("the contract grants every verb the faults use").containsAll(used);
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    // a WebSocket exec is a GET, but API servers from 1.30 on also authorize it as create
    assertThat(unused)
        .as("the contract grants nothing the faults do not use")
        .containsOnly("pods/exec create");
  }
}
