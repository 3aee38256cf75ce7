package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.StrictConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AgentMain reads the config as here: every agent.* key AgentConfig does not read is refused. */
class AgentStrictConfigTest {

  private static void load(Map<String, String> raw) {
    StrictConfig map = StrictConfig.of(raw);
    AgentConfig.fromMap(map);
    map.get("agent.http.port");
    map.refuseUnread("agent", "agent.", "faultline.");
  }

  @Test
  void aTypoInTheSecretKeyIsRefusedInsteadOfTurningSigningOff() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "bootstrap.servers", "127.0.0.1:9092",
                        "agent.command.secert", "0123456789abcdef0123")))
        .hasMessage(
            "agent.command.secert: unknown key of the agent; did you mean agent.command.secret?");
  }

  @Test
  void everyDocumentedAgentKeyIsKnown() {
    assertThatCode(
            () ->
                load(
                    Map.ofEntries(
                        Map.entry("bootstrap.servers", "127.0.0.1:9092"),
                        Map.entry("agent.id", "a"),
                        Map.entry("agent.max.duration", "15m"),
                        Map.entry("agent.max.concurrent", "5"),
                        Map.entry("agent.command.max.age", "5m"),
                        Map.entry("agent.targets.dir", "/tmp"),
                        Map.entry("agent.command.secret", "0123456789abcdef0123"),
                        Map.entry("agent.signature.window", "2m"),
                        Map.entry("agent.lease", "30s"),
                        Map.entry("agent.max.blast.radius.percent", "50"),
                        Map.entry("agent.kubernetes.namespaces", ""),
                        Map.entry("agent.kubernetes.stress.image", "s"),
                        Map.entry("agent.kubernetes.network.image", "n"),
                        Map.entry("agent.aws.enabled", "false"),
                        Map.entry("agent.http.port", "0"),
                        Map.entry("kafka.security.protocol", "PLAINTEXT"))))
        .doesNotThrowAnyException();
  }
}
