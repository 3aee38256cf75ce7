package io.faultline.collector;

import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes samples to the metrics topic, keyed by experiment+metric (+ the target's shard when
 * {@code topics.metrics.shards} is above 1: {@link MetricShards}), timestamped by observation.
 */
public final class KafkaSampleSink implements SampleSink {

  private static final Logger log = LoggerFactory.getLogger(KafkaSampleSink.class);

  private final Topics topics;
  private final KafkaProducer<String, MetricSample> producer;
  private final AtomicLong failures = new AtomicLong();
  private final int shards;

  public KafkaSampleSink(String bootstrapServers, Topics topics, Map<String, String> kafka) {
    this(bootstrapServers, topics, kafka, MetricShards.DEFAULT);
  }

  /** With {@code shards} shards per experiment and metric ({@code topics.metrics.shards}). */
  public KafkaSampleSink(
      String bootstrapServers, Topics topics, Map<String, String> kafka, int shards) {
    this.topics = topics;
    this.shards = shards;
    Map<String, Object> conf = new HashMap<>(kafka);
    conf.put("bootstrap.servers", bootstrapServers);
    conf.put("acks", "all");
    conf.put("enable.idempotence", "true");
    conf.put("linger.ms", "5");
    // sampling goes on while Kafka is away (a fault may hold it): a send waits at most 5 s
    conf.putIfAbsent("max.block.ms", "5000");
    conf.putIfAbsent("delivery.timeout.ms", "120000");
    this.producer =
        new KafkaProducer<>(
            conf, new StringSerializer(), topics.metrics().valueSerde().serializer());
  }

  /** The producer's own metrics (request latency, errors), for /metrics. */
  public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
      clientMetrics() {
    return producer.metrics();
  }

  /**
   * Waits until every partition of the metrics topic has a leader, at most {@code limit}: the first
   * records an idempotent producer writes to just-created partitions can be lost otherwise
   * (KAFKA-15591). Returns false (and logs) when the limit passed; producing goes on anyway.
   */
  public boolean awaitLeaders(Duration limit) {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    String missing = "not asked yet";
    while (System.currentTimeMillis() < deadline) {
      try {
        List<PartitionInfo> partitions = producer.partitionsFor(topics.metrics().name());
        missing =
            partitions.stream()
                .filter(p -> p.leader() == null || p.leader().isEmpty())
                .map(p -> p.topic() + "-" + p.partition())
                .findFirst()
                .orElse(null);
        if (missing == null && !partitions.isEmpty()) {
          return true;
        }
      } catch (KafkaException e) {
        missing = e.toString();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    log.warn("{} not led after {} ({}); producing anyway", topics.metrics().name(), limit, missing);
    return false;
  }

  @Override
  public void publish(MetricSample s) {
    producer.send(
        new ProducerRecord<>(
            topics.metrics().name(), null, s.getTimestamp(), MetricShards.key(s, shards), s),
        (meta, e) -> {
          if (e != null && failures.incrementAndGet() % 100 == 1) {
            log.warn("cannot publish {} samples so far; latest: {}", failures.get(), e.toString());
          }
        });
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
