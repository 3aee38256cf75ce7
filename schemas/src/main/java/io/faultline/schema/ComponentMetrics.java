package io.faultline.schema;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * One component's Prometheus registry (the Prometheus Java client): the JVM's metrics, the Kafka
 * clients' own metrics ({@link KafkaClientMetrics}) and the component's figures, which it registers
 * on {@link #registry()}. Written in the text format 0.0.4 by the client's writer, so names, label
 * escaping and number formatting are the client's, not ours (docs/adr/0016).
 */
public final class ComponentMetrics {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final KafkaClientMetrics kafka = new KafkaClientMetrics();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** A registry with the JVM's metrics and the Kafka clients' bridge. */
  public ComponentMetrics() {
    JvmMetrics.builder().register(registry);
    registry.register(kafka);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Exports a Kafka client's metrics ({@code KafkaConsumer::metrics}, {@code
   * KafkaProducer::metrics} or {@code KafkaStreams::metrics}) as {@code kafka_<group>_<name>} with
   * the client's tags.
   */
  public ComponentMetrics kafkaClient(Supplier<Map<MetricName, ? extends Metric>> metrics) {
    kafka.add(metrics);
    return this;
  }

  /** The text exposition, as Prometheus scrapes it. */
  public byte[] scrapeBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public String scrape() {
    return new String(scrapeBytes(), StandardCharsets.UTF_8);
  }
}
