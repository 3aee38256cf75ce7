package io.faultline.scale;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Scale's Prometheus metrics in the text exposition format (0.0.4): request latency histogram and
 * request counts per endpoint, server errors, database pool and index size. Every series carries
 * the instance's {@code group} label.
 */
public final class ScaleMetrics {

  static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length];
    final LongAdder count = new LongAdder();
    final DoubleAdder sum = new DoubleAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          counts[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(seconds);
    }
  }

  private final String group;
  private final Supplier<SongStore.PoolState> pool;
  private final Supplier<Integer> songs;
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  public ScaleMetrics(String group, Supplier<SongStore.PoolState> pool, Supplier<Integer> songs) {
    this.group = group;
    this.pool = pool;
    this.songs = songs;
  }

  /** One request done: its endpoint (a fixed name, never the raw path), status and duration. */
  public void record(String endpoint, int status, long nanos) {
    latency.computeIfAbsent(endpoint, e -> new Histogram()).observe(nanos / 1e9);
    requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    if (status >= 500) {
      errors.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    }
  }

  public String scrape() {
    StringBuilder out = new StringBuilder(4096);
    String g = "group=\"" + group + "\"";
    out.append("# HELP scale_http_request_duration_seconds Time to answer a request.\n")
        .append("# TYPE scale_http_request_duration_seconds histogram\n");
    latency.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              Histogram h = e.getValue();
              String labels = g + ",endpoint=\"" + e.getKey() + "\"";
              long cumulative = 0;
              for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                out.append("scale_http_request_duration_seconds_bucket{")
                    .append(labels)
                    .append(",le=\"")
                    .append(format(BUCKETS[i]))
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
              }
              long count = h.count.sum();
              out.append("scale_http_request_duration_seconds_bucket{")
                  .append(labels)
                  .append(",le=\"+Inf\"} ")
                  .append(count)
                  .append('\n');
              out.append("scale_http_request_duration_seconds_sum{")
                  .append(labels)
                  .append("} ")
                  .append(format(h.sum.sum()))
                  .append('\n');
              out.append("scale_http_request_duration_seconds_count{")
                  .append(labels)
                  .append("} ")
                  .append(count)
                  .append('\n');
            });
    out.append("# HELP scale_http_requests_total Requests answered, by endpoint and status.\n")
        .append("# TYPE scale_http_requests_total counter\n");
    requests.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String[] parts = e.getKey().split("\u0000");
              out.append("scale_http_requests_total{")
                  .append(g)
                  .append(",endpoint=\"")
                  .append(parts[0])
                  .append("\",status=\"")
                  .append(parts[1])
                  .append("\"} ")
                  .append(e.getValue().sum())
                  .append('\n');
            });
    out.append("# HELP scale_http_errors_total Requests answered with a 5xx status.\n")
        .append("# TYPE scale_http_errors_total counter\n");
    errors.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                out.append("scale_http_errors_total{")
                    .append(g)
                    .append(",endpoint=\"")
                    .append(e.getKey())
                    .append("\"} ")
                    .append(e.getValue().sum())
                    .append('\n'));
    SongStore.PoolState p = pool.get();
    gauge(out, "scale_db_pool_active_connections", "Connections in use.", g, p.active());
    gauge(out, "scale_db_pool_idle_connections", "Connections idle in the pool.", g, p.idle());
    gauge(
        out, "scale_db_pool_pending_threads", "Threads waiting for a connection.", g, p.pending());
    gauge(out, "scale_db_pool_max_connections", "Pool size limit.", g, p.max());
    gauge(out, "scale_songs", "Songs in the similarity index.", g, songs.get());
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, long v) {
    out.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append("\n# TYPE ")
        .append(name)
        .append(" gauge\n")
        .append(name)
        .append('{')
        .append(labels)
        .append("} ")
        .append(v)
        .append('\n');
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, "%s", v);
  }
}
