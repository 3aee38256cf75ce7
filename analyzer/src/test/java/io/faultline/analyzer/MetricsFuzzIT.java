package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random and mutated records on {@code metrics}: the analyzer never stops, every record it
 * must refuse is in the dlq with its reason and nothing else is, and it still judges good samples
 * afterwards.
 */
@Tag("side-by-side")
class MetricsFuzzIT {

  private static final int RECORDS = 10_000;
  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);

  private static MetricSample sample(Group group, long ts, double value) {
    return LatencySamples.sample("fuzz", group, ts, value);
  }

  /** A record of one of eight kinds; {@code bad} says whether the analyzer must refuse it. */
  record Fuzz(byte[] value, boolean bad) {}

  static Fuzz fuzz(int i, Random r, long ts) {
    switch (i % 8) {
      case 0 -> {
        byte[] bytes = new byte[r.nextInt(300)];
        r.nextBytes(bytes);
        return new Fuzz(bytes, true);
      }
      case 1 -> {
        byte[] avro = SAMPLES.encode(sample(Group.CONTROL, ts, 10));
        return new Fuzz(Arrays.copyOf(avro, 10 + r.nextInt(avro.length - 12)), true);
      }
      case 2 -> {
        return new Fuzz(SAMPLES.encode(sample(Group.UNKNOWN, ts, 10)), true);
      }
      case 3 -> {
        double v = r.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY;
        return new Fuzz(SAMPLES.encode(sample(Group.EXPERIMENTAL, ts, v)), true);
      }
      case 4 -> {
        return new Fuzz(SAMPLES.encode(sample(Group.CONTROL, -r.nextInt(1000), 10)), true);
      }
      case 5 -> {
        String json =
            "{\"experimentId\":\"fuzz\",\"value\":\"" + "x".repeat(r.nextInt(5000)) + "\"}";
        return new Fuzz(json.getBytes(StandardCharsets.UTF_8), true);
      }
      case 6 -> {
        // valid but odd: a huge target name and labels; must be judged, not refused
        MetricSample s = sample(Group.EXPERIMENTAL, ts, 10 + r.nextDouble());
        s.setTarget("t".repeat(1000 + r.nextInt(9000)));
        s.setLabels(Map.of("k" + r.nextInt(), "v".repeat(r.nextInt(2000))));
        return new Fuzz(SAMPLES.encode(s), false);
      }
      default -> {
        return new Fuzz(new byte[0], true);
      }
    }
  }

  @Test
  void tenThousandBadRecordsGoToTheDlqAndTheAnalyzerKeepsJudging() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("mfuzz"));
    AnalyzerConfig config = AnalyzerConfig.fromMap(AnalyzerSettings.forTestBroker(topics).toMap());
    String key = Topics.metricKey("fuzz", "http.latency.ms");
    Random random = new Random(20261125);
    long t0 = (System.currentTimeMillis() / 5000) * 5000 - 300_000;
    int mustRefuse = 0;
    AtomicInteger unsent = new AtomicInteger();
    try (KafkaStreams streams = AnalyzerApp.start(config);
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of(
                    "bootstrap.servers", TestBroker.bootstrapServers(), "linger.ms", "20"),
                new StringSerializer(),
                new ByteArraySerializer());
        var dlq = TopicFollower.startCommitted(topics.dlq());
        var verdicts = TopicFollower.startCommitted(topics.steadyState())) {
      for (int i = 0; i < RECORDS; i++) {
        long ts = t0 + i * 10L;
        Fuzz f = fuzz(i, random, ts);
        mustRefuse += f.bad() ? 1 : 0;
        producer.send(
            new ProducerRecord<>(topics.metrics().name(), null, ts, key, f.value()),
            (m, e) -> {
              if (e != null) {
                unsent.incrementAndGet();
              }
            });
      }
      // then good samples of both groups over 10 windows, so windows close and are judged
      long t1 = t0 + RECORDS * 10L + 5000;
      LatencySamples.send(producer, topics, "fuzz", t1, 0, 10, w -> 20);
      assertThat(unsent.get()).as("records the test producer failed to send").isZero();

      long deadline = System.currentTimeMillis() + 120_000;
      while (System.currentTimeMillis() < deadline
          && (dlq.records().size() < mustRefuse
              || verdicts.values().stream().noneMatch(v -> v.getExperimentId().equals("fuzz")))) {
        assertThat(streams.state())
            .as("the analyzer keeps running")
            .isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
        Thread.sleep(500);
      }
      Thread.sleep(2000); // a little longer: nothing more may arrive in the dlq
      int dead = dlq.records().size();
      boolean judged = verdicts.values().stream().anyMatch(v -> v.getExperimentId().equals("fuzz"));
      Map<String, Integer> reasons = new HashMap<>();
      for (var r : dlq.records()) {
        var reason = r.headers().lastHeader(DeadLetters.REASON);
        String text =
            reason == null ? "(none)" : new String(reason.value(), StandardCharsets.UTF_8);
        reasons.merge(
            text.replaceAll("[-0-9.]+", "#").substring(0, Math.min(40, text.length())),
            1,
            Integer::sum);
      }
      System.out.println("dlq reasons: " + reasons);
      assertThat(dead).as("every refused record in the dlq, and only those").isEqualTo(mustRefuse);
      assertThat(reasons).doesNotContainKey("(none)");
      assertThat(judged).as("good samples after the fuzz are still judged").isTrue();
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
  }
}
