package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.Alert;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once across a restart: the same experiment (steady state, an attack that shifts latency,
 * recovery) is analysed twice on the same broker, once without interruption and once with the
 * analyzer stopped mid-attack and restarted with an empty state directory (stores restored from
 * their changelogs). Both publish the same final ExperimentResult, each window's verdict exactly
 * once, and the same alerts.
 */
class AnalyzerRestartEquivalenceIT {

  private static final String EXPERIMENT = "exp-eq";
  private static final int WINDOWS = 24;
  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);

  /** What one run published, read with read_committed. */
  record Published(
      ExperimentResult result, Map<Long, Integer> verdictsPerWindow, List<String> alerts) {}

  @Test
  void anInterruptedRunPublishesWhatAnUninterruptedOneDoes() throws Exception {
    long t0 = (System.currentTimeMillis() / 5000) * 5000 - 900_000;
    Published straight = run(t0, false);
    Published interrupted = run(t0, true);

    assertThat(straight.verdictsPerWindow()).hasSizeGreaterThanOrEqualTo(WINDOWS - 2);
    assertThat(interrupted.verdictsPerWindow().values())
        .as("each window judged exactly once")
        .containsOnly(1);
    assertThat(interrupted.verdictsPerWindow()).isEqualTo(straight.verdictsPerWindow());
    assertThat(interrupted.alerts()).as("same alerts, none twice").isEqualTo(straight.alerts());
    assertThat(straight.alerts()).anyMatch(a -> a.startsWith("FIRING"));
    ExperimentResult a = straight.result();
    ExperimentResult b = interrupted.result();
    a.setUpdatedAt(0L);
    b.setUpdatedAt(0L);
    assertThat(b).as("the final ExperimentResult").isEqualTo(a);
    assertThat(a.getAttacks()).isNotEmpty();
    assertThat(a.getAttacks().get(0).getMttdMs()).isNotNull();
  }

  private Published run(long t0, boolean interrupt) throws Exception {
    String prefix = "eq-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      AnalyzerApp.Running analyzer = AnalyzerApp.run(config(prefix));
      try {
        // the attack: started at window 8, stopped at the end of window 12
        event(producer, topics, AttackEventType.STARTED, t0 + 8 * 5000L);
        send(producer, topics, t0, 0, WINDOWS / 2);
        if (interrupt) {
          awaitVerdicts(topics, 5, Duration.ofSeconds(90));
          analyzer.close(); // mid-attack
          analyzer = AnalyzerApp.run(config(prefix)); // empty state dir: restore from changelogs
        }
        event(producer, topics, AttackEventType.STOPPED, t0 + 13 * 5000L);
        send(producer, topics, t0, WINDOWS / 2, WINDOWS);
        send(producer, topics, t0, WINDOWS + 3, WINDOWS + 4); // moves stream time: all close
        awaitVerdicts(topics, WINDOWS - 2, Duration.ofSeconds(120));
        Thread.sleep(4000); // a duplicate or a late result would arrive within a few commits
        return read(topics);
      } finally {
        analyzer.close();
      }
    }
  }

  private static AnalyzerConfig config(String prefix) throws Exception {
    return AnalyzerConfig.fromMap(
        Map.of(
            "bootstrap.servers",
            TestBroker.bootstrapServers(),
            "topics.prefix",
            prefix,
            "analyzer.application.id",
            prefix + "analyzer",
            "analyzer.state.dir",
            Files.createTempDirectory("analyzer-eq").toString()));
  }

  private static void event(
      KafkaProducer<String, byte[]> producer, Topics topics, AttackEventType type, long ts)
      throws Exception {
    AttackEvent e =
        AttackEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setExperimentId(EXPERIMENT)
            .setType(type)
            .setAttackId("attack-1")
            .setFault("cpu-burn")
            .setTimestamp(ts)
            .build();
    producer
        .send(
            new ProducerRecord<>(
                topics.attackEvents().name(), null, ts, EXPERIMENT, EVENTS.encode(e)))
        .get();
  }

  /**
   * Windows [from, to): latency 20 ms in both groups, 60 ms in the experimental one while attacked.
   */
  private static void send(
      KafkaProducer<String, byte[]> producer, Topics topics, long t0, int from, int to) {
    String key = Topics.metricKey(EXPERIMENT, "http.latency.ms");
    for (int w = from; w < to; w++) {
      Random random = new Random(w); // the same values in both runs
      for (int i = 0; i < 40; i++) {
        long ts = t0 + w * 5000L + i * 120L;
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          double mean = g == Group.EXPERIMENTAL && w >= 8 && w <= 12 ? 60 : 20;
          MetricSample s =
              MetricSample.newBuilder()
                  .setExperimentId(EXPERIMENT)
                  .setMetric("http.latency.ms")
                  .setGroup(g)
                  .setTarget(g.name())
                  .setTimestamp(ts)
                  .setValue(mean * (1 + 0.1 * random.nextGaussian()))
                  .build();
          producer.send(
              new ProducerRecord<>(topics.metrics().name(), null, ts, key, SAMPLES.encode(s)));
        }
      }
    }
    producer.flush();
  }

  private static KafkaConsumer<String, byte[]> consumer(Topics topics) {
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                TestBroker.bootstrapServers(),
                "group.id",
                "eq-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest",
                "isolation.level",
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    c.subscribe(
        List.of(topics.steadyState().name(), topics.alerts().name(), topics.results().name()));
    return c;
  }

  private static void awaitVerdicts(Topics topics, int n, Duration limit) {
    AvroSerde<WindowVerdict> serde = AvroSerde.of(WindowVerdict.class);
    int seen = 0;
    try (var c = consumer(topics)) {
      long deadline = System.nanoTime() + limit.toNanos();
      while (seen < n && System.nanoTime() < deadline) {
        for (var r : c.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(topics.steadyState().name())) {
            seen += serde.decode(r.value()).getExperimentId().equals(EXPERIMENT) ? 1 : 0;
          }
        }
      }
    }
    assertThat(seen)
        .as("window verdicts on " + topics.steadyState().name())
        .isGreaterThanOrEqualTo(n);
  }

  private static Published read(Topics topics) {
    AvroSerde<WindowVerdict> verdicts = AvroSerde.of(WindowVerdict.class);
    AvroSerde<Alert> alerts = AvroSerde.of(Alert.class);
    AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
    Map<Long, Integer> perWindow = new HashMap<>();
    List<String> alertLines = new ArrayList<>();
    ExperimentResult last = null;
    try (var c = consumer(topics)) {
      int empty = 0;
      while (empty < 6) {
        var records = c.poll(Duration.ofMillis(500));
        empty = records.isEmpty() ? empty + 1 : 0;
        for (var r : records) {
          if (r.topic().equals(topics.steadyState().name())) {
            perWindow.merge(verdicts.decode(r.value()).getWindowStart(), 1, Integer::sum);
          } else if (r.topic().equals(topics.alerts().name())) {
            Alert a = alerts.decode(r.value());
            alertLines.add(a.getStatus() + " " + a.getMetric() + " fired " + a.getFiredAt());
          } else {
            last = results.decode(r.value());
          }
        }
      }
    }
    assertThat(last).as("a result on " + topics.results().name()).isNotNull();
    return new Published(last, perWindow, alertLines);
  }
}
