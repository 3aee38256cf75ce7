package io.faultline.agent;

import io.faultline.common.HostName;
import io.faultline.schema.ConfigReader;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration, validated once. Keys (env {@code FAULTLINE_AGENT_MAX_DURATION}):
 * {@code bootstrap.servers}, {@code topics.prefix}, {@code topics.partitions} (of topics the agent
 * creates when missing, default 3), {@code agent.id}, {@code agent.max.duration} (default 15m),
 * {@code agent.max.concurrent} (default 5), {@code agent.command.max.age} (default 5m), {@code
 * agent.targets.dir}, {@code agent.command.secret} (commands must then be signed), {@code
 * agent.signature.window} (default 2m), {@code agent.lease} (dead-man's switch, default 30s),
 * {@code agent.max.blast.radius.percent} (share of the EXPERIMENTAL targets one attack may take,
 * default 50), {@code agent.kubernetes.namespaces} (comma list; empty = Kubernetes faults off),
 * {@code agent.kubernetes.stress.image}, {@code agent.kubernetes.network.image}, {@code
 * agent.aws.enabled} (default false), {@code agent.aws.region}, {@code agent.aws.endpoint} (tests
 * only), {@code agent.outbox.dir} (events of a recovery not yet on Kafka, and the agent's active
 * attacks, default {@code .faultline/agent-outbox}), {@code agent.recovery.timeout} (default 5s),
 * {@code agent.producer.max.block} (default 2s), {@code agent.producer.delivery.timeout} (default
 * 30s), {@code kafka.*}.
 */
public record AgentConfig(
    String bootstrapServers,
    String topicsPrefix,
    int topicsPartitions,
    String agentId,
    Duration maxDuration,
    int maxConcurrent,
    Duration commandMaxAge,
    Path targetsDir,
    String commandSecret,
    Duration signatureWindow,
    Duration lease,
    int maxBlastRadiusPercent,
    List<String> kubernetesNamespaces,
    String kubernetesStressImage,
    String kubernetesNetworkImage,
    boolean awsEnabled,
    String awsRegion,
    URI awsEndpoint,
    Map<String, String> kafka,
    Path outboxDir,
    Duration recoveryTimeout,
    Duration producerMaxBlock,
    Duration producerDeliveryTimeout) {

  public static final Duration MIN_DURATION = Duration.ofSeconds(1);

  /**
   * {@code dir}, a directory under {@code agent.outbox.dir} (the outbox, the journal of active
   * attacks), created when missing; when it cannot be, an error naming the key and the fix.
   */
  static Path createUnderOutboxDir(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "agent.outbox.dir: cannot create " + dir + " (" + e + "); point it at a writable dir", e);
    }
  }

  public static AgentConfig fromMap(Map<String, String> map) {
    ConfigReader c = new ConfigReader(map);
    String bootstrap = c.required("bootstrap.servers", "e.g. 127.0.0.1:9092");
    String prefix = map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX);
    if (!prefix.matches("[A-Za-z0-9._-]{0,200}")) {
      throw new IllegalArgumentException(
          "topics.prefix '" + prefix + "': may hold only letters, digits, '.', '_' and '-'");
    }
    Duration max = c.duration("agent.max.duration", "15m", MIN_DURATION, Duration.ofHours(24));
    int concurrent = c.wholeNumber("agent.max.concurrent", "5", 1, 1000);
    Duration maxAge = c.duration("agent.command.max.age", "5m", MIN_DURATION, null);
    String secret = c.raw("agent.command.secret");
    if (secret != null && secret.length() < 16) {
      throw new IllegalArgumentException(
          "agent.command.secret: must be at least 16 characters (it is " + secret.length() + ")");
    }
    Duration window = c.duration("agent.signature.window", "2m", MIN_DURATION, null);
    Duration lease = c.duration("agent.lease", "30s", Duration.ofSeconds(2), Duration.ofHours(1));
    String targets =
        c.nonBlank(
            "agent.targets.dir",
            Path.of(".faultline", "targets").toString(),
            "the directory of <name>.properties target files");
    int blastPercent = c.wholeNumber("agent.max.blast.radius.percent", "50", 1, 100);
    List<String> namespaces = new ArrayList<>();
    for (String ns : c.get("agent.kubernetes.namespaces", "").split(",")) {
      String n = ns.strip();
      if (n.isEmpty()) {
        continue;
      }
      if (!n.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException(
            "agent.kubernetes.namespaces: '"
                + n
                + "' is not a namespace name (lower-case letters, digits and '-', at most 63)");
      }
      namespaces.add(n);
    }
    String stressImage =
        c.nonBlank("agent.kubernetes.stress.image", "polinux/stress-ng:latest", "");
    String networkImage =
        c.nonBlank("agent.kubernetes.network.image", "nicolaka/netshoot:latest", "");
    boolean awsEnabled = c.bool("agent.aws.enabled", "false");
    String region = c.raw("agent.aws.region");
    if (region != null && !region.strip().matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
      throw new IllegalArgumentException(
          "agent.aws.region '" + region + "': not a region name such as eu-west-1");
    }
    URI endpoint = null;
    String endpointText = c.raw("agent.aws.endpoint");
    if (endpointText != null) {
      try {
        endpoint = new URI(endpointText.strip());
      } catch (URISyntaxException e) {
        endpoint = null;
      }
      if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "agent.aws.endpoint '"
                + endpointText
                + "': must be an http(s) URL, e.g. http://127.0.0.1:8089");
      }
    }
    String agentId = c.nonBlank("agent.id", defaultAgentId(), "");
    String outbox =
        c.nonBlank(
            "agent.outbox.dir",
            Path.of(".faultline", "agent-outbox").toString(),
            "a local directory the agent may write");
    Duration recoveryTimeout =
        c.duration("agent.recovery.timeout", "5s", Duration.ofMillis(100), Duration.ofMinutes(5));
    Duration maxBlock =
        c.duration("agent.producer.max.block", "2s", Duration.ofMillis(100), Duration.ofMinutes(1));
    Duration deliveryTimeout =
        c.duration(
            "agent.producer.delivery.timeout",
            "30s",
            Duration.ofSeconds(1),
            Duration.ofMinutes(10));
    return new AgentConfig(
        bootstrap,
        prefix,
        Topics.partitions(c),
        agentId,
        max,
        concurrent,
        maxAge,
        Path.of(targets),
        secret,
        window,
        lease,
        blastPercent,
        List.copyOf(namespaces),
        stressImage,
        networkImage,
        awsEnabled,
        region == null ? null : region.strip(),
        endpoint,
        ConfigSource.subset(map, "kafka."),
        Path.of(outbox),
        recoveryTimeout,
        maxBlock,
        deliveryTimeout);
  }

  /**
   * {@code agent-<pid>@<host>}: tells which process on which host applied an attack. The host is
   * {@link HostName#local}, never a DNS lookup (the JVM's own {@code pid@host} name does one).
   */
  static String defaultAgentId() {
    return "agent-" + ProcessHandle.current().pid() + "@" + HostName.local();
  }

  /** Secrets stay out of logs: the command secret and any Kafka password or JAAS config. */
  @Override
  public String toString() {
    Map<String, String> safeKafka = new java.util.TreeMap<>();
    kafka.forEach(
        (k, v) -> {
          String key = k.toLowerCase(java.util.Locale.ROOT);
          boolean secretKey =
              key.contains("password") || key.contains("secret") || key.contains("jaas");
          safeKafka.put(k, secretKey ? "****" : v);
        });
    return "AgentConfig[bootstrapServers="
        + bootstrapServers
        + ", topicsPrefix="
        + topicsPrefix
        + ", agentId="
        + agentId
        + ", maxDuration="
        + maxDuration
        + ", maxConcurrent="
        + maxConcurrent
        + ", commandMaxAge="
        + commandMaxAge
        + ", targetsDir="
        + targetsDir
        + ", commandSecret="
        + (commandSecret == null ? "none" : "****")
        + ", signatureWindow="
        + signatureWindow
        + ", lease="
        + lease
        + ", maxBlastRadiusPercent="
        + maxBlastRadiusPercent
        + ", kubernetesNamespaces="
        + kubernetesNamespaces
        + ", awsEnabled="
        + awsEnabled
        + ", kafka="
        + safeKafka
        + ", outboxDir="
        + outboxDir
        + ", recoveryTimeout="
        + recoveryTimeout
        + ", producerMaxBlock="
        + producerMaxBlock
        + ", producerDeliveryTimeout="
        + producerDeliveryTimeout
        + "]";
  }
}
