package io.faultline.deploy;

import static io.faultline.deploy.Charts.SCALE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScaleChartTest {

  private static final List<Path> PRODUCTION = List.of(Charts.productionValues(SCALE));

  /** What the Spark operator's CRD makes of the extraction (helm-java has no --api-versions). */
  private static final String[] OPERATOR = {"extract.spark.mode", "sparkApplication"};

  private static List<HasMetadata> render(List<Path> values, String... sets) {
    return Charts.parse(Charts.template(SCALE, values, sets));
  }

  private static <T> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> b, TreeMap::new));
  }

  @Test
  void lintsCleanWithDefaultAndProductionValues(@TempDir Path tmp) {
    LintResult defaults = Charts.lint(SCALE, null, tmp);
    assertThat(defaults.isFailed()).as("%s", defaults.getMessages()).isFalse();
    LintResult production = Charts.lint(SCALE, PRODUCTION.get(0), tmp);
    assertThat(production.isFailed()).as("%s", production.getMessages()).isFalse();
  }

  @Test
  void everyObjectParsesAndEveryContainerIsNonRootWithResourcesAndProbes() {
    for (List<Path> values : List.of(List.<Path>of(), PRODUCTION)) {
      List<HasMetadata> objects = render(values);
      assertThat(KubernetesChecks.schemaProblems(objects)).as("values %s", values).isEmpty();
      assertThat(KubernetesChecks.podProblems(objects)).as("values %s", values).isEmpty();
      assertThat(KubernetesChecks.selectorProblems(objects)).as("values %s", values).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"control", "experimental"})
  void everyScalePodCarriesTheContractLabelsOfItsGroup(String group) {
    List<HasMetadata> objects = render(PRODUCTION, "group", group);
    Deployment web = one(objects, Deployment.class);
    Job extract = one(objects, Job.class);
    for (var entry :
        Map.of("web", web.getSpec().getTemplate(), "extract", extract.getSpec().getTemplate())
            .entrySet()) {
      PodTemplateSpec pod = entry.getValue();
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/name", "scale")
          .containsEntry("app.kubernetes.io/component", entry.getKey())
          .containsEntry("faultline.io/group", group);
    }
    // the database of the group belongs to the group too (a zone outage evicts it with the group)
    StatefulSet db = one(objects, StatefulSet.class);
    assertThat(db.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("faultline.io/group", group);
    assertThat(
            env(web.getSpec().getTemplate().getSpec().getContainers().get(0))
                .get("SCALE_GROUP")
                .getValue())
        .isEqualTo(group);
    // the Service and the PodDisruptionBudget select this group's web pods only
    Service service =
        objects.stream()
            .filter(o -> o instanceof Service && o.getMetadata().getName().equals("fl-scale-web"))
            .map(Service.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(service.getSpec().getSelector())
        .containsEntry("faultline.io/group", group)
        .containsEntry("app.kubernetes.io/component", "web");
    assertThat(one(objects, PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels())
        .containsEntry("faultline.io/group", group);
  }

  @Test
  void webSpreadsAcrossZonesAndProbesHealthAndReady() {
    Deployment web = one(render(PRODUCTION), Deployment.class);
    assertThat(web.getSpec().getReplicas()).isEqualTo(3);
    var spec = web.getSpec().getTemplate().getSpec();
    assertThat(spec.getTopologySpreadConstraints())
        .anySatisfy(
            t -> {
              assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
              assertThat(t.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
              assertThat(t.getLabelSelector().getMatchLabels())
                  .containsEntry("faultline.io/group", "experimental");
            });
    Container c = spec.getContainers().get(0);
    assertThat(c.getArgs()).containsExactly("web");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("SCALE_BIND").getValue()).isEqualTo("0.0.0.0");
    assertThat(env.get("SCALE_PORT").getValue()).isEqualTo("8080");
    assertThat(env.get("SCALE_DB_URL").getValue())
        .isEqualTo("jdbc:postgresql://fl-scale-postgresql:5432/scale");
    assertThat(env.get("SCALE_DB_PASSWORD").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("scale-postgresql");
  }

  @Test
  void extractionJobReadsTheS3CorpusOrGeneratesOne() {
    Job fromS3 = one(render(PRODUCTION), Job.class);
    var spec = fromS3.getSpec().getTemplate().getSpec();
    assertThat(spec.getInitContainers()).isEmpty();
    assertThat(spec.getContainers().get(0).getArgs()).containsExactly("extract");
    assertThat(env(spec.getContainers().get(0)).get("SCALE_CORPUS").getValue())
        .isEqualTo("s3://faultline-scale-corpus/midi/");
    Job generated = one(render(PRODUCTION, "corpus.source", ""), Job.class);
    var gen = generated.getSpec().getTemplate().getSpec();
    assertThat(gen.getInitContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getArgs()).containsExactly("generate"));
    assertThat(env(gen.getContainers().get(0)).get("SCALE_CORPUS").getValue()).isEqualTo("/corpus");
  }

  @Test
  void embeddedDatabaseHasNoExtractionJobAndExternalOneComesFromASecret() {
    List<HasMetadata> embedded = render(List.of());
    assertThat(embedded).noneMatch(o -> o instanceof Job || o instanceof StatefulSet);
    List<HasMetadata> external =
        render(List.of(), "database.mode", "external", "database.external.secret", "scale-rds");
    Deployment web = one(external, Deployment.class);
    EnvVar url =
        env(web.getSpec().getTemplate().getSpec().getContainers().get(0)).get("SCALE_DB_URL");
    assertThat(url.getValueFrom().getSecretKeyRef().getName()).isEqualTo("scale-rds");
    assertThat(url.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
    assertThatThrownBy(() -> render(List.of(), "database.mode", "external"))
        .hasMessageContaining("database.external.secret is required");
  }

  @Test
  void valuesSchemaRejectsAnUnknownGroup() {
    assertThatThrownBy(() -> render(List.of(), "group", "canary"))
        .hasMessageContaining("at '/group': value must be one of 'control', 'experimental'");
    assertThatThrownBy(() -> render(List.of(), "corpus.source", "ftp://x"))
        .hasMessageContaining("at '/corpus/source': 'ftp://x' does not match");
  }

  private static GenericKubernetesResource sparkApplication(List<HasMetadata> objects) {
    List<GenericKubernetesResource> apps =
        objects.stream()
            .filter(o -> o.getKind().equals("SparkApplication"))
            .map(GenericKubernetesResource.class::cast)
            .toList();
    assertThat(apps).as("SparkApplication").hasSize(1);
    assertThat(apps.get(0).getApiVersion()).isEqualTo("sparkoperator.k8s.io/v1beta2");
    return apps.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> envOf(Map<String, Object> pod) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Object e : (List<Object>) pod.get("env")) {
      out.put((String) map(e).get("name"), map(e));
    }
    return out;
  }

  private static String[] with(String[] base, String... more) {
    String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"control", "experimental"})
  void withTheSparkOperatorTheExtractionIsASparkApplicationOfLabelledDriverAndExecutors(
      String group) {
    List<HasMetadata> objects = render(PRODUCTION, with(OPERATOR, "group", group));
    assertThat(objects).noneMatch(o -> o instanceof Job);
    Map<String, Object> spec = map(sparkApplication(objects).getAdditionalProperties().get("spec"));
    assertThat(spec)
        .containsEntry("type", "Java")
        .containsEntry("mode", "cluster")
        .containsEntry("mainClass", "io.faultline.scale.spark.SparkExtractMain")
        .containsEntry(
            "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/faultline/scale-spark:0.1.0");
    assertThat(map(spec.get("sparkConf"))).containsEntry("spark.speculation", "false");
    Map<String, Object> driver = map(spec.get("driver"));
    Map<String, Object> executor = map(spec.get("executor"));
    for (var pod : Map.of("driver", driver, "executor", executor).entrySet()) {
      assertThat(map(pod.getValue().get("labels")))
          .as(pod.getKey())
          .containsEntry("spark-role", pod.getKey())
          .containsEntry("app.kubernetes.io/name", "scale")
          .containsEntry("app.kubernetes.io/instance", "fl")
          .containsEntry("app.kubernetes.io/component", "extract")
          .containsEntry("faultline.io/group", group);
      assertThat(map(pod.getValue().get("securityContext")))
          .as(pod.getKey())
          .containsEntry("runAsNonRoot", true)
          .containsEntry("runAsUser", 65532)
          .containsEntry("allowPrivilegeEscalation", false)
          .containsEntry("readOnlyRootFilesystem", true);
      assertThat(map(pod.getValue().get("podSecurityContext"))).containsEntry("runAsNonRoot", true);
      assertThat(pod.getValue())
          .as(pod.getKey() + " resource bounds")
          .containsEntry("cores", 1)
          .containsEntry("coreLimit", "1")
          .containsEntry("memory", "1g");
      assertThat((String) envOf(pod.getValue()).get("JDK_JAVA_OPTIONS").get("value"))
          .contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
      assertThat(envOf(pod.getValue()).get("SCALE_GROUP")).containsEntry("value", group);
    }
    assertThat(executor).containsEntry("instances", 2);
    // the driver lists the corpus and hands each task the store: JDBC to the group's PostgreSQL
    Map<String, Map<String, Object>> env = envOf(driver);
    assertThat(env.get("SCALE_DB_URL"))
        .containsEntry("value", "jdbc:postgresql://fl-scale-postgresql:5432/scale");
    assertThat(map(map(env.get("SCALE_DB_PASSWORD").get("valueFrom")).get("secretKeyRef")))
        .containsEntry("name", "scale-postgresql")
        .containsEntry("key", "password");
    assertThat(env.get("SCALE_CORPUS")).containsEntry("value", "s3://faultline-scale-corpus/midi/");
    assertThat(env).doesNotContainKey("SCALE_SPARK_MASTER"); // the operator's spark-submit gives it
    // the corpus is in S3: nobody generates one
    assertThat(driver).doesNotContainKey("initContainers");
    assertThat(executor).doesNotContainKey("initContainers");
    // the driver's account may create its executor pods, in its namespace only
    assertThat(driver).containsEntry("serviceAccount", "fl-scale-spark");
    Role role = one(objects, Role.class);
    assertThat(KubernetesChecks.triples(role.getRules()))
        .contains("|pods|create", "|pods|delete", "|pods|watch", "|services|create")
        .noneMatch(t -> t.contains("secrets"));
    RoleBinding binding = one(objects, RoleBinding.class);
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("fl-scale-spark"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aSparkApplicationWithoutS3CorpusGeneratesTheSameCorpusInEveryPod() {
    Map<String, Object> spec =
        map(
            sparkApplication(render(PRODUCTION, with(OPERATOR, "corpus.source", "")))
                .getAdditionalProperties()
                .get("spec"));
    for (String role : List.of("driver", "executor")) {
      List<Object> init = (List<Object>) map(spec.get(role)).get("initContainers");
      assertThat(init).as(role).hasSize(1);
      Map<String, Object> generate = map(init.get(0));
      assertThat(generate.get("args")).isEqualTo(List.of("generate"));
      assertThat(envOf(generate).get("SCALE_SEED")).containsEntry("value", "42");
      assertThat(map(generate.get("resources"))).containsKeys("requests", "limits");
    }
    assertThat(envOf(map(spec.get("driver"))).get("SCALE_CORPUS"))
        .containsEntry("value", "/corpus");
  }

  @ParameterizedTest
  @ValueSource(strings = {"auto", "job"})
  void withoutTheSparkOperatorTheExtractionIsAJobRunningSparkInItsPod(String mode) {
    // offline, helm serves no Spark operator CRD: auto falls back to the Job
    List<HasMetadata> objects = render(PRODUCTION, "extract.spark.mode", mode);
    assertThat(objects).noneMatch(o -> o.getKind().equals("SparkApplication") || o instanceof Role);
    Container c = one(objects, Job.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage())
        .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/faultline/scale-spark:0.1.0");
    assertThat(c.getArgs()).containsExactly("extract");
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("SCALE_SPARK_MASTER").getValue()).isEqualTo("local[*]");
    assertThat(env.get("SCALE_SPARK_FILES_PER_TASK").getValue()).isEqualTo("250");
    assertThat(env.get("JDK_JAVA_OPTIONS").getValue())
        .contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
    assertThat(env.get("SCALE_DB_URL").getValue())
        .isEqualTo("jdbc:postgresql://fl-scale-postgresql:5432/scale");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void theSparkApplicationParsesAndLintsAndEmbeddedModeHasNone(@TempDir Path tmp)
      throws IOException {
    List<HasMetadata> objects = render(PRODUCTION, OPERATOR);
    assertThat(KubernetesChecks.schemaProblems(objects)).isEmpty();
    assertThat(KubernetesChecks.podProblems(objects)).isEmpty();
    Path values = tmp.resolve("operator-values.yaml");
    Files.writeString(
        values,
        Files.readString(PRODUCTION.get(0)) + "\nextract:\n  spark:\n    mode: sparkApplication\n");
    LintResult lint = Charts.lint(SCALE, values, tmp.resolve("lint"));
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(render(List.of(), OPERATOR))
        .noneMatch(o -> o.getKind().equals("SparkApplication") || o instanceof Job);
  }

  @Test
  void valuesSchemaRejectsAnUnknownSparkModeAndAKubernetesMemorySize() {
    assertThatThrownBy(() -> render(List.of(), "extract.spark.mode", "yarn"))
        .hasMessageContaining("at '/extract/spark/mode': value must be one of");
    assertThatThrownBy(() -> render(List.of(), "extract.spark.executor.memory", "1Gi"))
        .hasMessageContaining("at '/extract/spark/executor/memory'");
  }
}
