package io.faultline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Scale-out on paper: from the analyzer's measured per-instance throughput, the instances and
 * partitions that a fleet of 10,000 targets x 20 metrics at 10 s resolution needs.
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
      if ("analyzer-throughput".equals(r.path("bench").asText()) && r.has("samples_per_s")) {
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
    double need = TARGETS * METRICS / RESOLUTION_S;
    double per = perInstance(results);
    StringBuilder s = new StringBuilder("## Scale-out on paper\n\n");
    s.append(
        String.format(
            Locale.ROOT,
            "A fleet of %,d targets x %d metrics at one sample per %.0f s sends %,.0f samples/s to"
                + " `metrics`.%n%n",
            TARGETS,
            METRICS,
            RESOLUTION_S,
            need));
    if (Double.isNaN(per)) {
      s.append(
          "The analyzer's throughput was not measured in this run (bench `analyzer`), so no"
              + " estimate: instances = ceil(samples/s / (0.5 x per-instance samples/s)).\n");
      return s.toString();
    }
    int instances = (int) Math.ceil(need / (per * HEADROOM));
    int partitions = Math.max(12, 2 * instances);
    s.append("| figure | value |\n|---|---|\n");
    s.append(String.format(Locale.ROOT, "| samples/s needed | %,.0f |%n", need));
    s.append(
        String.format(
            Locale.ROOT,
            "| measured per analyzer instance (2 cores, exactly-once, most keys) | %,.0f |%n",
            per));
    s.append(String.format(Locale.ROOT, "| headroom kept | %.0f%% |%n", (1 - HEADROOM) * 100));
    s.append(String.format(Locale.ROOT, "| analyzer instances (2 cores each) | %d |%n", instances));
    s.append(
        String.format(
            Locale.ROOT,
            "| partitions of `metrics` (2 per instance, at least 12, room to grow) | %d |%n",
            partitions));
    s.append(
        "\nA caveat the arithmetic hides: `metrics` is keyed by experiment + metric, so one"
            + " experiment spanning the whole fleet has only 20 keys: at most 20 partitions carry"
            + " load, and each key's 1,000 samples/s land on one instance. Spread the fleet over"
            + " several experiments (per service or per zone), or add the target's shard to the"
            + " key, before adding instances.\n");
    return s.toString();
  }
}
