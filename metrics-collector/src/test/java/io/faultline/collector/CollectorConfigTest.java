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
}
