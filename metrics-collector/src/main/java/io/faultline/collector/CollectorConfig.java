package io.faultline.collector;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The collector's configuration, validated once (keys documented in metrics-collector/README.md).
 */
public record CollectorConfig(
    String bootstrapServers,
    String topicsPrefix,
    String experimentId,
    double rps,
    int concurrency,
    Duration timeout,
    Duration interval,
    List<ProbeTarget> targets,
    Map<String, String> kafka) {

  public static CollectorConfig fromMap(Map<String, String> map) {
    String bootstrap = required(map, "bootstrap.servers", "e.g. 127.0.0.1:9092");
    String experiment = required(map, "experiment.id", "the experiment the samples belong to");
    double rps = number(map, "probe.rps", "20", 0.001, 100_000);
    int concurrency = (int) number(map, "probe.concurrency", "50", 1, 10_000);
    Duration timeout = Durations.parse("probe.timeout", map.getOrDefault("probe.timeout", "2s"));
    Duration interval = Durations.parse("probe.interval", map.getOrDefault("probe.interval", "1s"));
    if (timeout.isZero()
        || timeout.isNegative()
        || interval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "probe.timeout must be > 0 and probe.interval at least 100ms (got "
              + Durations.format(timeout)
              + ", "
              + Durations.format(interval)
              + ")");
    }
    String targetList =
        required(
            map,
            "probe.targets",
            "GROUP=name@url,... e.g. CONTROL=scale-control@http://127.0.0.1:8081/health");
    List<ProbeTarget> targets = new ArrayList<>();
    for (String entry : targetList.split(",")) {
      if (!entry.isBlank()) {
        targets.add(ProbeTarget.parse(entry.strip()));
      }
    }
    return new CollectorConfig(
        bootstrap,
        map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX),
        experiment,
        rps,
        concurrency,
        timeout,
        interval,
        List.copyOf(targets),
        ConfigSource.subset(map, "kafka."));
  }

  private static String required(Map<String, String> map, String key, String hint) {
    String v = map.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + ": required (" + hint + ")");
    }
    return v;
  }

  private static double number(
      Map<String, String> map, String key, String def, double min, double max) {
    String raw = map.getOrDefault(key, def);
    try {
      double v = Double.parseDouble(raw);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        key + " '" + raw + "': must be a number from " + min + " to " + max);
  }
}
