package io.faultline.deploy;

import static io.faultline.deploy.Charts.FAULTLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.faultline.schema.Durations;
import io.faultline.schema.MetricShards;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.Topic;
import io.faultline.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultlineChartTest {

  private static final List<Path> PRODUCTION = List.of(Charts.productionValues(FAULTLINE));

  private static List<HasMetadata> render(List<Path> values, String... sets) {
    return Charts.parse(Charts.template(FAULTLINE, values, sets));
  }

  private static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static HasMetadata named(List<HasMetadata> objects, String kind, String name) {
    return objects.stream()
        .filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " rendered"));
  }

  /**
   * The production values' topics.partitions (6, not the default, so the value is seen to pass).
   */
  @SuppressWarnings("unchecked")
  private static int productionPartitions() {
    Map<String, Object> topics = (Map<String, Object>) Charts.yaml(PRODUCTION.get(0)).get("topics");
    return ((Number) topics.get("partitions")).intValue();
  }

  private static Container container(HasMetadata workload) {
    return KubernetesChecks.podSpec(workload).getContainers().get(0);
  }

  private static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> b, TreeMap::new));
  }

  @Test
  void lintsCleanWithDefaultAndProductionValues(@TempDir Path tmp) {
    LintResult defaults = Charts.lint(FAULTLINE, null, tmp);
    assertThat(defaults.isFailed()).as("%s", defaults.getMessages()).isFalse();
    LintResult production = Charts.lint(FAULTLINE, PRODUCTION.get(0), tmp);
    assertThat(production.isFailed()).as("%s", production.getMessages()).isFalse();
  }

  @Test
  void everyRenderedObjectParsesAsAKnownKindWithoutUnknownFields() {
    for (List<Path> values : List.of(List.<Path>of(), PRODUCTION)) {
      List<HasMetadata> objects = render(values);
      assertThat(objects).hasSizeGreaterThan(8);
      assertThat(KubernetesChecks.schemaProblems(objects)).as("values %s", values).isEmpty();
    }
    // with Strimzi topics too
    List<HasMetadata> strimzi = render(PRODUCTION, "topics.strimzi.enabled", "true");
    assertThat(KubernetesChecks.schemaProblems(strimzi)).isEmpty();
  }

  @Test
  void noContainerRunsAsRootAndEveryContainerHasResourcesAndProbes() {
    for (List<Path> values : List.of(List.<Path>of(), PRODUCTION)) {
      List<HasMetadata> objects = render(values);
      assertThat(objects.stream().filter(o -> KubernetesChecks.podSpec(o) != null)).isNotEmpty();
      assertThat(KubernetesChecks.podProblems(objects)).as("values %s", values).isEmpty();
      assertThat(KubernetesChecks.selectorProblems(objects)).as("values %s", values).isEmpty();
    }
  }

  @Test
  void podChecksCatchARootContainerAndMissingProbesOrLimits() {
    // the checks above must be able to fail: break a rendered agent and look
    List<HasMetadata> objects = render(PRODUCTION);
    Deployment agent = (Deployment) named(objects, "Deployment", "fl-faultline-agent");
    Container c = container(agent);
    c.getSecurityContext().setRunAsUser(0L);
    c.setLivenessProbe(null);
    c.getResources().setLimits(null);
    c.getReadinessProbe()
        .getHttpGet()
        .setPort(new io.fabric8.kubernetes.api.model.IntOrString("web"));
    agent.getSpec().getSelector().getMatchLabels().put("app.kubernetes.io/component", "agnet");
    assertThat(KubernetesChecks.podProblems(List.of(agent)))
        .containsExactlyInAnyOrder(
            "Deployment/fl-faultline-agent container agent: runAsUser is 0 (must be set and not 0)",
            "Deployment/fl-faultline-agent container agent: cpu/memory requests and a memory limit"
                + " are required",
            "Deployment/fl-faultline-agent container agent: no livenessProbe",
            "Deployment/fl-faultline-agent container agent: probe port web not declared");
    assertThat(KubernetesChecks.selectorProblems(List.of(agent)))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("does not match its pods"));
  }

  @Test
  void agentRbacEqualsTheVerbsItsFaultsUseInTheListedNamespacesOnly() throws Exception {
    List<HasMetadata> objects = render(PRODUCTION);
    String sa = "fl-faultline-agent";
    List<Role> roles = new ArrayList<>();
    for (RoleBinding b : ofType(objects, RoleBinding.class)) {
      if (b.getSubjects().stream().anyMatch(s -> s.getName().equals(sa))) {
        ofType(objects, Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .filter(r -> r.getMetadata().getNamespace().equals(b.getMetadata().getNamespace()))
            .forEach(roles::add);
      }
    }
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactly("scale");
    List<ClusterRole> clusterRoles = boundClusterRoles(objects, sa);
    // a ClusterRole only for cluster-scoped nodes: no pod verbs cluster-wide
    assertThat(KubernetesChecks.triples(rules(clusterRoles)))
        .allSatisfy(t -> assertThat(t).startsWith("|nodes|"));
    List<PolicyRule> granted = new ArrayList<>(rules(clusterRoles));
    roles.forEach(r -> granted.addAll(r.getRules()));
    assertThat(KubernetesChecks.triples(granted))
        .isEqualTo(
            KubernetesChecks.triples(
                contract("attack-agent/src/main/resources/faultline/rbac/attack-agent.yaml")));
  }

  @Test
  void collectorRbacIsReadOnlyAndEqualsItsVerbList() throws Exception {
    List<HasMetadata> objects = render(PRODUCTION);
    String sa = "fl-faultline-collector";
    Set<String> namespaces = new java.util.TreeSet<>();
    List<PolicyRule> granted = new ArrayList<>();
    for (RoleBinding b : ofType(objects, RoleBinding.class)) {
      if (b.getSubjects().stream().anyMatch(s -> s.getName().equals(sa))) {
        namespaces.add(b.getMetadata().getNamespace());
        ofType(objects, Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals(b.getRoleRef().getName()))
            .filter(r -> r.getMetadata().getNamespace().equals(b.getMetadata().getNamespace()))
            .forEach(r -> granted.addAll(r.getRules()));
      }
    }
    assertThat(namespaces).containsExactly("scale");
    granted.addAll(rules(boundClusterRoles(objects, sa)));
    Set<String> triples = KubernetesChecks.triples(granted);
    assertThat(triples).allSatisfy(t -> assertThat(t).matches(".*\\|(get|list|watch)$"));
    assertThat(triples)
        .isEqualTo(
            KubernetesChecks.triples(
                contract(
                    "metrics-collector/src/main/resources/faultline/rbac/metrics-collector.yaml")));
  }

  @Test
  void withoutNamespacesTheAgentGetsNoPodVerbs() {
    List<HasMetadata> objects = render(List.of(), "agent.kubernetes.nodeAccess", "false");
    assertThat(ofType(objects, Role.class)).isEmpty();
    assertThat(ofType(objects, ClusterRole.class)).isEmpty();
    Deployment agent = (Deployment) named(objects, "Deployment", "fl-faultline-agent");
    assertThat(env(container(agent)).get("FAULTLINE_AGENT_KUBERNETES_NAMESPACES").getValue())
        .isEmpty();
  }

  private static List<ClusterRole> boundClusterRoles(List<HasMetadata> objects, String sa) {
    Set<String> names =
        ofType(objects, ClusterRoleBinding.class).stream()
            .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(sa)))
            .map(b -> b.getRoleRef().getName())
            .collect(Collectors.toSet());
    return ofType(objects, ClusterRole.class).stream()
        .filter(r -> names.contains(r.getMetadata().getName()))
        .toList();
  }

  private static List<PolicyRule> rules(List<ClusterRole> roles) {
    return roles.stream().flatMap(r -> r.getRules().stream()).toList();
  }

  /** The verb list a component's code keeps true (see the file's header). */
  private static List<PolicyRule> contract(String relative) throws Exception {
    String text = Files.readString(Charts.ROOT.resolve(relative));
    return Serialization.unmarshal(text, ClusterRole.class).getRules();
  }

  @Test
  void agentIsADeploymentWithFailoverReplicasAndItsSettingsAsEnvironment() {
    List<HasMetadata> objects = render(PRODUCTION);
    Deployment agent = (Deployment) named(objects, "Deployment", "fl-faultline-agent");
    assertThat(agent.getSpec().getReplicas()).isEqualTo(3);
    Map<String, EnvVar> env = env(container(agent));
    assertThat(env.get("FAULTLINE_AGENT_MAX_DURATION").getValue()).isEqualTo("10m");
    assertThat(env.get("FAULTLINE_AGENT_KUBERNETES_NAMESPACES").getValue()).isEqualTo("scale");
    assertThat(env.get("FAULTLINE_AGENT_AWS_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("FAULTLINE_AGENT_AWS_REGION").getValue()).isEqualTo("eu-west-1");
    assertThat(env.get("FAULTLINE_AGENT_ID").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    // secrets by reference only
    assertThat(env.get("FAULTLINE_AGENT_COMMAND_SECRET").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("faultline-command-secret");
    EnvVar jaas = env.get("FAULTLINE_KAFKA_SASL_JAAS_CONFIG");
    assertThat(jaas.getValue()).isNull();
    assertThat(jaas.getValueFrom().getSecretKeyRef().getName()).isEqualTo("faultline-kafka-agent");
    assertThat(env.get("FAULTLINE_KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
    assertThat(env.get("FAULTLINE_KAFKA_CLIENT_DNS_LOOKUP").getValue())
        .isEqualTo("use_all_dns_ips");
    PodDisruptionBudget pdb =
        (PodDisruptionBudget) named(objects, "PodDisruptionBudget", "fl-faultline-agent");
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void eachComponentUsesItsOwnKafkaUserOrTheSharedOne() {
    Map<String, String> jaas = new TreeMap<>();
    for (HasMetadata o : render(PRODUCTION, "topics.job.hook", "false")) {
      if (KubernetesChecks.podSpec(o) != null) {
        EnvVar e = env(container(o)).get("FAULTLINE_KAFKA_SASL_JAAS_CONFIG");
        jaas.put(o.getMetadata().getName(), e.getValueFrom().getSecretKeyRef().getName());
      }
    }
    assertThat(jaas)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "fl-faultline-agent", "faultline-kafka-agent",
                "fl-faultline-collector", "faultline-kafka-collector",
                "fl-faultline-analyzer", "faultline-kafka-scram",
                "fl-faultline-topics", "faultline-kafka-admin"));
    // PLAINTEXT: no SASL variables at all
    for (HasMetadata o : render(List.of())) {
      if (KubernetesChecks.podSpec(o) != null) {
        assertThat(env(container(o)))
            .doesNotContainKeys(
                "FAULTLINE_KAFKA_SASL_JAAS_CONFIG", "FAULTLINE_KAFKA_SASL_MECHANISM");
      }
    }
  }

  @Test
  void collectorAndAnalyzerGetTheirConfigKeysAsEnvironment() {
    List<HasMetadata> objects = render(PRODUCTION);
    Map<String, EnvVar> collector =
        env(container(named(objects, "Deployment", "fl-faultline-collector")));
    assertThat(collector.get("FAULTLINE_SOURCES").getValue())
        .isEqualTo("http,kubernetes,cloudwatch");
    assertThat(collector.get("FAULTLINE_KUBERNETES_NAMESPACE").getValue()).isEqualTo("scale");
    assertThat(collector.get("FAULTLINE_CLOUDWATCH_CLUSTER").getValue()).isEqualTo("faultline");
    assertThat(collector.get("FAULTLINE_CLOUDWATCH_WORKLOAD_EXPERIMENTAL").getValue())
        .isEqualTo("scale-experimental-web");
    assertThat(collector.get("FAULTLINE_CLOUDWATCH_REGION").getValue()).isEqualTo("eu-west-1");
    Map<String, EnvVar> analyzer =
        env(container(named(objects, "StatefulSet", "fl-faultline-analyzer")));
    assertThat(analyzer.get("FAULTLINE_ANALYZER_METRICS_HOST").getValue()).isEqualTo("0.0.0.0");
    assertThat(analyzer.get("FAULTLINE_ANALYZER_METRICS_PORT").getValue()).isEqualTo("9400");
    assertThat(analyzer.get("FAULTLINE_ANALYZER_ALERTMANAGER_URL").getValue())
        .isEqualTo("http://kube-prometheus-stack-alertmanager.monitoring:9093");
    assertThat(collector.get("FAULTLINE_EXPERIMENTS_FOLLOW").getValue()).isEqualTo("true");
    assertThat(collector.get("FAULTLINE_EXPERIMENT_ID").getValue()).isEqualTo("pod-attacks");
    // a collector that only follows the experiments needs no experiment id nor probe targets
    Map<String, EnvVar> following =
        env(
            container(
                named(
                    render(PRODUCTION, "collector.experimentId", "", "collector.probe.targets", ""),
                    "Deployment",
                    "fl-faultline-collector")));
    assertThat(following.get("FAULTLINE_EXPERIMENTS_FOLLOW").getValue()).isEqualTo("true");
    assertThat(following).doesNotContainKeys("FAULTLINE_EXPERIMENT_ID", "FAULTLINE_PROBE_TARGETS");
    // one that does neither has nothing to do: the chart says what to set
    assertThatThrownBy(
            () ->
                Charts.template(
                    FAULTLINE,
                    PRODUCTION,
                    "collector.experimentId",
                    "",
                    "collector.followExperiments",
                    "false"))
        .hasMessageContaining("set collector.experimentId");
    // the collector reads one namespace: the schema says so
    assertThatThrownBy(
            () ->
                Charts.template(
                    FAULTLINE,
                    PRODUCTION,
                    "collector.kubernetes.namespaces[1]",
                    "scale-experimental"))
        .hasMessageContaining("at '/collector/kubernetes/namespaces': maxItems: got 2, want 1");
  }

  @Test
  void irsaRolesAnnotateTheAgentAndCollectorServiceAccountsOnly() {
    List<HasMetadata> objects = render(PRODUCTION);
    Map<String, String> roles = new TreeMap<>();
    for (ServiceAccount sa : ofType(objects, ServiceAccount.class)) {
      Map<String, String> ann = sa.getMetadata().getAnnotations();
      if (ann != null && ann.containsKey("eks.amazonaws.com/role-arn")) {
        roles.put(sa.getMetadata().getName(), ann.get("eks.amazonaws.com/role-arn"));
      }
    }
    assertThat(roles)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "fl-faultline-agent", "arn:aws:iam::123456789012:role/faultline-agent",
                "fl-faultline-collector", "arn:aws:iam::123456789012:role/faultline-collector"));
  }

  @Test
  void analyzerIsAStatefulSetWithAStateVolumeScaledByReplicas() {
    List<HasMetadata> objects = render(PRODUCTION);
    StatefulSet analyzer = (StatefulSet) named(objects, "StatefulSet", "fl-faultline-analyzer");
    assertThat(analyzer.getSpec().getReplicas()).isEqualTo(3);
    assertThat(analyzer.getSpec().getVolumeClaimTemplates())
        .singleElement()
        .satisfies(
            pvc -> {
              assertThat(pvc.getMetadata().getName()).isEqualTo("state");
              assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString())
                  .isEqualTo("10Gi");
              assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("gp3");
            });
    Container c = container(analyzer);
    assertThat(c.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/faultline/state"));
    assertThat(env(c).get("FAULTLINE_ANALYZER_STATE_DIR").getValue())
        .isEqualTo("/var/lib/faultline/state");
  }

  @Test
  void topicsAsStrimziKafkaTopicsMatchTheTopicsRegistry() {
    List<HasMetadata> objects = render(PRODUCTION, "topics.strimzi.enabled", "true");
    Map<String, GenericKubernetesResource> rendered = new TreeMap<>();
    for (HasMetadata o : objects) {
      if (o.getKind().equals("KafkaTopic")) {
        GenericKubernetesResource topic = (GenericKubernetesResource) o;
        rendered.put((String) topic.get("spec", "topicName"), topic);
        assertThat(o.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "faultline");
      }
    }
    assertThat(objects).noneMatch(o -> o instanceof Job);
    // the registry with the production partition count
    Topics registry = new Topics(Topics.DEFAULT_PREFIX, productionPartitions());
    assertThat(rendered.keySet())
        .containsExactlyInAnyOrderElementsOf(registry.all().stream().map(Topic::name).toList());
    for (Topic<?, ?> t : registry.all()) {
      GenericKubernetesResource k = rendered.get(t.name());
      assertThat(((Number) k.get("spec", "partitions")).intValue())
          .as(t.name())
          .isEqualTo(t.partitions());
      assertThat(((Number) k.get("spec", "replicas")).intValue()).isEqualTo(3);
      assertThat(k.<Object>get("spec", "config", "cleanup.policy"))
          .as(t.name())
          .isEqualTo(t.compacted() ? "compact" : "delete");
      if (!t.compacted()) {
        assertThat(((Number) k.get("spec", "config", "retention.ms")).longValue())
            .as(t.name())
            .isEqualTo(t.retention().toMillis());
      }
    }
  }

  @Test
  void theDefaultPartitionCountIsTheRegistrys() {
    // values.yaml's topics.partitions is the one number a component also defaults to
    Map<String, Object> values = Charts.yaml(FAULTLINE.resolve("values.yaml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> topics = (Map<String, Object>) values.get("topics");
    assertThat(((Number) topics.get("partitions")).intValue())
        .as("charts/faultline/values.yaml topics.partitions")
        .isEqualTo(Topics.DEFAULT_PARTITIONS);
    Map<String, Integer> rendered = new TreeMap<>();
    for (HasMetadata o : render(List.of(), "topics.strimzi.enabled", "true")) {
      if (o.getKind().equals("KafkaTopic")) {
        GenericKubernetesResource topic = (GenericKubernetesResource) o;
        rendered.put(
            (String) topic.get("spec", "topicName"),
            ((Number) topic.get("spec", "partitions")).intValue());
      }
    }
    Map<String, Integer> expected = new TreeMap<>();
    Topics.defaults().all().forEach(t -> expected.put(t.name(), t.partitions()));
    assertThat(rendered).isNotEmpty().isEqualTo(expected);
    Job job =
        (Job) named(render(List.of(), "topics.job.hook", "false"), "Job", "fl-faultline-topics");
    assertThat(env(container(job)).get("FAULTLINE_TOPICS_PARTITIONS").getValue())
        .isEqualTo(Integer.toString(Topics.DEFAULT_PARTITIONS));
  }

  @Test
  void oneMetricShardsValueReachesTheCollectorAndTheAnalyzerAlike() {
    Map<String, Object> values = Charts.yaml(FAULTLINE.resolve("values.yaml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> topics = (Map<String, Object>) values.get("topics");
    assertThat(((Number) topics.get("metricShards")).intValue())
        .as("charts/faultline/values.yaml topics.metricShards")
        .isEqualTo(MetricShards.DEFAULT);
    for (String shards : List.of("1", "8")) {
      List<HasMetadata> objects = render(PRODUCTION, "topics.metricShards", shards);
      for (HasMetadata workload :
          List.of(
              named(objects, "Deployment", "fl-faultline-collector"),
              named(objects, "StatefulSet", "fl-faultline-analyzer"))) {
        assertThat(env(container(workload)).get("FAULTLINE_TOPICS_METRICS_SHARDS").getValue())
            .as(workload.getKind() + " " + MetricShards.KEY)
            .isEqualTo(shards);
      }
    }
    GenericKubernetesResource rule =
        (GenericKubernetesResource)
            named(render(PRODUCTION), "PrometheusRule", "fl-faultline-analyzer");
    assertThat(Serialization.asYaml(rule.getAdditionalProperties().get("spec")))
        .contains("FaultlineShardCountMismatch", "faultline_samples_shard_mismatch_total");
    assertThatThrownBy(() -> Charts.template(FAULTLINE, List.of(), "topics.metricShards", "257"))
        .hasMessageContaining("at '/topics/metricShards': maximum: got 257, want 256");
  }

  @Test
  void theChartsDefaultWindowIsTheAnalyzersAndTheCollectorsDefault() {
    List<HasMetadata> objects = render(PRODUCTION);
    assertThat(
            env(container(named(objects, "StatefulSet", "fl-faultline-analyzer")))
                .get("FAULTLINE_ANALYZER_WINDOW")
                .getValue())
        .isEqualTo(Durations.format(SampleSummaries.DEFAULT_WINDOW));
  }

  /**
   * analyzer.state.stores (docs/adr/0063) and analyzer.stream.threads (docs/adr/0069): the
   * analyzer's default unless the values say otherwise.
   */
  @ParameterizedTest
  @CsvSource({
    "analyzer.stateStores, FAULTLINE_ANALYZER_STATE_STORES, rocksdb, memory",
    "analyzer.streamThreads, FAULTLINE_ANALYZER_STREAM_THREADS, 1, 2"
  })
  void theAnalyzersValueReachesItsEnvironmentVariable(
      String value, String key, String byDefault, String other) {
    assertThat(env(container(named(render(PRODUCTION), "StatefulSet", "fl-faultline-analyzer"))))
        .extractingByKey(key)
        .extracting(EnvVar::getValue)
        .isEqualTo(byDefault);
    List<HasMetadata> set = render(PRODUCTION, value, other);
    assertThat(env(container(named(set, "StatefulSet", "fl-faultline-analyzer"))).get(key))
        .extracting(EnvVar::getValue)
        .isEqualTo(other);
  }

  @ParameterizedTest
  @CsvSource({"200ms, 1s", "999ms, 1s", "1500ms, PT2S", "30s, 1m", "0ms, PT0.5S"})
  void theCollectorPublishesItsSummariesWithinTheAnalyzersGrace(String delay, String grace) {
    List<HasMetadata> objects =
        render(PRODUCTION, "collector.summaryDelay", delay, "analyzer.grace", grace);
    assertThat(
            env(container(named(objects, "Deployment", "fl-faultline-collector")))
                .get("FAULTLINE_COLLECTOR_SUMMARY_DELAY")
                .getValue())
        .isEqualTo(delay);
  }

  @ParameterizedTest
  @CsvSource({"1s, 1s", "2s, 1s", "PT1.5S, 1500ms", "1m, 59s", "1h, 1m"})
  void aSummaryDelayNotBelowTheGraceFailsNamingBoth(String delay, String grace) {
    assertThatThrownBy(
            () ->
                Charts.template(
                    FAULTLINE,
                    PRODUCTION,
                    "collector.summaryDelay",
                    delay,
                    "analyzer.grace",
                    grace))
        .hasMessageContaining(
            "collector.summaryDelay "
                + delay
                + ": must be less than analyzer.grace ("
                + grace
                + ")")
        .hasMessageContaining("lower collector.summaryDelay or raise analyzer.grace");
  }

  @Test
  void theCollectorSummarisesInTheAnalyzersWindow() {
    List<HasMetadata> objects = render(PRODUCTION, "analyzer.window", "10s");
    assertThat(
            env(container(named(objects, "Deployment", "fl-faultline-collector")))
                .get("FAULTLINE_COLLECTOR_SUMMARY_WINDOW")
                .getValue())
        .isEqualTo("10s")
        .isEqualTo(
            env(container(named(objects, "StatefulSet", "fl-faultline-analyzer")))
                .get("FAULTLINE_ANALYZER_WINDOW")
                .getValue());
  }

  @Test
  void withoutStrimziAPreInstallHookJobCreatesTopicsWithTheCliImage() {
    // helm classes the Job as a hook: it is not part of the release manifest
    assertThat(render(PRODUCTION)).noneMatch(o -> o instanceof Job);
    List<HasMetadata> objects = render(PRODUCTION, "topics.job.hook", "false");
    Job job = (Job) named(objects, "Job", "fl-faultline-topics");
    Container c = container(job);
    assertThat(c.getImage())
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/faultline/cli:0.1.0");
    assertThat(c.getArgs()).containsExactly("topics", "create");
    assertThat(env(c).get("FAULTLINE_TOPICS_REPLICATION_FACTOR").getValue()).isEqualTo("3");
    assertThat(env(c).get("FAULTLINE_TOPICS_PARTITIONS").getValue())
        .isEqualTo(Integer.toString(productionPartitions()))
        .isNotEqualTo(Integer.toString(Topics.DEFAULT_PARTITIONS));
    assertThat(KubernetesChecks.podProblems(objects)).isEmpty();
    assertThat(objects).noneMatch(o -> o.getKind().equals("KafkaTopic"));
  }

  @Test
  void monitoringObjectsAndTheDashboardConfigMap() throws Exception {
    List<HasMetadata> objects = render(PRODUCTION);
    assertThat(objects.stream().map(HasMetadata::getKind))
        .contains("ServiceMonitor", "PodMonitor", "PrometheusRule");
    ConfigMap dashboard = (ConfigMap) named(objects, "ConfigMap", "fl-faultline-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
    JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("faultline.json"));
    assertThat(json.get("panels")).isNotEmpty();
    GenericKubernetesResource rule =
        (GenericKubernetesResource) named(objects, "PrometheusRule", "fl-faultline-analyzer");
    String rules = Serialization.asYaml(rule.getAdditionalProperties().get("spec"));
    assertThat(rules)
        .contains(
            "faultline_state{state=",
            "faultline_effect",
            "faultline_alerts_fired_total",
            "faultline_experiment_aborted",
            "faultline_samples_dropped_total");
    // not in a default install: the CRDs may be absent
    assertThat(render(List.of()).stream().map(HasMetadata::getKind))
        .doesNotContain("ServiceMonitor", "PodMonitor", "PrometheusRule");
  }

  /**
   * The rendered alert rules pass {@code promtool check rules}, and {@code promtool test rules}
   * shows FaultlineExperimentDeviating firing while an experiment's metric deviates and resolving
   * once the analyzer removed the ended experiment's series (Debian package prometheus; skipped
   * without it).
   */
  @Test
  void alertRulesAreValidAndResolveWhenAnExperimentsSeriesEnd(@TempDir Path tmp) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeTrue(Files.isExecutable(promtool), "promtool (Debian package prometheus) not installed");
    GenericKubernetesResource rule =
        (GenericKubernetesResource)
            named(render(PRODUCTION), "PrometheusRule", "fl-faultline-analyzer");
    Path rules = tmp.resolve("rules.yaml");
    Files.writeString(rules, Serialization.asYaml(rule.getAdditionalProperties().get("spec")));
    assertThat(run(promtool.toString(), "check", "rules", rules.toString())).contains("SUCCESS");

    // deviating for 10 minutes, then the series is gone (removed after the experiment's linger)
    Path test = tmp.resolve("test.yaml");
    Files.writeString(
        test,
        String.join(
            "\n",
            "rule_files: [rules.yaml]",
            "evaluation_interval: 15s",
            "tests:",
            "  - interval: 15s",
            "    input_series:",
            "      - series: 'faultline_state{experiment=\"e1\",metric=\"http.latency.ms\",state=\"DEVIATING\"}'",
            "        values: '1x40 _x80'",
            "      - series: 'faultline_experiment_aborted{experiment=\"e1\"}'",
            "        values: '1x40 _x80'",
            "    alert_rule_test:",
            "      - eval_time: 5m",
            "        alertname: FaultlineExperimentDeviating",
            "        exp_alerts:",
            "          - exp_labels: {severity: warning, experiment: e1, metric: http.latency.ms}",
            "            exp_annotations:",
            "              summary: 'Experiment e1: http.latency.ms of the experimental group left"
                + " its steady state'",
            "              description: 'The analyzer judged the experimental group deviating from"
                + " the control group for 1m. Check the attack running (faultline status) and"
                + " halt it if needed (faultline halt).'",
            "      - eval_time: 5m",
            "        alertname: FaultlineExperimentAborted",
            "        exp_alerts:",
            "          - exp_labels: {severity: warning, experiment: e1}",
            "            exp_annotations:",
            "              summary: 'Experiment e1 was aborted: a deviation passed its abort"
                + " threshold and the analyzer sent HALT_ALL'",
            "      - eval_time: 20m",
            "        alertname: FaultlineExperimentDeviating",
            "        exp_alerts: []",
            "      - eval_time: 20m",
            "        alertname: FaultlineExperimentAborted",
            "        exp_alerts: []",
            ""));
    assertThat(run(promtool.toString(), "test", "rules", test.toString())).contains("SUCCESS");
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
    return out;
  }

  @Test
  void networkPoliciesLimitEveryComponent() {
    List<HasMetadata> objects = render(PRODUCTION);
    List<NetworkPolicy> policies = ofType(objects, NetworkPolicy.class);
    assertThat(policies)
        .extracting(
            p -> p.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/component"))
        .containsExactlyInAnyOrder("agent", "collector", "analyzer");
    for (NetworkPolicy p : policies) {
      assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(p.getSpec().getIngress()).allSatisfy(i -> assertThat(i.getFrom()).isNotEmpty());
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "kafka.securityProtocol | PLAIN | at '/kafka/securityProtocol': value must be one of"
            + " 'PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'",
        "agent.maxBlastRadiusPercent | 150 | at '/agent/maxBlastRadiusPercent': maximum: got 150,"
            + " want 100",
        "securityContext.runAsUser | 0 | at '/securityContext/runAsUser': minimum: got 0, want 1",
        "agent.maxDuration | ten minutes | at '/agent/maxDuration': 'ten minutes' does not match",
        "agent.aws.roleArn | faultline-agent | at '/agent/aws/roleArn': 'faultline-agent' does not"
            + " match",
        "agent.kubernetes.namespaces[0] | Scale_Experimental | at '/agent/kubernetes/namespaces/0':"
            + " 'Scale_Experimental' does not match",
        "agent.replicass | 2 | at '/agent': additional properties 'replicass' not allowed",
        "analyzer.stateStores | disk | at '/analyzer/stateStores': value must be one of 'rocksdb',"
            + " 'memory'",
        "analyzer.streamThreads | 0 | at '/analyzer/streamThreads': minimum: got 0, want 1",
      })
  void valuesSchemaRejectsABadValueNamingIt(String key, String value, String message) {
    assertThatThrownBy(() -> Charts.template(FAULTLINE, List.of(), key, value))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }

  @Test
  void lintFailsOnABadValueToo(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("bad-values.yaml");
    Files.writeString(bad, "agent:\n  maxConcurrent: 0\n");
    LintResult result = Charts.lint(FAULTLINE, bad, tmp);
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages()))
        .contains("at '/agent/maxConcurrent': minimum: got 0, want 1");
  }
}
