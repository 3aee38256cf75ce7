package io.faultline.collector;

import io.faultline.schema.MetricSample;

/** Where samples go: Kafka in production, a list in tests. */
public interface SampleSink extends AutoCloseable {

  void publish(MetricSample sample);

  @Override
  default void close() {}
}
