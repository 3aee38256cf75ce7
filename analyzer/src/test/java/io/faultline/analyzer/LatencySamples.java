package io.faultline.analyzer;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the analyzer's integration tests feed it: http.latency.ms of both groups, 40 samples per 5 s
 * window each, control around 20 ms and the experimental group around a mean per window, with 10%
 * noise seeded by the window (so two runs of one test send the same values).
 */
final class LatencySamples {

  static final String METRIC = "http.latency.ms";
  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);

  private LatencySamples() {}

  /** A producer of raw values (so a test can send garbage too) to the test broker. */
  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Windows [from, to) after {@code t0}; {@code experimentalMean} of the window index. */
  static void send(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String experiment,
      long t0,
      int from,
      int to,
      IntToDoubleFunction experimentalMean) {
    send(producer, topics, experiment, t0, from, to, experimentalMean, 1);
  }

  /**
   * The same values keyed as a collector with {@code shards} shards keys them (docs/adr/0032):
   * above 1 each group's samples come from {@value #TARGETS_PER_GROUP} targets in turn, so one
   * experiment's metric spreads over several shards, hence partitions.
   */
  static void send(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String experiment,
      long t0,
      int from,
      int to,
      IntToDoubleFunction experimentalMean,
      int shards) {
    for (int w = from; w < to; w++) {
      Random random = new Random(w);
      for (int i = 0; i < 40; i++) {
        long ts = t0 + w * 5000L + i * 120L;
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          double mean = g == Group.CONTROL ? 20 : experimentalMean.applyAsDouble(w);
          MetricSample s = sample(experiment, g, ts, mean * (1 + 0.1 * random.nextGaussian()));
          if (shards > 1) {
            s.setTarget(g.name().toLowerCase(java.util.Locale.ROOT) + "-" + i % TARGETS_PER_GROUP);
          }
          send(producer, topics, s, shards);
        }
      }
    }
    producer.flush();
  }

  private static final int TARGETS_PER_GROUP = 4;

  /** One sample, keyed as a collector with {@code shards} shards keys it, at its own time. */
  static void send(
      KafkaProducer<String, byte[]> producer, Topics topics, MetricSample s, int shards) {
    producer.send(
        new ProducerRecord<>(
            topics.metrics().name(),
            null,
            s.getTimestamp(),
            MetricShards.key(s, shards),
            SAMPLES.encode(s)));
  }

  static MetricSample sample(String experiment, Group group, long ts, double value) {
    return MetricSample.newBuilder()
        .setExperimentId(experiment)
        .setMetric(METRIC)
        .setGroup(group)
        .setTarget(group.name())
        .setTimestamp(ts)
        .setValue(value)
        .build();
  }
}
