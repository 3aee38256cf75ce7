package io.faultline.collector;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The collector's figures on its /metrics, next to the JVM's and its producer's: samples published
 * and observations that failed, per source, and source rounds by outcome.
 */
public final class CollectorMetrics {

  private final Counter samples;
  private final Counter errors;
  private final Counter rounds;

  public CollectorMetrics(PrometheusRegistry registry) {
    samples =
        Counter.builder()
            .name("faultline_collector_samples_total")
            .help("Samples a source produced and the collector published, per source")
            .labelNames("source")
            .register(registry);
    errors =
        Counter.builder()
            .name("faultline_collector_source_errors_total")
            .help("Observations a source failed to make (error samples, whole failed rounds)")
            .labelNames("source")
            .register(registry);
    rounds =
        Counter.builder()
            .name("faultline_collector_rounds_total")
            .help("Source rounds, by outcome: ok, partial (some errors) or failed")
            .labelNames("source", "outcome")
            .register(registry);
  }

  /** Counts into a registry of its own, which nobody scrapes (tests, embedded use). */
  public static CollectorMetrics unscraped() {
    return new CollectorMetrics(new PrometheusRegistry());
  }

  void round(String source, int published, int failed) {
    samples.labelValues(source).inc(published);
    errors.labelValues(source).inc(failed);
    rounds.labelValues(source, failed == 0 ? "ok" : "partial").inc();
  }

  void failed(String source) {
    errors.labelValues(source).inc();
    rounds.labelValues(source, "failed").inc();
  }

  double samples(String source) {
    return samples.labelValues(source).get();
  }
}
