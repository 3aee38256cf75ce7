package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {

  @Test
  void readsTargetsOfBothGroups() {
    CollectorConfig c =
        CollectorConfig.fromMap(
            Map.of(
                "bootstrap.servers", "b:9092",
                "experiment.id", "e1",
                "probe.rps", "100",
                "probe.targets",
                    "CONTROL=scale-control@http://127.0.0.1:8081/similar?song=song-00001,"
                        + "experimental=scale-experimental@http://127.0.0.1:8082/similar?song=song-00001"));
    assertThat(c.targets())
        .extracting(ProbeTarget::group)
        .containsExactly(Group.CONTROL, Group.EXPERIMENTAL);
    assertThat(c.targets().get(1).name()).isEqualTo("scale-experimental");
    assertThat(c.rps()).isEqualTo(100);
  }

  @Test
  void namesTheBadKey() {
    assertThatThrownBy(() -> CollectorConfig.fromMap(Map.of("experiment.id", "e")))
        .hasMessageStartingWith("bootstrap.servers: required");
    assertThatThrownBy(
            () ->
                CollectorConfig.fromMap(
                    Map.of(
                        "bootstrap.servers",
                        "b",
                        "experiment.id",
                        "e",
                        "probe.rps",
                        "fast",
                        "probe.targets",
                        "x")))
        .hasMessage("probe.rps 'fast': must be a number from 0.001 to 100000.0");
    assertThatThrownBy(
            () ->
                CollectorConfig.fromMap(
                    Map.of(
                        "bootstrap.servers",
                        "b",
                        "experiment.id",
                        "e",
                        "probe.targets",
                        "PROD=x@http://h/")))
        .hasMessageContaining("group must be CONTROL or EXPERIMENTAL");
  }

  private static Map<String, String> base() {
    Map<String, String> m = new java.util.HashMap<>();
    m.put("bootstrap.servers", "b:9092");
    m.put("experiment.id", "e1");
    return m;
  }

  @Test
  void choosesSourcesAndReadsOnlyTheirSettings() {
    Map<String, String> m = base();
    m.put("sources", "prometheus, host,kubernetes");
    m.put("prometheus.url", "http://127.0.0.1:9090");
    m.put("prometheus.query.app.rate", "rate(x{group=\"$group\"}[1m])");
    m.put("prometheus.interval", "2s");
    m.put("host.processes", "EXPERIMENTAL=scale@cmd:scale-experimental");
    m.put("kubernetes.namespace", "scale");
    CollectorConfig c = CollectorConfig.fromMap(m);
    assertThat(c.sources()).containsExactlyInAnyOrder("prometheus", "host", "kubernetes");
    assertThat(c.targets()).isEmpty(); // no http source, no probe.targets needed
    assertThat(c.prometheus().interval()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(c.prometheus().groupValues()).containsEntry(Group.EXPERIMENTAL, "experimental");
    assertThat(c.kubernetes().groups())
        .containsEntry(
            Group.CONTROL,
            new KubernetesSource.Selection("scale", Map.of("faultline.io/group", "control")));
    assertThat(c.host().processes()).hasSize(1);
    assertThat(c.cloudwatch()).isNull();
    assertThat(c.scrape()).isNull();
  }

  @Test
  void kubernetesGroupsMayLiveInTheirOwnNamespacesWithTheirOwnSelectors() {
    Map<String, String> m = base();
    m.put("sources", "kubernetes");
    m.put("kubernetes.namespace", "scale");
    m.put("kubernetes.namespace.experimental", "scale-exp");
    m.put("kubernetes.selector.experimental", "app.kubernetes.io/name=scale, tier=web");
    CollectorConfig c = CollectorConfig.fromMap(m);
    assertThat(c.kubernetes().groups().get(Group.CONTROL))
        .isEqualTo(
            new KubernetesSource.Selection("scale", Map.of("faultline.io/group", "control")));
    assertThat(c.kubernetes().groups().get(Group.EXPERIMENTAL))
        .isEqualTo(
            new KubernetesSource.Selection(
                "scale-exp", Map.of("app.kubernetes.io/name", "scale", "tier", "web")));

    m.put("kubernetes.selector.experimental", "app=scale,tier");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessageStartingWith(
            "kubernetes.selector.experimental entry 'tier': expected label=value");
    m.remove("kubernetes.namespace.experimental");
    m.put("kubernetes.selector.experimental", "faultline.io/group=control");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessageContaining("both groups select the same pods");
  }

  @Test
  void derivedMetricsForCloudWatchNeedAPutNamespace() {
    Map<String, String> m = base();
    m.put("probe.targets", "CONTROL=c@http://127.0.0.1:1/");
    m.put("cloudwatch.put.derived", "true");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessage("cloudwatch.put.derived: needs cloudwatch.put.namespace (where to put them)");
    m.put("cloudwatch.put.namespace", "faultline");
    assertThat(CollectorConfig.fromMap(m).cloudwatchPut().derived()).isTrue();
    m.put("cloudwatch.put.derived", "yes");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessage("cloudwatch.put.derived 'yes': must be true or false");
  }

  @Test
  void probeLoadIsPerGroupWithADefault() {
    Map<String, String> m = base();
    m.put("probe.targets", "CONTROL=c@http://127.0.0.1:1/,EXPERIMENTAL=x@http://127.0.0.1:2/");
    m.put("probe.rps", "100");
    m.put("probe.rps.experimental", "250");
    m.put("probe.concurrency.control", "7");
    CollectorConfig c = CollectorConfig.fromMap(m);
    assertThat(c.loads().get(Group.CONTROL)).isEqualTo(new HttpLoadProbe.Load(100, 7));
    assertThat(c.loads().get(Group.EXPERIMENTAL)).isEqualTo(new HttpLoadProbe.Load(250, 50));
  }

  @Test
  void namesAnUnknownSourceAndAMissingSourceKey() {
    Map<String, String> m = base();
    m.put("sources", "http,datadog");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessage(
            "sources: unknown source 'datadog' (allowed: "
                + String.join(", ", CollectorConfig.SOURCES)
                + ")")
        .hasMessageStartingWith("sources: unknown source 'datadog' (allowed: http, prometheus, ");
    m.put("sources", "cloudwatch");
    m.put("cloudwatch.cluster", "eks");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessageStartingWith(
            "cloudwatch.workload.control, cloudwatch.asg.control, cloudwatch.nodes.control or"
                + " cloudwatch.node.selector.control: one is required");
    m.put("sources", "prometheus");
    m.put("prometheus.url", "http://p:9090");
    m.put("prometheus.query.x", "up");
    m.put("prometheus.interval", "0s");
    assertThatThrownBy(() -> CollectorConfig.fromMap(m))
        .hasMessage("prometheus.interval 0s: must be between 100ms and 1h");
  }

  @Test
  void helpListsEverySource() {
    for (String source : CollectorConfig.SOURCES) {
      assertThat(CollectorMain.HELP).contains(source);
    }
    assertThat(CollectorMain.HELP)
        .contains("prometheus.query.<metric>")
        .contains("host.dns.server")
        .contains("cloudwatch.nodes.control|experimental")
        .contains("cloudwatch.node.selector.control|experimental");
  }
}
