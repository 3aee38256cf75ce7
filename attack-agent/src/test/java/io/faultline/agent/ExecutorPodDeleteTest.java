package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.faultline.agent.ClusterFixture.Request;
import io.faultline.agent.kubernetes.KubernetesFaults;
import io.faultline.agent.kubernetes.KubernetesScope;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.TargetSelector;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code executor-kill} on Kubernetes against fabric8's mock server in CRUD mode: a Spark
 * application of each group (driver + executors, labelled as Spark and the chart label them) and an
 * experimental web pod beside them.
 */
@EnableKubernetesMockClient(crud = true)
class ExecutorPodDeleteTest {

  private static final Map<String, String> EXTRACTION =
      Map.of("app.kubernetes.io/name", "scale", "app.kubernetes.io/component", "extract");

  KubernetesMockServer server;
  KubernetesClient client;
  private FaultCatalog catalog;

  @BeforeEach
  void cluster() throws Exception {
    pod("extract-driver", "experimental", "extract", "driver");
    pod("extract-exec-1", "experimental", "extract", "executor");
    pod("extract-exec-2", "experimental", "extract", "executor");
    pod("ctl-driver", "control", "extract", "driver");
    pod("ctl-exec-1", "control", "extract", "executor");
    pod("web-1", "experimental", "web", null);
    catalog = new FaultCatalog();
    KubernetesFaults.register(
        catalog, new KubernetesScope(client, List.of("etl")), "stress:test", "net:test");
    ClusterFixture.drain(server); // the fixture's own requests are not the fault's
  }

  private void pod(String name, String group, String component, String sparkRole) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("etl")
            .addToLabels(KubernetesScope.GROUP_LABEL, group)
            .addToLabels("app.kubernetes.io/name", "scale")
            .addToLabels("app.kubernetes.io/component", component)
            .endMetadata()
            .withNewSpec()
            .withNodeName("n-1")
            .addNewContainer()
            .withName(sparkRole == null ? "web" : "spark-kubernetes-" + sparkRole)
            .withImage("faultline/scale-spark:test")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus();
    if (sparkRole != null) {
      pod.editMetadata().addToLabels("spark-role", sparkRole).endMetadata();
    }
    client.pods().inNamespace("etl").resource(pod.build()).create();
  }

  private static AttackCommand command(TargetSelector selector) {
    return AttackCommand.newBuilder()
        .setCommandId("c")
        .setExperimentId("e")
        .setType(CommandType.START)
        .setFault("executor-kill")
        .setDurationMs(30_000L)
        .setTarget(selector)
        .setParameters(Map.of())
        .build();
  }

  private static TargetSelector selector(Map<String, String> labels, String... names) {
    return TargetSelector.newBuilder()
        .setKind("pod")
        .setGroup(Group.EXPERIMENTAL)
        .setMode("one")
        .setLabels(labels)
        .setNames(List.of(names))
        .build();
  }

  private AttackPlan plan(TargetSelector selector, int seed) {
    return AttackPlan.of(command(selector), catalog, Duration.ofMinutes(15), 50, new Random(seed));
  }

  /** The pods left (the test's own look; its requests are drained). */
  private Set<String> pods() throws InterruptedException {
    Set<String> names = new TreeSet<>();
    for (Pod p : client.pods().inNamespace("etl").list().getItems()) {
      names.add(p.getMetadata().getName());
    }
    ClusterFixture.drain(server);
    return names;
  }

  @Test
  void deletesOneExperimentalExecutorAmongDriverAndExecutorsNeverTheDriver() throws Exception {
    Set<String> chosen = new HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      AttackPlan plan = plan(selector(EXTRACTION), seed);
      assertThat(plan.targets()).hasSize(1);
      chosen.add(plan.targets().get(0).name());
    }
    // the selector addresses driver and executors of both groups: only experimental executors
    assertThat(chosen).isSubsetOf("etl/extract-exec-1", "etl/extract-exec-2").isNotEmpty();

    AttackPlan plan = plan(selector(EXTRACTION), 1);
    String victim = plan.targets().get(0).name().substring("etl/".length());
    ClusterFixture.drain(server);
    Fault.Applied applied =
        plan.executor().apply(plan.targets().get(0), Map.of(), Duration.ofSeconds(30));

    assertThat(applied.touched())
        .containsExactly("executor pod etl/" + victim + " deleted (node n-1)");
    List<Request> requests = ClusterFixture.drain(server);
    assertThat(requests)
        .extracting(Request::toString)
        .containsExactly(
            "GET /api/v1/namespaces/etl/pods/" + victim,
            "DELETE /api/v1/namespaces/etl/pods/" + victim);
    Set<String> granted = RbacContract.granted();
    requests.forEach(r -> assertThat(granted).contains(RbacContract.of(r)));
    Set<String> expected =
        new TreeSet<>(
            Set.of(
                "extract-driver",
                "extract-exec-1",
                "extract-exec-2",
                "ctl-driver",
                "ctl-exec-1",
                "web-1"));
    expected.remove(victim);
    assertThat(pods()).isEqualTo(expected);
    assertThat(plan.executor().recover(plan.targets().get(0), applied.recovery()))
        .contains("asks for a new executor")
        .contains("nothing to undo");
  }

  @Test
  void refusesASelectionOfTheDriverNamingIt() throws Exception {
    for (TargetSelector driver :
        List.of(
            selector(Map.of(), "etl/extract-driver"),
            selector(Map.of("spark-role", "driver", "app.kubernetes.io/component", "extract")))) {
      assertThatThrownBy(() -> plan(driver, 0))
          .isInstanceOfSatisfying(
              InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("target"))
          .hasMessageContaining("pod etl/extract-driver is a Spark driver (spark-role=driver)")
          .hasMessageContaining("never deletes a driver");
    }
    assertThat(ClusterFixture.drain(server)).noneMatch(r -> r.method().equals("DELETE"));
    assertThat(pods()).contains("extract-driver");
  }

  @Test
  void neverTouchesTheControlGroupsExecutors() throws Exception {
    assertThatThrownBy(() -> plan(selector(Map.of(), "etl/ctl-exec-1"), 0))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("CONTROL");
    // and apply itself reads the pod's group again before deleting (selection was a moment ago)
    Fault fault = catalog.fault("executor-kill");
    Target control =
        fault.fromState("etl/ctl-exec-1", Map.of("namespace", "etl", "pod", "ctl-exec-1"));
    assertThatThrownBy(() -> fault.apply(control, Map.of(), Duration.ofSeconds(30)))
        .hasMessageContaining("pod etl/ctl-exec-1 is not in the EXPERIMENTAL group: not deleted");
    Target driver =
        fault.fromState("etl/extract-driver", Map.of("namespace", "etl", "pod", "extract-driver"));
    assertThatThrownBy(() -> fault.apply(driver, Map.of(), Duration.ofSeconds(30)))
        .hasMessageContaining("is not a Spark executor (spark-role=driver): not deleted");
    assertThat(ClusterFixture.drain(server)).noneMatch(r -> r.method().equals("DELETE"));
    assertThat(pods()).contains("ctl-exec-1", "ctl-driver", "extract-driver");
  }

  @Test
  void withoutAnExecutorPodTheCommandFailsSayingWhatToSelect() throws Exception {
    assertThatThrownBy(() -> plan(selector(Map.of("app.kubernetes.io/component", "web")), 0))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("target"))
        // the REJECTED event's reason is this message
        .hasMessageContaining(
            "target: no Spark executor pod (label spark-role=executor) among the 1 EXPERIMENTAL pods"
                + " selected (etl/web-1); select a Spark application's pods while its job runs");
    // an executor gone between selection and apply (its job ended): the attack FAILS, naming it
    AttackPlan plan = plan(selector(EXTRACTION), 0);
    String victim = plan.targets().get(0).name().substring("etl/".length());
    client.pods().inNamespace("etl").withName(victim).withGracePeriod(0).delete();
    assertThatThrownBy(
            () -> plan.executor().apply(plan.targets().get(0), Map.of(), Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("executor pod etl/" + victim + " was already gone");
  }

  @Test
  void takesPodTargetsOnKubernetesAndAnOrphanHasNothingToUndo() throws Exception {
    Fault fault = catalog.fault("executor-kill");
    assertThat(fault.kind()).isEqualTo("pod");
    assertThat(FaultSpecs.EXECUTOR_KILL.kindOn("local")).isEqualTo("process");
    assertThat(FaultSpecs.EXECUTOR_KILL.kindOn("kubernetes")).isEqualTo("pod");
    TargetSelector process =
        TargetSelector.newBuilder()
            .setKind("process")
            .setGroup(Group.EXPERIMENTAL)
            .setMode("one")
            .setNames(List.of("spark-worker-1-experimental"))
            .build();
    assertThatThrownBy(() -> plan(process, 0))
        .hasMessageContaining("fault executor-kill takes targets of kind pod");
    ClusterFixture.drain(server);
    Target orphan =
        fault.fromState("etl/extract-exec-1", Map.of("namespace", "etl", "pod", "extract-exec-1"));
    assertThat(fault.recover(orphan, Map.of("deleted", "true"))).contains("nothing to undo");
    assertThat(ClusterFixture.drain(server)).isEmpty();
  }
}
