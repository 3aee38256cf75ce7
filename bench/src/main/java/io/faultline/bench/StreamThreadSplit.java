package io.faultline.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Where the stream threads' wall clock went, from Kafka Streams' and its clients' own metrics read
 * at the end of a run (docs/adr/0069): the thread's share of time in poll, process, punctuate and
 * commit (Streams' ratios over its last metrics window), the time it was blocked on Kafka, the
 * producer's flush and transaction round trips, and the averages behind them. Totals are summed
 * over the stream threads ({@link #since} counts them from a given reading); ratios and averages
 * are the threads' mean.
 */
record StreamThreadSplit(Map<String, Double> figures) {

  /** Stream-thread metrics, summed ({@code -total}) or averaged (the rest) over the threads. */
  private static final List<String> THREAD =
      List.of(
          "poll-ratio",
          "process-ratio",
          "punctuate-ratio",
          "commit-ratio",
          "blocked-time-ns-total",
          "poll-latency-avg",
          "process-latency-avg",
          "commit-latency-avg",
          "poll-records-avg",
          "process-records-avg",
          "poll-total",
          "commit-total");

  /** The stream threads' producers: the exactly-once commit's round trips (KIP-483's timers). */
  private static final List<String> PRODUCER =
      List.of(
          "flush-time-ns-total",
          "txn-send-offsets-time-ns-total",
          "txn-commit-time-ns-total",
          "txn-begin-time-ns-total",
          "bufferpool-wait-time-ns-total",
          "metadata-wait-time-ns-total",
          "request-latency-avg",
          "record-queue-time-avg",
          "batch-size-avg",
          "records-per-request-avg");

  /** The stream threads' main consumers: how long a poll waited, how much a fetch brought. */
  private static final List<String> CONSUMER =
      List.of(
          "poll-idle-ratio-avg",
          "time-between-poll-avg",
          "fetch-latency-avg",
          "fetch-size-avg",
          "commit-sync-time-ns-total",
          "committed-time-ns-total");

  static StreamThreadSplit of(Map<MetricName, ? extends Metric> metrics) {
    Map<String, Double> sums = new TreeMap<>();
    Map<String, Integer> counts = new TreeMap<>();
    for (var e : metrics.entrySet()) {
      MetricName m = e.getKey();
      String client = m.tags().getOrDefault("client-id", m.tags().getOrDefault("thread-id", ""));
      String prefix;
      if (m.group().equals("stream-thread-metrics") && THREAD.contains(m.name())) {
        prefix = "thread.";
      } else if (m.group().equals("producer-metrics")
          && client.contains("-StreamThread-")
          && PRODUCER.contains(m.name())) {
        prefix = "producer.";
      } else if ((m.group().equals("consumer-metrics")
              || m.group().equals("consumer-fetch-manager-metrics"))
          && m.tags().size() == 1
          && client.endsWith("-consumer")
          && !client.endsWith("-restore-consumer")
          && client.contains("-StreamThread-")
          && CONSUMER.contains(m.name())) {
        prefix = "consumer.";
      } else {
        continue;
      }
      if (!(e.getValue().metricValue() instanceof Number value)
          || Double.isNaN(value.doubleValue())) {
        continue;
      }
      String key = prefix + m.name();
      sums.merge(key, value.doubleValue(), Double::sum);
      counts.merge(key, 1, Integer::sum);
    }
    Map<String, Double> figures = new TreeMap<>();
    sums.forEach(
        (key, sum) ->
            figures.put(
                key.endsWith("-total") ? key.replace("-ns-total", "-s-total") : key,
                key.endsWith("-ns-total")
                    ? sum / 1e9
                    : key.endsWith("-total") ? sum : sum / counts.get(key)));
    return new StreamThreadSplit(figures);
  }

  /**
   * This split with its totals counted from {@code start} (the same threads read earlier), so a run
   * leaves out the threads' start and rebalance; ratios and averages stay as read now.
   */
  StreamThreadSplit since(StreamThreadSplit start) {
    Map<String, Double> delta = new TreeMap<>(figures);
    delta.replaceAll(
        (key, value) ->
            key.endsWith("-total") ? value - start.figures.getOrDefault(key, 0.0) : value);
    return new StreamThreadSplit(delta);
  }

  String json() {
    return figures.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "\"%s\":%.4g", e.getKey(), e.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }
}
