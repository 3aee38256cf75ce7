package io.faultline.bench;

import io.faultline.agent.AttackAgent;
import io.faultline.agent.StartSteps;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the START path's time goes, for {@code CommandLatencyBench --steps} (docs/adr/0103): the
 * agent's {@code faultline_agent_start_step_seconds} histogram read in this JVM after the warm-up
 * and at the end, the difference's quantiles from its native buckets (each bucket's upper bound: at
 * most 2.2% above the value at schema 5), and STARTED's hop as the bench sees it.
 */
final class StepTimes {

  private static final String METRIC = "faultline_agent_start_step";
  private Map<String, Buckets> warm = Map.of();
  private Map<String, Buckets> end = Map.of();
  private final List<Double> startedHops = new ArrayList<>();

  void afterWarmUp(AttackAgent agent) {
    warm = read(agent);
  }

  void atEnd(AttackAgent agent) {
    end = read(agent);
  }

  void startedHop(long millis) {
    startedHops.add((double) millis);
  }

  void report(int n, double[] command) {
    System.out.println();
    System.out.println(
        "| step of a START (n="
            + n
            + "; the agent's, time since its poll returned the command) | p50 ms | p99 ms |");
    System.out.println("|---|---|---|");
    stepRows(warm, end).forEach(System.out::println);
    double[] hops = startedHops.stream().mapToDouble(Double::doubleValue).toArray();
    System.out.printf(
        Locale.ROOT,
        "| STARTED's timestamp -> received by the bench (ms clock) | %.2f | %.2f |%n",
        CommandLatencyBench.percentile(hops, 50),
        CommandLatencyBench.percentile(hops, 99));
    System.out.printf(
        Locale.ROOT,
        "| command published -> STARTED received (the bench's, as above) | %.2f | %.2f |%n",
        CommandLatencyBench.percentile(command, 50),
        CommandLatencyBench.percentile(command, 99));
  }

  /**
   * A table row for each of the agent's steps observed by {@code end}, in the order of the path.
   */
  static List<String> stepRows(Map<String, Buckets> warm, Map<String, Buckets> end) {
    List<String> rows = new ArrayList<>();
    for (StartSteps.Step step : StartSteps.Step.values()) {
      Buckets b = end.get(step.label());
      if (b == null) {
        continue;
      }
      Buckets run = b.minus(warm.get(step.label()));
      String name =
          step == StartSteps.Step.POLLED
              ? "command published -> polled (its age at the poll, ms clock; not since the poll)"
              : step.label();
      rows.add(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f |",
              name,
              run.quantile(0.5) * 1e3,
              run.quantile(0.99) * 1e3));
    }
    return rows;
  }

  private static Map<String, Buckets> read(AttackAgent agent) {
    Map<String, Buckets> byStep = new LinkedHashMap<>();
    for (MetricSnapshot m : agent.metrics().registry().scrape()) {
      if (m instanceof HistogramSnapshot h
          && h.getMetadata().getPrometheusName().startsWith(METRIC)) {
        for (HistogramDataPointSnapshot p : h.getDataPoints()) {
          byStep.put(p.getLabels().get("step"), Buckets.of(p));
        }
      }
    }
    if (byStep.isEmpty()) {
      throw new IllegalStateException(
          METRIC + "_seconds not on the agent's metrics: an agent from before docs/adr/0103");
    }
    return byStep;
  }

  /** A native histogram's counts: zero bucket and bucket index to count, at one schema. */
  record Buckets(int schema, long zero, TreeMap<Integer, Long> counts) {

    static Buckets of(HistogramDataPointSnapshot p) {
      TreeMap<Integer, Long> counts = new TreeMap<>();
      var positive = p.getNativeBucketsForPositiveValues();
      for (int i = 0; i < positive.size(); i++) {
        counts.put(positive.getBucketIndex(i), positive.getCount(i));
      }
      return new Buckets(p.getNativeSchema(), p.getNativeZeroCount(), counts);
    }

    Buckets minus(Buckets before) {
      if (before == null) {
        return this;
      }
      if (before.schema != schema) {
        throw new IllegalStateException(
            "the histogram's schema changed from " + before.schema + " to " + schema);
      }
      TreeMap<Integer, Long> left = new TreeMap<>(counts);
      before.counts.forEach((index, count) -> left.merge(index, -count, Long::sum));
      return new Buckets(schema, zero - before.zero, left);
    }

    /** The upper bound of the bucket holding the nearest-rank quantile, in seconds. */
    double quantile(double q) {
      long total = zero + counts.values().stream().mapToLong(Long::longValue).sum();
      long rank = Math.max(1, (long) Math.ceil(q * total));
      long seen = zero;
      if (seen >= rank) {
        return 0;
      }
      for (Map.Entry<Integer, Long> e : counts.entrySet()) {
        seen += e.getValue();
        if (seen >= rank) {
          return Math.pow(2, e.getKey() * Math.pow(2, -schema));
        }
      }
      return Double.NaN;
    }
  }
}
