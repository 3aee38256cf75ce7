package io.faultline.agent;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import io.faultline.schema.Topics;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration, validated once. Keys (env {@code FAULTLINE_AGENT_MAX_DURATION}):
 * {@code bootstrap.servers}, {@code topics.prefix}, {@code agent.id}, {@code agent.max.duration}
 * (default 15m), {@code agent.max.concurrent} (default 5), {@code agent.command.max.age} (default
 * 5m), {@code agent.targets.dir}, {@code agent.command.secret} (commands must then be signed),
 * {@code agent.signature.window} (default 2m), {@code agent.lease} (dead-man's switch, default
 * 30s), {@code agent.max.blast.radius.percent} (share of the EXPERIMENTAL targets one attack may
 * take, default 50), {@code agent.kubernetes.namespaces} (comma list; empty = Kubernetes faults
 * off), {@code agent.kubernetes.stress.image}, {@code agent.kubernetes.network.image}, {@code
 * agent.aws.enabled} (default false), {@code agent.aws.region}, {@code agent.aws.endpoint} (tests
 * only), {@code agent.outbox.dir} (events of a recovery not yet on Kafka, and the agent's active
 * attacks, default {@code .faultline/agent-outbox}), {@code agent.recovery.timeout} (default 5s),
 * {@code agent.producer.max.block} (default 2s), {@code agent.producer.delivery.timeout} (default
 * 30s), {@code kafka.*}.
 */
public record AgentConfig(
    String bootstrapServers,
    String topicsPrefix,
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

  public static AgentConfig fromMap(Map<String, String> map) {
    String bootstrap = map.get("bootstrap.servers");
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap.servers: required, e.g. 127.0.0.1:9092");
    }
    String prefix = map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX);
    if (!prefix.matches("[A-Za-z0-9._-]{0,200}")) {
      throw new IllegalArgumentException(
          "topics.prefix '" + prefix + "': may hold only letters, digits, '.', '_' and '-'");
    }
    Duration max = duration(map, "agent.max.duration", "15m");
    if (max.compareTo(MIN_DURATION) < 0 || max.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "agent.max.duration "
              + map.getOrDefault("agent.max.duration", "15m").strip()
              + ": must be between 1s and 24h");
    }
    String concurrentText = map.getOrDefault("agent.max.concurrent", "5");
    int concurrent;
    try {
      concurrent = Integer.parseInt(concurrentText);
    } catch (NumberFormatException e) {
      concurrent = -1;
    }
    if (concurrent < 1 || concurrent > 1000) {
      throw new IllegalArgumentException(
          "agent.max.concurrent '" + concurrentText + "': must be a whole number from 1 to 1000");
    }
    Duration maxAge = duration(map, "agent.command.max.age", "5m");
    if (maxAge.compareTo(MIN_DURATION) < 0) {
      throw new IllegalArgumentException(
          "agent.command.max.age " + Durations.format(maxAge) + ": must be at least 1s");
    }
    String secret = map.get("agent.command.secret");
    if (secret != null && secret.length() < 16) {
      throw new IllegalArgumentException(
          "agent.command.secret: must be at least 16 characters (it is " + secret.length() + ")");
    }
    Duration window = duration(map, "agent.signature.window", "2m");
    if (window.compareTo(MIN_DURATION) < 0) {
      throw new IllegalArgumentException(
          "agent.signature.window " + Durations.format(window) + ": must be at least 1s");
    }
    Duration lease = duration(map, "agent.lease", "30s");
    if (lease.compareTo(Duration.ofSeconds(2)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "agent.lease "
              + map.getOrDefault("agent.lease", "30s").strip()
              + ": must be between 2s and 1h");
    }
    String targets = map.get("agent.targets.dir");
    if (targets != null && targets.isBlank()) {
      throw new IllegalArgumentException(
          "agent.targets.dir: must not be empty; the directory of <name>.properties target files");
    }
    int blastPercent = wholeNumber(map, "agent.max.blast.radius.percent", "50", 1, 100);
    List<String> namespaces = new ArrayList<>();
    for (String ns : map.getOrDefault("agent.kubernetes.namespaces", "").split(",")) {
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
    String stressImage = nonBlank(map, "agent.kubernetes.stress.image", "polinux/stress-ng:latest");
    String networkImage =
        nonBlank(map, "agent.kubernetes.network.image", "nicolaka/netshoot:latest");
    String awsEnabledText = map.getOrDefault("agent.aws.enabled", "false").strip();
    if (!awsEnabledText.equals("true") && !awsEnabledText.equals("false")) {
      throw new IllegalArgumentException(
          "agent.aws.enabled '" + awsEnabledText + "': must be true or false");
    }
    String region = map.get("agent.aws.region");
    if (region != null && !region.strip().matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
      throw new IllegalArgumentException(
          "agent.aws.region '" + region + "': not a region name such as eu-west-1");
    }
    URI endpoint = null;
    String endpointText = map.get("agent.aws.endpoint");
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
    String agentId = map.getOrDefault("agent.id", defaultAgentId());
    if (agentId.isBlank()) {
      throw new IllegalArgumentException("agent.id: must not be empty");
    }
    String outbox = map.get("agent.outbox.dir");
    if (outbox != null && outbox.isBlank()) {
      throw new IllegalArgumentException(
          "agent.outbox.dir: must not be empty; a local directory the agent may write");
    }
    Duration recoveryTimeout =
        bounded(map, "agent.recovery.timeout", "5s", Duration.ofMillis(100), Duration.ofMinutes(5));
    Duration maxBlock =
        bounded(
            map, "agent.producer.max.block", "2s", Duration.ofMillis(100), Duration.ofMinutes(1));
    Duration deliveryTimeout =
        bounded(
            map,
            "agent.producer.delivery.timeout",
            "30s",
            Duration.ofSeconds(1),
            Duration.ofMinutes(10));
    return new AgentConfig(
        bootstrap,
        prefix,
        agentId,
        max,
        concurrent,
        maxAge,
        targets == null ? Path.of(".faultline", "targets") : Path.of(targets),
        secret,
        window,
        lease,
        blastPercent,
        List.copyOf(namespaces),
        stressImage,
        networkImage,
        awsEnabledText.equals("true"),
        region == null ? null : region.strip(),
        endpoint,
        ConfigSource.subset(map, "kafka."),
        outbox == null ? Path.of(".faultline", "agent-outbox") : Path.of(outbox.strip()),
        recoveryTimeout,
        maxBlock,
        deliveryTimeout);
  }

  private static Duration bounded(
      Map<String, String> map, String key, String fallback, Duration min, Duration max) {
    Duration d = duration(map, key, fallback);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key
              + " "
              + map.getOrDefault(key, fallback).strip()
              + ": must be between "
              + Durations.format(min)
              + " and "
              + Durations.format(max));
    }
    return d;
  }

  /** {@code agent-<pid>@<host>}: tells which process on which host applied an attack. */
  static String defaultAgentId() {
    return "agent-" + ManagementFactory.getRuntimeMXBean().getName();
  }

  private static int wholeNumber(
      Map<String, String> map, String key, String fallback, int min, int max) {
    String text = map.getOrDefault(key, fallback).strip();
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " '" + text + "': must be a whole number from " + min + " to " + max);
    }
    return value;
  }

  private static String nonBlank(Map<String, String> map, String key, String fallback) {
    String text = map.getOrDefault(key, fallback).strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException(key + ": must not be empty");
    }
    return text;
  }

  private static Duration duration(Map<String, String> map, String key, String fallback) {
    String text = map.getOrDefault(key, fallback);
    try {
      Duration d = Durations.parse(key, text);
      if (d.isNegative()) {
        throw new IllegalArgumentException(key + " '" + text + "': must not be negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          key + " '" + text + "': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S", e);
    }
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
