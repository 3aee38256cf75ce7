package io.faultline.schema;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The Kafka clients' own metrics (consumer lag, request latency, ...) read at scrape time from
 * {@code metrics()} of each client: {@code records-lag-max} of group {@code
 * consumer-fetch-manager-metrics} becomes {@code kafka_consumer_fetch_manager_records_lag_max} with
 * the tags ({@code client_id}, {@code topic}, {@code partition}) as labels. Kafka's cumulative
 * {@code *-total} metrics are counters, the rest gauges; non-numeric metrics are left out. Names
 * follow Prometheus' conventions where Kafka's do not: {@code -ms} and {@code -ns} values are
 * converted to seconds ({@code io-wait-time-ns-avg} is {@code ..._io_wait_time_seconds_avg}), and a
 * gauge's trailing {@code -count} is {@code _number} ({@code _count} belongs to histograms).
 */
final class KafkaClientMetrics implements MultiCollector {

  private final List<Supplier<Map<MetricName, ? extends Metric>>> clients =
      new CopyOnWriteArrayList<>();

  void add(Supplier<Map<MetricName, ? extends Metric>> client) {
    clients.add(client);
  }

  /** {@code consumer-fetch-manager-metrics}, {@code records-lag-max} -> the family's name. */
  static String familyName(String group, String name) {
    String g = group.endsWith("-metrics") ? group.substring(0, group.length() - 8) : group;
    StringBuilder n = new StringBuilder();
    String[] tokens = name.split("-");
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.equals("ms") || t.equals("ns")) {
        t = "seconds";
      } else if (t.equals("count") && i == tokens.length - 1) {
        t = "number";
      }
      n.append(i == 0 ? "" : "_").append(t);
    }
    return "kafka_" + sanitize(g) + "_" + sanitize(n.toString());
  }

  /** What a value in Kafka's unit is multiplied by to be in the family's unit (seconds). */
  static double scale(String name) {
    for (String t : name.split("-")) {
      if (t.equals("ms")) {
        return 1e-3;
      }
      if (t.equals("ns")) {
        return 1e-9;
      }
    }
    return 1;
  }

  static String sanitize(String text) {
    String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return Character.isDigit(s.charAt(0)) ? "_" + s : s;
  }

  private record Point(Labels labels, double value) {}

  @Override
  public MetricSnapshots collect() {
    Map<String, List<Point>> gauges = new TreeMap<>();
    Map<String, List<Point>> counters = new TreeMap<>();
    Map<String, Set<Labels>> seen = new HashMap<>();
    for (var client : clients) {
      Map<MetricName, ? extends Metric> metrics;
      try {
        metrics = client.get();
      } catch (RuntimeException e) {
        continue; // a closed client has no metrics
      }
      for (var m : metrics.entrySet()) {
        Object value;
        try {
          value = m.getValue().metricValue();
        } catch (RuntimeException e) {
          continue;
        }
        if (!(value instanceof Number number)) {
          continue;
        }
        MetricName n = m.getKey();
        boolean counter = n.name().endsWith("-total");
        String family =
            familyName(
                n.group(),
                counter ? n.name().substring(0, n.name().length() - "-total".length()) : n.name());
        double v = number.doubleValue() * scale(n.name());
        if (counter && !(v >= 0 && Double.isFinite(v))) {
          continue;
        }
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        new TreeMap<>(n.tags())
            .forEach(
                (k, val) -> {
                  names.add(sanitize(k));
                  values.add(val == null ? "" : val);
                });
        Labels labels;
        try {
          labels = Labels.of(names, values);
        } catch (IllegalArgumentException e) {
          continue; // two tags that sanitize to one label name
        }
        // one family name is one type, one label set once (several clients may share a client id)
        if ((counter ? gauges : counters).containsKey(family)
            || !seen.computeIfAbsent(family, f -> new HashSet<>()).add(labels)) {
          continue;
        }
        (counter ? counters : gauges)
            .computeIfAbsent(family, f -> new ArrayList<>())
            .add(new Point(labels, v));
      }
    }
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    Set<String> names = new HashSet<>();
    gauges.forEach(
        (family, points) -> {
          if (names.add(family) && !counters.containsKey(family + "_total")) {
            GaugeSnapshot.Builder b =
                GaugeSnapshot.builder().name(family).help("Kafka client metric");
            points.forEach(
                p ->
                    b.dataPoint(
                        GaugeDataPointSnapshot.builder()
                            .labels(p.labels())
                            .value(p.value())
                            .build()));
            out.metricSnapshot(b.build());
          }
        });
    counters.forEach(
        (family, points) -> {
          if (names.add(family) && !gauges.containsKey(family + "_total")) {
            CounterSnapshot.Builder b =
                CounterSnapshot.builder().name(family).help("Kafka client metric");
            points.forEach(
                p ->
                    b.dataPoint(
                        CounterDataPointSnapshot.builder()
                            .labels(p.labels())
                            .value(p.value())
                            .build()));
            out.metricSnapshot(b.build());
          }
        });
    return out.build();
  }
}
