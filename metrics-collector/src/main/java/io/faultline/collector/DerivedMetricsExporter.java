package io.faultline.collector;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ComponentAcls;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the analyzer's verdicts ({@code steadystate}) and results ({@code results}) and hands them
 * as {@link DerivedMetrics} to a sink, in practice the {@link CloudWatchMetricPublisher} ({@code
 * cloudwatch.put.derived=true}). One consumer group ({@link #GROUP}), so several collectors export
 * each record once; a new group starts at the latest records (no backfill). A record it cannot
 * decode is counted and logged, not exported; it stays on its topic, nothing is lost.
 */
public final class DerivedMetricsExporter implements Runnable, AutoCloseable {

  /** The exporter's consumer group (the collector's ACLs allow it). */
  public static final String GROUP = ComponentAcls.COLLECTOR_DERIVED_GROUP;

  private static final Logger log = LoggerFactory.getLogger(DerivedMetricsExporter.class);

  private final Map<String, Object> consumerConfig;
  private final Topics topics;
  private final SampleSink sink;
  private final AvroSerde<WindowVerdict> verdicts = AvroSerde.of(WindowVerdict.class);
  private final AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean closed;

  /**
   * @param base the collector's config: bootstrap.servers and kafka.* (TLS, SASL)
   */
  public DerivedMetricsExporter(Map<String, String> base, Topics topics, SampleSink sink) {
    Map<String, Object> conf = new HashMap<>(ConfigSource.subset(base, "kafka."));
    conf.put("bootstrap.servers", base.get("bootstrap.servers"));
    conf.put("group.id", GROUP);
    conf.put("auto.offset.reset", "latest");
    conf.put("allow.auto.create.topics", "false");
    conf.put("client.id", "faultline-collector-derived");
    this.consumerConfig = Map.copyOf(conf);
    this.topics = topics;
    this.sink = sink;
  }

  /** Samples handed to the sink so far. */
  public long exported() {
    return exported.get();
  }

  /** Records skipped because they could not be decoded. */
  public long undecodable() {
    return undecodable.get();
  }

  /** Runs {@link #run} on a daemon thread of this name. */
  public Thread start(String threadName) {
    Thread t = DaemonThreads.named(threadName).newThread(this);
    t.setUncaughtExceptionHandler(
        (thread, e) -> log.error("exporting derived metrics stopped: {}", e.toString(), e));
    t.start();
    return t;
  }

  @Override
  public void run() {
    String steadyState = topics.steadyState().name();
    String resultsTopic = topics.results().name();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (closed) {
        return;
      }
      c.subscribe(List.of(steadyState, resultsTopic));
      log.info("exporting verdicts and results from {} and {}", steadyState, resultsTopic);
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (r.value() == null) {
            continue;
          }
          List<MetricSample> samples;
          try {
            samples =
                r.topic().equals(resultsTopic)
                    ? DerivedMetrics.of(results.decode(r.value()))
                    : DerivedMetrics.of(verdicts.decode(r.value()));
          } catch (RuntimeException e) {
            if (undecodable.incrementAndGet() % 100 == 1) {
              log.warn(
                  "{}-{}@{}: not exported, cannot decode it ({} so far): {}",
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  undecodable.get(),
                  e.getMessage());
            }
            continue;
          }
          samples.forEach(sink::publish);
          exported.addAndGet(samples.size());
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}
