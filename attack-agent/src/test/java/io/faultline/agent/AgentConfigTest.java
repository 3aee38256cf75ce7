package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  private static AgentConfig with(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    map.put("bootstrap.servers", "b:9092");
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return AgentConfig.fromMap(map);
  }

  @Test
  void defaults() {
    AgentConfig c = with();
    assertThat(c.maxDuration()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.maxConcurrent()).isEqualTo(5);
    assertThat(c.topicsPrefix()).isEqualTo("faultline.");
    assertThat(c.agentId()).isEqualTo("agent-" + ProcessHandle.current().pid() + "@" + host());
    assertThat(c.targetsDir()).isEqualTo(Path.of(".faultline", "targets"));
    assertThat(c.commandSecret()).isNull();
    assertThat(c.lease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.kafka()).isEmpty();
  }

  @Test
  void recoveryAndOutboxKeysHaveBoundedDefaults() {
    AgentConfig c = with();
    assertThat(c.outboxDir()).isEqualTo(Path.of(".faultline", "agent-outbox"));
    assertThat(c.recoveryTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.producerMaxBlock()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.producerDeliveryTimeout()).isEqualTo(Duration.ofSeconds(30));
    AgentConfig set =
        with(
            "agent.outbox.dir", "/var/lib/faultline",
            "agent.recovery.timeout", "2s",
            "agent.producer.max.block", "500ms",
            "agent.producer.delivery.timeout", "1m");
    assertThat(set.outboxDir()).isEqualTo(Path.of("/var/lib/faultline"));
    assertThat(set.recoveryTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(set.producerMaxBlock()).isEqualTo(Duration.ofMillis(500));
    assertThat(set.producerDeliveryTimeout()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void rejectsAnUnboundedProducerWaitNamingTheKey() {
    assertThatThrownBy(() -> with("agent.producer.max.block", "10m"))
        .hasMessage("agent.producer.max.block 10m: must be between 100ms and 1m");
    assertThatThrownBy(() -> with("agent.producer.delivery.timeout", "500ms"))
        .hasMessageStartingWith("agent.producer.delivery.timeout 500ms: must be between 1s and");
    assertThatThrownBy(() -> with("agent.outbox.dir", " "))
        .hasMessageStartingWith("agent.outbox.dir: must not be empty");
  }

  private static String host() {
    return io.faultline.common.HostName.local();
  }

  @Test
  void readsEveryKeyAndPassesKafkaClientSettingsThrough() {
    AgentConfig c =
        with(
            "topics.prefix", "it-1.",
            "agent.id", "agent-a",
            "agent.max.duration", "2m",
            "agent.max.concurrent", "3",
            "agent.targets.dir", "/tmp/targets",
            "kafka.security.protocol", "SASL_SSL",
            "kafka.sasl.jaas.config", "secret-jaas");
    assertThat(c.topicsPrefix()).isEqualTo("it-1.");
    assertThat(c.agentId()).isEqualTo("agent-a");
    assertThat(c.maxDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.maxConcurrent()).isEqualTo(3);
    assertThat(c.targetsDir()).isEqualTo(Path.of("/tmp/targets"));
    assertThat(c.kafka())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "secret-jaas")
        .doesNotContainKey("kafka.security.protocol");
  }

  @Test
  void namesTheBadKey() {
    assertThatThrownBy(() -> AgentConfig.fromMap(Map.of()))
        .hasMessageStartingWith("bootstrap.servers: required");
    assertThatThrownBy(() -> with("agent.max.duration", "0s"))
        .hasMessage("agent.max.duration 0s: must be between 1s and 24h");
    assertThatThrownBy(() -> with("agent.max.duration", "25h"))
        .hasMessage("agent.max.duration 25h: must be between 1s and 24h");
    assertThatThrownBy(() -> with("agent.max.concurrent", "many"))
        .hasMessage("agent.max.concurrent 'many': must be a whole number from 1 to 1000");
    assertThatThrownBy(() -> with("agent.max.concurrent", "0"))
        .hasMessage("agent.max.concurrent '0': must be a whole number from 1 to 1000");
    assertThatThrownBy(() -> with("agent.lease", "1s"))
        .hasMessage("agent.lease 1s: must be between 2s and 1h");
    assertThatThrownBy(() -> with("agent.command.secret", "short"))
        .hasMessage("agent.command.secret: must be at least 16 characters (it is 5)");
    assertThatThrownBy(() -> with("topics.prefix", "bad prefix/"))
        .hasMessageStartingWith("topics.prefix 'bad prefix/': may hold only");
    assertThatThrownBy(() -> with("agent.targets.dir", " "))
        .hasMessageStartingWith("agent.targets.dir: must not be empty");
  }

  @Test
  void badDurationIsAnIllegalArgumentNamingTheKey() {
    assertThatThrownBy(() -> with("agent.max.duration", "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("agent.max.duration 'soon': not a duration");
    assertThatThrownBy(() -> with("agent.command.max.age", "PT-5S"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("agent.command.max.age 'PT-5S': must not be negative");
  }

  @Test
  void secretsStayOutOfToString() {
    String text =
        with("agent.command.secret", "0123456789abcdef-secret", "kafka.sasl.jaas.config", "pw=x")
            .toString();
    assertThat(text).doesNotContain("0123456789abcdef-secret").doesNotContain("pw=x");
  }

  @Test
  void blastRadiusKubernetesAndAwsKeys() {
    AgentConfig defaults = with();
    assertThat(defaults.maxBlastRadiusPercent()).isEqualTo(50);
    assertThat(defaults.kubernetesNamespaces()).isEmpty();
    assertThat(defaults.awsEnabled()).isFalse();
    assertThat(defaults.awsEndpoint()).isNull();
    AgentConfig set =
        with(
            "agent.max.blast.radius.percent", "25",
            "agent.kubernetes.namespaces", "shop, scale-exp ,",
            "agent.aws.enabled", "true",
            "agent.aws.region", "eu-west-1",
            "agent.aws.endpoint", "http://127.0.0.1:8089");
    assertThat(set.maxBlastRadiusPercent()).isEqualTo(25);
    assertThat(set.kubernetesNamespaces()).containsExactly("shop", "scale-exp");
    assertThat(set.awsEnabled()).isTrue();
    assertThat(set.awsRegion()).isEqualTo("eu-west-1");
    assertThat(set.awsEndpoint()).hasToString("http://127.0.0.1:8089");
    assertThatThrownBy(() -> with("agent.max.blast.radius.percent", "0"))
        .hasMessage("agent.max.blast.radius.percent '0': must be a whole number from 1 to 100");
    assertThatThrownBy(() -> with("agent.max.blast.radius.percent", "half"))
        .hasMessage("agent.max.blast.radius.percent 'half': must be a whole number from 1 to 100");
    assertThatThrownBy(() -> with("agent.kubernetes.namespaces", "shop,Bad_NS"))
        .hasMessageStartingWith("agent.kubernetes.namespaces: 'Bad_NS' is not a namespace name");
    assertThatThrownBy(() -> with("agent.aws.enabled", "yes"))
        .hasMessage("agent.aws.enabled 'yes': must be true or false");
    assertThatThrownBy(() -> with("agent.aws.region", "mars"))
        .hasMessage("agent.aws.region 'mars': not a region name such as eu-west-1");
    assertThatThrownBy(() -> with("agent.aws.endpoint", "not a url"))
        .hasMessageStartingWith("agent.aws.endpoint 'not a url': must be an http(s) URL");
  }

  @Test
  void blastRadiusAndNamespacesComeFromTheEnvironmentToo() {
    AgentConfig c =
        AgentConfig.fromMap(
            io.faultline.schema.ConfigSource.load(
                null,
                Map.of(
                    "FAULTLINE_BOOTSTRAP_SERVERS", "b:9092",
                    "FAULTLINE_AGENT_MAX_BLAST_RADIUS_PERCENT", "30",
                    "FAULTLINE_AGENT_KUBERNETES_NAMESPACES", "shop")));
    assertThat(c.maxBlastRadiusPercent()).isEqualTo(30);
    assertThat(c.kubernetesNamespaces()).containsExactly("shop");
  }
}
