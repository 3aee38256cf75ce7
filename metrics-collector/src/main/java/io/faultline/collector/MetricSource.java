package io.faultline.collector;

import io.faultline.schema.MetricSample;
import java.time.Duration;
import java.util.List;

/**
 * One source of samples (Prometheus, Kubernetes, CloudWatch, /proc, the HTTP probe's windows). The
 * {@link SourceRunner} calls {@link #collect()} every {@link #interval()} on the source's own
 * thread, under a timeout, so a slow source never delays another.
 */
public interface MetricSource extends AutoCloseable {

  /**
   * Short name used in errors and in {@code collector.source.errors} samples, e.g. "prometheus".
   */
  String name();

  Duration interval();

  /**
   * How long one round may take before it counts as failed; at most the interval. Requests inside a
   * round have their own, shorter timeouts ({@code <source>.timeout}).
   */
  default Duration timeout() {
    return interval();
  }

  /** Begins any background work (the probe's traffic). Called once, before the first collect. */
  default void start() {}

  /**
   * One round of observations. Throws when the source cannot observe; the runner turns that into
   * error samples.
   */
  List<MetricSample> collect() throws Exception;

  @Override
  default void close() {}
}
