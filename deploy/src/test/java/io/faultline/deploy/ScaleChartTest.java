package io.faultline.deploy;

import static io.faultline.deploy.Charts.SCALE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
}
