package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.faultline.agent.kubernetes.KubernetesScope;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.Topics;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end through the in-process broker: a zone-outage command on attack.commands against
 * fabric8's mock API server -> STARTED naming the cordoned nodes and the evicted pods ->
 * attack.state holding what recovery needs -> STOP -> STOPPED naming what was restored, and the
 * cluster back as it was (the node cordoned before the attack still cordoned).
 */
@EnableKubernetesMockClient(crud = true)
@Tag("side-by-side")
class KubernetesAgentIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static Topics topics;
  private static AttackAgent agent;
  private static CommandWriter commands;
  private static TopicFollower<String, AttackEvent> events;
  private static TopicFollower<String, AttackState> states;

  @BeforeAll
  static void start() throws Exception {
    ClusterFixture.create(client);
    for (String pod : List.of("exp-1", "exp-2")) {
      server
          .expect()
          .post()
          .withPath("/api/v1/namespaces/shop/pods/" + pod + "/eviction")
          .andReturn(
              201, new EvictionBuilder().withNewMetadata().withName(pod).endMetadata().build())
          .once();
    }
    topics = TestTopics.provision(TestTopics.prefix("k8s"));
    AgentConfig config =
        AgentConfig.fromMap(
            Map.of(
                "bootstrap.servers", TestBroker.bootstrapServers(),
                "topics.prefix", topics.prefix(),
                "agent.id", "agent-k8s-it",
                "agent.max.duration", "5m",
                "agent.kubernetes.namespaces", "shop"));
    CloudFaults cloud =
        new CloudFaults(
            new KubernetesScope(server.createClient(), config.kubernetesNamespaces()),
            config.kubernetesStressImage(),
            config.kubernetesNetworkImage(),
            null);
    agent = AgentMain.start(config, cloud);
    commands = CommandWriter.open(topics);
    events = TopicFollower.start(topics.attackEvents());
    states = TopicFollower.start(topics.attackState());
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (events != null) {
      events.close();
    }
    if (states != null) {
      states.close();
    }
    if (commands != null) {
      commands.close();
    }
  }

  private static AttackEvent await(Predicate<AttackEvent> match, Duration limit) throws Exception {
    return events.await(match, limit);
  }

  private static void send(String experiment, String json) throws Exception {
    commands.send(experiment, json);
  }

  private static boolean cordoned(String node) {
    return KubernetesScope.cordoned(client.nodes().withName(node).get());
  }

  @Test
  void zoneOutageCommandStartsWithNodeAndPodNamesAndStopRestoresThePriorState() throws Exception {
    String exp = "exp-zone-" + UUID.randomUUID().toString().substring(0, 6);
    long sent = System.currentTimeMillis();
    send(
        exp,
        "{\"commandId\":\"start-"
            + exp
            + "\",\"experimentId\":\""
            + exp
            + "\",\"type\":\"START\",\"fault\":\"zone-outage\",\"duration\":\"2m\","
            + "\"target\":{\"kind\":\"zone\",\"names\":[\"zone-a\"],\"group\":\"EXPERIMENTAL\"}}");
    AttackEvent started =
        await(
            e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.STARTED,
            Duration.ofSeconds(60));
    System.out.println(
        "zone-outage command-to-STARTED: " + (started.getTimestamp() - sent) + " ms (mock API)");
    assertThat(started.getTargets())
        .containsExactlyInAnyOrder(
            "node n-a1 cordoned",
            "node n-a2 was already cordoned; left as it is",
            "pod shop/exp-1 evicted from node n-a1",
            "pod shop/exp-2 evicted from node n-a2");
    assertThat(cordoned("n-a1")).isTrue();
    assertThat(cordoned("n-b1")).isFalse();
    assertThat(client.pods().inNamespace("shop").withName("ctl-1").get()).isNotNull();

    String attackId = started.getAttackId();
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline
        && !states
            .latestByKey()
            .getOrDefault(attackId, Optional.empty())
            .map(s -> s.getRecovery().containsKey("zone-a.cordoned"))
            .orElse(false)) {
      Thread.sleep(20);
    }
    AttackState state = states.latestByKey().get(attackId).orElseThrow();
    assertThat(state.getFault()).isEqualTo("zone-outage");
    assertThat(state.getTargets()).containsExactly("zone zone-a");
    assertThat(state.getRecovery())
        .containsEntry("zone-a.zone", "zone-a")
        .containsEntry("zone-a.cordoned", "n-a1")
        .containsEntry("zone-a.alreadyCordoned", "n-a2")
        .containsEntry("zone-a.evicted", "shop/exp-1,shop/exp-2");

    send(
        exp,
        "{\"commandId\":\"stop-"
            + exp
            + "\",\"experimentId\":\""
            + exp
            + "\",\"type\":\"STOP\",\"attackId\":\""
            + attackId
            + "\"}");
    AttackEvent stopped =
        await(
            e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.STOPPED,
            Duration.ofSeconds(60));
    assertThat(stopped.getTargets())
        .containsExactly("zone zone-a: uncordoned n-a1; left cordoned as before the attack: n-a2");
    assertThat(cordoned("n-a1")).isFalse();
    assertThat(cordoned("n-a2")).isTrue();
    long tombstoneDeadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < tombstoneDeadline
        && states.latestByKey().getOrDefault(attackId, Optional.empty()).isPresent()) {
      Thread.sleep(20);
    }
    assertThat(states.latestByKey().get(attackId))
        .as("attack.state tombstoned after recovery")
        .isEmpty();
  }

  @Test
  void dryRunSelectsAndReportsPodsWithoutTouchingThem() throws Exception {
    String exp = "exp-dry-" + UUID.randomUUID().toString().substring(0, 6);
    int before = client.pods().inNamespace("shop").list().getItems().size();
    send(
        exp,
        "{\"commandId\":\"dry-"
            + exp
            + "\",\"experimentId\":\""
            + exp
            + "\",\"type\":\"START\",\"fault\":\"pod-delete\",\"duration\":\"30s\","
            + "\"dryRun\":true,\"target\":{\"kind\":\"pod\",\"namespace\":\"shop\","
            + "\"labels\":{\"app\":\"scale\"},\"group\":\"EXPERIMENTAL\",\"mode\":\"one\"}}");
    AttackEvent accepted =
        await(
            e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.ACCEPTED,
            Duration.ofSeconds(60));
    assertThat(accepted.getDetails()).containsEntry("dryRun", "true");
    assertThat(accepted.getTargets())
        .singleElement()
        .satisfies(t -> assertThat(t).matches("pod shop/exp-[123] node=n-(a1|a2|b1)"));
    assertThat(client.pods().inNamespace("shop").list().getItems()).hasSize(before);
    assertThat(events.values())
        .noneMatch(e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.STARTED);
  }

  private static void sparkPod(String name, String group, String role) {
    client
        .pods()
        .inNamespace("shop")
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("shop")
                .addToLabels(KubernetesScope.GROUP_LABEL, group)
                .addToLabels("app", "extract")
                .addToLabels("spark-role", role)
                .endMetadata()
                .withNewSpec()
                .withNodeName("n-c1")
                .addNewContainer()
                .withName("spark-kubernetes-" + role)
                .withImage("faultline/scale-spark:test")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .endStatus()
                .build())
        .create();
  }

  private static String executorKill(String exp, String id, String target) {
    return "{\"commandId\":\""
        + id
        + "\",\"experimentId\":\""
        + exp
        + "\",\"type\":\"START\",\"fault\":\"executor-kill\",\"duration\":\"2s\","
        + "\"target\":{\"kind\":\"pod\",\"namespace\":\"shop\","
        + target
        + "\"group\":\"EXPERIMENTAL\",\"mode\":\"one\"}}";
  }

  @Test
  void executorKillDeletesAnExperimentalExecutorPodAndRejectsASelectionOfTheDriver()
      throws Exception {
    sparkPod("spark-driver", "experimental", "driver");
    sparkPod("spark-exec-1", "experimental", "executor");
    sparkPod("spark-ctl-exec-1", "control", "executor");
    String exp = "exp-exec-" + UUID.randomUUID().toString().substring(0, 6);
    send(exp, executorKill(exp, "kill-" + exp, "\"labels\":{\"app\":\"extract\"},"));
    AttackEvent started =
        await(
            e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.STARTED,
            Duration.ofSeconds(60));
    assertThat(started.getTargets())
        .containsExactly("executor pod shop/spark-exec-1 deleted (node n-c1)");
    assertThat(client.pods().inNamespace("shop").withName("spark-exec-1").get()).isNull();
    assertThat(client.pods().inNamespace("shop").withName("spark-driver").get()).isNotNull();
    assertThat(client.pods().inNamespace("shop").withName("spark-ctl-exec-1").get()).isNotNull();
    // the duration ends: recovery has nothing to undo and says so
    AttackEvent rolledBack =
        await(
            e -> e.getExperimentId().equals(exp) && e.getType() == AttackEventType.ROLLED_BACK,
            Duration.ofSeconds(60));
    assertThat(String.join(" ", rolledBack.getTargets())).contains("nothing to undo");

    // no executor left, only the driver: REJECTED naming the driver, nothing deleted
    send(exp, executorKill(exp, "driver-" + exp, "\"labels\":{\"app\":\"extract\"},"));
    AttackEvent rejected =
        await(
            e ->
                e.getExperimentId().equals(exp)
                    && e.getType() == AttackEventType.REJECTED
                    && ("driver-" + exp).equals(e.getCommandId()),
            Duration.ofSeconds(60));
    assertThat(rejected.getReason())
        .startsWith("target: pod shop/spark-driver is a Spark driver (spark-role=driver)");
    assertThat(client.pods().inNamespace("shop").withName("spark-driver").get()).isNotNull();
  }
}
