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
 *   <li>{@code analyzer.state.dir} (default a temp directory)
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
    Map<String, String> kafka) {

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
        ConfigSource.subset(map, "kafka."));
  }
}
