package io.faultline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Scale-out on paper: from the analyzer's measured per-instance throughput, the instances and
 * partitions that fleets of 10,000 and 100,000 targets x 20 metrics at 10 s resolution need.
 */
final class ScaleOut {

  static final int TARGETS = 10_000;
  static final int METRICS = 20;
  static final double RESOLUTION_S = 10;

  /** Run instances at most this busy, so a rebalance or a burst does not build lag. */
  static final double HEADROOM = 0.5;

  private ScaleOut() {}

  /** The best measured samples/s at the largest key count, or NaN. */
  static double perInstance(Iterable<JsonNode> results) {
    double best = Double.NaN;
    int bestKeys = -1;
    for (JsonNode r : results) {
      // a summary run's samples/s holds many samples per target and window: not this fleet's shape
      if ("analyzer-throughput".equals(r.path("bench").asText())
          && r.has("samples_per_s")
          && !r.path("summaries").asBoolean(false)) {
        int keys = r.path("keys").asInt();
        double rate = r.path("samples_per_s").asDouble();
        if (keys > bestKeys || (keys == bestKeys && rate > best)) {
          bestKeys = keys;
          best = rate;
        }
      }
    }
    return best;
  }

  static String section(Iterable<JsonNode> results) {
    double per = perInstance(results);
    StringBuilder s = new StringBuilder("## Scale-out on paper\n\n");
    s.append(
        String.format(
            Locale.ROOT,
            "Fleets of %,d and %,d targets x %d metrics at one sample per %.0f s, against the"
                + " analyzer's measured per-instance throughput at the most keys.%n%n",
            TARGETS,
            10 * TARGETS,
            METRICS,
            RESOLUTION_S));
    if (Double.isNaN(per)) {
      s.append(
          "The analyzer's throughput was not measured in this run (bench `analyzer`), so no"
              + " estimate: instances = ceil(samples/s / (0.5 x per-instance samples/s)).\n");
      return s.toString();
    }
    s.append(
        String.format(
            Locale.ROOT,
            "| figure | %,d targets | %,d targets |%n|---|---|---|%n",
            TARGETS,
            10 * TARGETS));
    double[] need = {TARGETS * METRICS / RESOLUTION_S, 10 * TARGETS * METRICS / RESOLUTION_S};
    int[] instances = new int[2];
    for (int i = 0; i < 2; i++) {
      instances[i] = (int) Math.ceil(need[i] / (per * HEADROOM));
    }
    s.append(
        String.format(Locale.ROOT, "| samples/s needed | %,.0f | %,.0f |%n", need[0], need[1]));
    s.append(
        String.format(
            Locale.ROOT,
            "| measured per analyzer instance (2 cores, exactly-once, most keys) | %,.0f | %,.0f"
                + " |%n",
            per,
            per));
    s.append(
        String.format(
            Locale.ROOT,
            "| headroom kept | %.0f%% | %.0f%% |%n",
            (1 - HEADROOM) * 100,
            (1 - HEADROOM) * 100));
    s.append(
        String.format(
            Locale.ROOT,
            "| analyzer instances (2 cores each) | %,d | %,d |%n",
            instances[0],
            instances[1]));
    s.append(
        String.format(
            Locale.ROOT,
            "| partitions of `metrics` (2 per instance, at least 12, room to grow) | %,d | %,d |%n",
            Math.max(12, 2 * instances[0]),
            Math.max(12, 2 * instances[1])));
    s.append(
        "\nA caveat the arithmetic hides: `metrics` is keyed by experiment + metric, so one"
            + " experiment spanning the whole fleet has only 20 keys: at most 20 partitions carry"
            + " load, and each key's samples land on one instance. Until the key carries the"
            + " target's shard (docs/adr/0023, proposed), spread the fleet over several"
            + " experiments (per service or per zone) before adding instances.\n");
    return s.toString();
  }
}
