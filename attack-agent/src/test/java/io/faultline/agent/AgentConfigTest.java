package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  @Test
  void defaults() {
    AgentConfig c = AgentConfig.fromMap(Map.of("bootstrap.servers", "b:9092"));
    assertThat(c.maxDuration()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.maxConcurrent()).isEqualTo(5);
    assertThat(c.topicsPrefix()).isEqualTo("faultline.");
  }

  @Test
  void namesTheBadKey() {
    assertThatThrownBy(() -> AgentConfig.fromMap(Map.of()))
        .hasMessageStartingWith("bootstrap.servers: required");
    assertThatThrownBy(
            () -> AgentConfig.fromMap(Map.of("bootstrap.servers", "b", "agent.max.duration", "0s")))
        .hasMessage("agent.max.duration 0ms: must be between 1s and 24h");
    assertThatThrownBy(
            () ->
                AgentConfig.fromMap(
                    Map.of("bootstrap.servers", "b", "agent.max.concurrent", "many")))
        .hasMessage("agent.max.concurrent 'many': must be a whole number from 1 to 1000");
  }
}
