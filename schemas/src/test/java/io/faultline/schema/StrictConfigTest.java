package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StrictConfigTest {

  /** What a component's fromMap does: reads its keys, some with defaults, and a Kafka block. */
  private static void readLikeAComponent(Map<String, String> map) {
    map.get("bootstrap.servers");
    map.getOrDefault("agent.max.duration", "15m");
    map.get("agent.command.secret");
    ConfigSource.subset(map, "kafka.");
  }

  @Test
  void aMistypedKeyOfTheComponentsPrefixIsRefusedNamingTheClosestKnownKey() {
    StrictConfig map =
        StrictConfig.of(
            Map.of(
                "bootstrap.servers", "127.0.0.1:9092",
                "agent.comand.secret", "0123456789abcdef0123"));
    readLikeAComponent(map);
    assertThatThrownBy(() -> map.refuseUnread("agent", "agent.", "faultline."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "agent.comand.secret: unknown key of the agent; did you mean agent.command.secret?");
  }

  @Test
  void aKeyNothingIsCloseToListsTheKeysTheComponentReads() {
    StrictConfig map = StrictConfig.of(Map.of("faultline.colour", "blue"));
    readLikeAComponent(map);
    assertThatThrownBy(() -> map.refuseUnread("agent", "agent.", "faultline."))
        .hasMessage(
            "faultline.colour: unknown key of the agent (keys it reads: agent.command.secret,"
                + " agent.max.duration)");
  }

  @Test
  void readKeysPassThroughBlocksAndOtherComponentsKeysAreAccepted() {
    StrictConfig map =
        StrictConfig.of(
            Map.of(
                "agent.max.duration", "5m",
                "kafka.security.protocol", "SSL",
                "collector.http.port", "8080",
                "analyzer.window", "5s"));
    readLikeAComponent(map);
    assertThatCode(() -> map.refuseUnread("agent", "agent.", "faultline."))
        .doesNotThrowAnyException();
    assertThat(map.get("agent.max.duration")).isEqualTo("5m");
    assertThat(map).hasSize(4);
  }
}
