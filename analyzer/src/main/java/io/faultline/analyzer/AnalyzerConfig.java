package io.faultline.analyzer;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The analyzer's configuration, validated once. Keys (env: {@code FAULTLINE_ANALYZER_WINDOW}):
 *
 * <ul>
 *   <li>{@code bootstrap.servers} (required)
 *   <li>{@code topics.prefix} (default {@code faultline.})
 *   <li>{@code analyzer.application.id} (default {@code faultline-analyzer})
 *   <li>{@code analyzer.window} window size (default 5s), {@code analyzer.grace} (default 1s)
 *   <li>{@code analyzer.recovery.windows} q, steady windows that mean recovered (default 3)
 *   <li>{@code analyzer.warmup.windows} windows that define the baseline (default 4, 0 = none)
 *   <li>{@code analyzer.horizon.windows} judged windows the false-alarm bound covers (720)
 *   <li>{@code analyzer.state.dir} (default a temp directory)
 *   <li>{@code analyzer.metrics.port} Prometheus /metrics port (absent = off, 0 = any free port),
 *       {@code analyzer.metrics.host} (default 127.0.0.1); {@code analyzer.metrics.linger} how long
 *       an ended experiment's series stay on /metrics (default 5m, 0s to 24h)
 *   <li>{@code analyzer.alertmanager.url} push alerts to Alertmanager's v2 API (absent = off)
 *   <li>{@code analyzer.alert.noisy.time} an alert resolved within this time is noisy (30s)
 *   <li>{@code analyzer.judgement.confidence} the end judgement's confidence level (0.98)
 *   <li>{@code agent.command.secret} signs the HALT_ALL of an auto-abort (the agents' secret)
 *   <li>{@code kafka.*} passed to the Kafka Streams client (TLS, SASL, ...)
 * </ul>
 */
public record AnalyzerConfig(
    String bootstrapServers,
    String topicsPrefix,
    String applicationId,
    Duration window,
    Duration grace,
    int recoveryWindows,
    int warmupWindows,
    Path stateDir,
    Map<String, String> kafka,
    Integer metricsPort,
    String metricsHost,
    String alertmanagerUrl,
    Duration noisyAlertTime,
    double judgementConfidence,
    String commandSecret,
    long horizonWindows,
    Duration metricsLinger) {

  /** The settings of the result calculation. */
  public ResultCalculator.Settings resultSettings() {
    return new ResultCalculator.Settings(
        recoveryWindows, judgementConfidence, noisyAlertTime.toMillis());
  }

  @Override
  public String toString() {
    return "AnalyzerConfig["
        + applicationId
        + " window "
        + Durations.format(window)
        + " grace "
        + Durations.format(grace)
        + " on "
        + bootstrapServers
        + (commandSecret == null ? "" : ", command secret ****")
        + "]";
  }

  public static AnalyzerConfig fromMap(Map<String, String> map) {
    String bootstrap = map.get("bootstrap.servers");
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("bootstrap.servers: required, e.g. 127.0.0.1:9092");
    }
    Duration window = Durations.parse("analyzer.window", map.getOrDefault("analyzer.window", "5s"));
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "analyzer.window " + Durations.format(window) + ": must be between 1s and 1h");
    }
    Duration grace = Durations.parse("analyzer.grace", map.getOrDefault("analyzer.grace", "1s"));
    if (grace.isNegative() || grace.compareTo(window.multipliedBy(10)) > 0) {
      throw new IllegalArgumentException(
          "analyzer.grace " + Durations.format(grace) + ": must be between 0s and 10 windows");
    }
    int q;
    try {
      q = Integer.parseInt(map.getOrDefault("analyzer.recovery.windows", "3"));
    } catch (NumberFormatException e) {
      q = -1;
    }
    if (q < 1 || q > 100) {
      throw new IllegalArgumentException(
          "analyzer.recovery.windows '"
              + map.get("analyzer.recovery.windows")
              + "': must be a whole number between 1 and 100");
    }
    String warmupText = map.getOrDefault("analyzer.warmup.windows", "4");
    int warmup;
    try {
      warmup = Integer.parseInt(warmupText);
    } catch (NumberFormatException e) {
      warmup = -1;
    }
    if (warmup < 0 || warmup > 1000) {
      throw new IllegalArgumentException(
          "analyzer.warmup.windows '" + warmupText + "': must be a whole number from 0 to 1000");
    }
    String stateDir = map.get("analyzer.state.dir");
    String portText = map.get("analyzer.metrics.port");
    Integer port = null;
    if (portText != null && !portText.isBlank()) {
      try {
        port = Integer.parseInt(portText.strip());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "analyzer.metrics.port '" + portText + "': must be 0 (any free port) to 65535");
      }
    }
    String alertmanager = map.get("analyzer.alertmanager.url");
    if (alertmanager != null && !alertmanager.isBlank()) {
      try {
        java.net.URI uri = java.net.URI.create(alertmanager.strip());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          throw new IllegalArgumentException("not http(s)");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "analyzer.alertmanager.url '"
                + alertmanager
                + "': must be an http(s) URL such as http://127.0.0.1:9093");
      }
    } else {
      alertmanager = null;
    }
    Duration noisy =
        Durations.parse(
            "analyzer.alert.noisy.time", map.getOrDefault("analyzer.alert.noisy.time", "30s"));
    if (noisy.isNegative()) {
      throw new IllegalArgumentException("analyzer.alert.noisy.time: must be >= 0s");
    }
    String confidenceText = map.getOrDefault("analyzer.judgement.confidence", "0.98");
    double confidence;
    try {
      confidence = Double.parseDouble(confidenceText);
    } catch (NumberFormatException e) {
      confidence = Double.NaN;
    }
    if (!(confidence >= 0.5 && confidence < 1)) {
      throw new IllegalArgumentException(
          "analyzer.judgement.confidence '" + confidenceText + "': must be in [0.5, 1), e.g. 0.98");
    }
    String horizonText = map.getOrDefault("analyzer.horizon.windows", "720");
    long horizon;
    try {
      horizon = Long.parseLong(horizonText.strip());
    } catch (NumberFormatException e) {
      horizon = -1;
    }
    if (horizon < 1 || horizon > 10_000_000) {
      throw new IllegalArgumentException(
          "analyzer.horizon.windows '"
              + horizonText
              + "': must be a whole number from 1 to 10000000 (judged windows per experiment)");
    }
    String lingerText = map.getOrDefault("analyzer.metrics.linger", "5m");
    Duration linger = Durations.parse("analyzer.metrics.linger", lingerText);
    if (linger.isNegative() || linger.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "analyzer.metrics.linger '" + lingerText + "': must be between 0s and 24h");
    }
    String secret = map.get("agent.command.secret");
    if (secret != null && secret.isBlank()) {
      secret = null;
    }
    return new AnalyzerConfig(
        bootstrap,
        map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX),
        map.getOrDefault("analyzer.application.id", "faultline-analyzer"),
        window,
        grace,
        q,
        warmup,
        stateDir == null
            ? Path.of(System.getProperty("java.io.tmpdir"), "faultline-analyzer-state")
            : Path.of(stateDir),
        ConfigSource.subset(map, "kafka."),
        port,
        map.getOrDefault("analyzer.metrics.host", "127.0.0.1"),
        alertmanager == null ? null : alertmanager.strip(),
        noisy,
        confidence,
        secret,
        horizon,
        linger);
  }
}
