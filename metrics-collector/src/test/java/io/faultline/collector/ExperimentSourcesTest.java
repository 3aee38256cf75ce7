package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.SourceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentSourcesTest {

  private static final Map<String, String> BASE =
      Map.of(
          "bootstrap.servers",
          "127.0.0.1:9092",
          "kubernetes.master",
          "https://10.0.0.1:6443",
          "prometheus.url",
          "http://prometheus.monitoring:9090");

  private static Experiment experiment(SourceSpec... sources) {
    return Experiment.newBuilder().setExperimentId("exp-1").setSources(List.of(sources)).build();
  }

  private static SourceSpec.Builder source(String type) {
    return SourceSpec.newBuilder().setType(type);
  }

  @Test
  void anExperimentChoosesItsSourcesIntervalsAndBothGroupsTargets() {
    CollectorConfig c =
        ExperimentSources.config(
            experiment(
                source("http")
                    .setIntervalMs(1500L)
                    .setSettings(Map.of("rps", "100", "concurrency", "100"))
                    .setControl(Map.of("targets", "http://scale-control:8080/test_db"))
                    .setExperimental(
                        Map.of(
                            "targets",
                            "a@http://scale-exp-a:8080/test_db, http://scale-exp-b:8080/test_db",
                            "rps",
                            "50"))
                    .build(),
                source("kubernetes")
                    .setIntervalMs(10_000L)
                    .setSettings(Map.of("namespace", "scale", "logs", "false"))
                    .setExperimental(Map.of("namespace", "scale-exp", "selector", "app=scale"))
                    .build(),
                source("prometheus")
                    .setSettings(Map.of("query.app.rate", "rate(x{group=\"$group\"}[1m])"))
                    .setExperimental(Map.of("value", "exp"))
                    .build(),
                source("host")
                    .setControl(Map.of("processes", "cmd:scale-control"))
                    .setExperimental(Map.of("processes", "scale@cmd:scale-experimental"))
                    .build()),
            BASE);

    assertThat(c.experimentId()).isEqualTo("exp-1");
    assertThat(c.sources()).containsExactlyInAnyOrder("http", "kubernetes", "prometheus", "host");
    assertThat(c.interval()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.targets())
        .extracting(t -> t.group() + " " + t.name() + " " + t.uri())
        .containsExactly(
            "CONTROL control http://scale-control:8080/test_db",
            "EXPERIMENTAL a http://scale-exp-a:8080/test_db",
            "EXPERIMENTAL experimental-2 http://scale-exp-b:8080/test_db");
    assertThat(c.loads().get(Group.CONTROL)).isEqualTo(new HttpLoadProbe.Load(100, 100));
    assertThat(c.loads().get(Group.EXPERIMENTAL)).isEqualTo(new HttpLoadProbe.Load(50, 100));
    assertThat(c.kubernetes().masterUrl()).isEqualTo("https://10.0.0.1:6443"); // from the base
    assertThat(c.kubernetes().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.kubernetes().logs()).isFalse();
    assertThat(c.kubernetes().groups().get(Group.CONTROL))
        .isEqualTo(
            new KubernetesSource.Selection("scale", Map.of("faultline.io/group", "control")));
    assertThat(c.kubernetes().groups().get(Group.EXPERIMENTAL))
        .isEqualTo(new KubernetesSource.Selection("scale-exp", Map.of("app", "scale")));
    assertThat(c.prometheus().url().toString()).isEqualTo("http://prometheus.monitoring:9090");
    assertThat(c.prometheus().groupValues())
        .containsEntry(Group.CONTROL, "control")
        .containsEntry(Group.EXPERIMENTAL, "exp");
    assertThat(c.host().processes())
        .extracting(t -> t.group() + " " + t.name() + " " + t.spec())
        .containsExactly(
            "CONTROL control cmd:scale-control", "EXPERIMENTAL scale cmd:scale-experimental");
  }

  @Test
  void theExperimentOverridesTheCollectorsOwnSourcesAndId() {
    Map<String, String> base = new java.util.HashMap<>(BASE);
    base.put("experiment.id", "standing");
    base.put("sources", "prometheus,host");
    CollectorConfig c =
        ExperimentSources.config(
            experiment(
                source("scrape")
                    .setSettings(Map.of("metric.app.requests", "app_requests_total"))
                    .setExperimental(Map.of("targets", "http://127.0.0.1:9/metrics"))
                    .build()),
            base);
    assertThat(c.experimentId()).isEqualTo("exp-1");
    assertThat(c.sources()).containsExactly("scrape");
  }

  @Test
  void errorsNameTheExperimentTheFieldAndTheCollectorKey() {
    assertThatThrownBy(
            () ->
                ExperimentSources.config(
                    experiment(
                        source("http")
                            .setSettings(Map.of("rps", "fast"))
                            .setControl(Map.of("targets", "http://c/"))
                            .build()),
                    BASE))
        .hasMessage(
            "experiment 'exp-1': sources[0].settings.rps (collector key probe.rps) 'fast':"
                + " must be a number from 0.001 to 100000.0");
    assertThatThrownBy(
            () ->
                ExperimentSources.config(
                    experiment(source("http").setSettings(Map.of("rps", "10")).build()), BASE))
        .hasMessageStartingWith(
            "experiment 'exp-1': sources[0].control.targets / sources[0].experimental.targets"
                + " (collector key probe.targets): required");
    assertThatThrownBy(
            () ->
                ExperimentSources.config(
                    experiment(
                        source("kubernetes")
                            .setExperimental(Map.of("selector", "app=scale,tier"))
                            .build()),
                    BASE))
        .hasMessageStartingWith(
            "experiment 'exp-1': sources[0].experimental.selector (collector key"
                + " kubernetes.selector.experimental) entry 'tier': expected label=value");
    assertThatThrownBy(
            () ->
                ExperimentSources.config(
                    experiment(
                        source("host")
                            .setIntervalMs(10L)
                            .setControl(Map.of("tcp", "db:5432"))
                            .build()),
                    BASE))
        .hasMessage(
            "experiment 'exp-1': sources[0].intervalMs (collector key host.interval) 10ms:"
                + " must be between 100ms and 1h");
    assertThatThrownBy(() -> ExperimentSources.config(experiment(source("host").build()), BASE))
        .hasMessageStartingWith(
            "experiment 'exp-1': sources[0]: set at least one of host.processes");
  }

  @Test
  void structuralProblemsAreAllReportedAtOnce() {
    List<String> errors =
        ExperimentSources.check(
            List.of(
                source("datadog").build(),
                source("http")
                    .setIntervalMs(0L)
                    .setSettings(Map.of("interval", "1s", "rps", " "))
                    .setControl(Map.of("url", "http://c/"))
                    .build(),
                source("http").build()));
    assertThat(errors)
        .containsExactly(
            "sources[0].type: 'datadog' is not a source (allowed: "
                + String.join(", ", CollectorConfig.SOURCES)
                + ")",
            "sources[1].intervalMs: 0 must be more than 0",
            "sources[1].settings.interval: not a setting of http (allowed: concurrency, duration,"
                + " rps; interval and timeout are fields of their own)",
            "sources[1].settings.rps: empty",
            "sources[1].control.url: not a selector of http (allowed: concurrency, rps, targets)",
            "sources[2].type: 'http' appears twice; one entry per source");
  }

  @Test
  void checkRunsTheSourcesOwnRulesWithoutACollectorConfig() {
    assertThat(
            ExperimentSources.check(
                List.of(
                    source("http")
                        .setControl(Map.of("targets", "http://c/"))
                        .setExperimental(Map.of("targets", "http://x/"))
                        .build())))
        .isEmpty();
    // the prometheus URL a collector may supply is not there: the experiment must name it
    assertThat(
            ExperimentSources.check(
                List.of(source("prometheus").setSettings(Map.of("query.up", "up")).build())))
        .singleElement()
        .asString()
        .startsWith("sources[0].settings.url (collector key prometheus.url): required");
    assertThat(ExperimentSources.check(List.of())).isEmpty();
    // each source reports its own first problem, with its own index
    assertThat(
            ExperimentSources.check(
                List.of(
                    source("http")
                        .setSettings(Map.of("rps", "lots"))
                        .setControl(Map.of("targets", "http://c/"))
                        .build(),
                    source("prometheus").setIntervalMs(15_000L).build())))
        .containsExactly(
            "sources[0].settings.rps (collector key probe.rps) 'lots': must be a number from"
                + " 0.001 to 100000.0",
            "sources[1].settings.url (collector key prometheus.url): required (e.g."
                + " http://127.0.0.1:9090)");
  }
}
