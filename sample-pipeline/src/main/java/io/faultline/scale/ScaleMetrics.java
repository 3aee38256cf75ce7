package io.faultline.scale;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Scale's Prometheus metrics through the Prometheus Java client: request latency histogram and
 * request counts per endpoint, server errors, database pool and index size, and the JVM's metrics.
 * Every series carries the instance's {@code group} label.
 */
public final class ScaleMetrics {

  static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram latency;
  private final Counter requests;
  private final Counter errors;

  public ScaleMetrics(String group, Supplier<SongStore.PoolState> pool, Supplier<Integer> songs) {
    Labels g = Labels.of("group", group);
    JvmMetrics.builder().constLabels(g).register(registry);
    latency =
        Histogram.builder()
            .name("scale_http_request_duration_seconds")
            .help("Time to answer a request.")
            .constLabels(g)
            .labelNames("endpoint")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
    requests =
        Counter.builder()
            .name("scale_http_requests_total")
            .help("Requests answered, by endpoint and status.")
            .constLabels(g)
            .labelNames("endpoint", "status")
            .register(registry);
    errors =
        Counter.builder()
            .name("scale_http_errors_total")
            .help("Requests answered with a 5xx status.")
            .constLabels(g)
            .labelNames("endpoint")
            .register(registry);
    gauge(g, "scale_db_pool_active_connections", "Connections in use.", () -> pool.get().active());
    gauge(
        g,
        "scale_db_pool_idle_connections",
        "Connections idle in the pool.",
        () -> pool.get().idle());
    gauge(
        g,
        "scale_db_pool_pending_threads",
        "Threads waiting for a connection.",
        () -> pool.get().pending());
    gauge(g, "scale_db_pool_max_connections", "Pool size limit.", () -> pool.get().max());
    gauge(g, "scale_songs", "Songs in the similarity index.", songs::get);
  }

  private void gauge(Labels g, String name, String help, Supplier<? extends Number> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .constLabels(g)
        .callback(cb -> cb.call(value.get().doubleValue()))
        .register(registry);
  }

  /** One request done: its endpoint (a fixed name, never the raw path), status and duration. */
  public void record(String endpoint, int status, long nanos) {
    latency.labelValues(endpoint).observe(nanos / 1e9);
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    if (status >= 500) {
      errors.labelValues(endpoint).inc();
    }
  }

  /** The text exposition format 0.0.4, written by the client. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      PrometheusTextFormatWriter.create()
          .write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
