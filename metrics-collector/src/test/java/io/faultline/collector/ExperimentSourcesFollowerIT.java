package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SourceSpec;
import io.faultline.schema.Topics;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A collector that follows the experiments topic on a real broker: it runs the sources an
 * experiment names while it runs and stops them when it ends, never re-runs an ended experiment on
 * start, and dead-letters a definition it cannot run.
 */
class ExperimentSourcesFollowerIT {

  private final String prefix = TestTopics.prefix("esf");
  private final Topics topics = new Topics(prefix, 2);
  private final AvroSerde<Experiment> serde = AvroSerde.of(Experiment.class);

  private static SourceSpec http(String control, String experimental, String rps) {
    return SourceSpec.newBuilder()
        .setType("http")
        .setIntervalMs(500L)
        .setSettings(Map.of("rps", rps))
        .setControl(Map.of("targets", control))
        .setExperimental(Map.of("targets", experimental))
        .build();
  }

  private static Experiment experiment(String id, ExperimentState state, SourceSpec... sources) {
    return Experiment.newBuilder()
        .setExperimentId(id)
        .setState(state)
        .setCreatedAt(System.currentTimeMillis())
        .setSources(List.of(sources))
        .build();
  }

  @Test
  void runsAnExperimentsSourcesWhileItRunsAndDeadLettersWhatItCannotRun() throws Exception {
    TestTopics.provision(prefix, 2);
    try (StubHttp app = new StubHttp(4, ex -> StubHttp.reply(ex, 200, "text/plain", "ok"));
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", TestBroker.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
      // an experiment that already ended before the collector starts: never collected
      SourceSpec old = http(app.url("/old-c"), app.url("/old-x"), "20");
      send(producer, "old", experiment("old", ExperimentState.RUNNING, old));
      send(producer, "old", experiment("old", ExperimentState.COMPLETED, old));

      Map<String, String> base = new HashMap<>();
      base.put("bootstrap.servers", TestBroker.bootstrapServers());
      base.put("topics.prefix", prefix);
      try (KafkaSampleSink sink =
              new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
          ExperimentSourcesFollower follower =
              ExperimentSourcesFollower.into(sink, base, topics, Duration.ofHours(1))) {
        Thread thread = follower.start("follower-under-test");

        SourceSpec host =
            SourceSpec.newBuilder()
                .setType("host")
                .setIntervalMs(500L)
                .setExperimental(
                    Map.of("processes", "collector@pid:" + ProcessHandle.current().pid()))
                .build();
        send(
            producer,
            "exp-a",
            experiment(
                "exp-a", ExperimentState.RUNNING, http(app.url("/c"), app.url("/x"), "20"), host));
        waitFor(() -> follower.runners().containsKey("exp-a"), "exp-a's sources to start");

        Experiment bad =
            experiment("exp-bad", ExperimentState.RUNNING, http(app.url("/b"), app.url("/b"), "x"));
        byte[] badBytes = serde.encode(bad);
        producer.send(new ProducerRecord<>(topics.experiments().name(), "exp-bad", badBytes)).get();
        byte[] garbage = "{not avro}".getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topics.experiments().name(), "exp-junk", garbage)).get();
        waitFor(() -> follower.deadLettered() >= 2, "two records in the dlq");
        assertThat(follower.runners()).containsOnlyKeys("exp-a");

        List<MetricSample> samples;
        try (var metrics = TopicFollower.start(topics.metrics())) {
          samples =
              metrics
                  .recordsUntil(
                      rs -> {
                        List<MetricSample> so = rs.stream().map(ConsumerRecord::value).toList();
                        return has(so, "http.latency.p99", Group.CONTROL)
                            && has(so, "http.latency.p99", Group.EXPERIMENTAL)
                            && has(so, "process.alive", Group.EXPERIMENTAL);
                      },
                      Duration.ofSeconds(30))
                  .stream()
                  .map(ConsumerRecord::value)
                  .toList();
        }
        assertThat(samples).allSatisfy(s -> assertThat(s.getExperimentId()).isEqualTo("exp-a"));
        assertThat(has(samples, "http.latency.p99", Group.CONTROL)).isTrue();
        assertThat(has(samples, "http.latency.p99", Group.EXPERIMENTAL)).isTrue();
        assertThat(
                samples.stream()
                    .filter(s -> s.getMetric().equals("process.alive"))
                    .map(MetricSample::getValue))
            .isNotEmpty()
            .allSatisfy(v -> assertThat(v).isEqualTo(1.0));
        assertThat(app.requests).contains("/c", "/x");

        send(producer, "exp-a", experiment("exp-a", ExperimentState.COMPLETED));
        waitFor(() -> follower.runners().isEmpty(), "exp-a's sources to stop");
        long afterStop = app.requests.stream().filter(r -> r.equals("/c")).count();
        Thread.sleep(1500); // 30 requests at 20/s if the probe still ran
        assertThat(app.requests.stream().filter(r -> r.equals("/c")).count())
            .isLessThanOrEqualTo(afterStop + 2); // at most those already in flight
        assertThat(app.requests).doesNotContain("/old-c", "/old-x", "/b");

        follower.close();
        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
      }
    }
    Experiment bad =
        experiment("exp-bad", ExperimentState.RUNNING, http("http://b/", "http://b/", "x"));
    Map<String, ConsumerRecord<byte[], byte[]>> dead = new HashMap<>();
    try (var dlq = TopicFollower.start(topics.dlq())) {
      for (var r :
          dlq.recordsUntil(
              rs -> rs.stream().map(r -> keyOf(r)).distinct().count() >= 2,
              Duration.ofSeconds(15))) {
        dead.put(keyOf(r), r);
      }
    }
    assertThat(dead).containsOnlyKeys("exp-bad", "exp-junk");
    var badRecord = dead.get("exp-bad");
    assertThat(DeadLetters.header(badRecord.headers(), DeadLetters.COMPONENT))
        .isEqualTo("collector");
    assertThat(DeadLetters.header(badRecord.headers(), DeadLetters.SOURCE_TOPIC))
        .isEqualTo(topics.experiments().name());
    assertThat(DeadLetters.header(badRecord.headers(), DeadLetters.REASON))
        .isEqualTo(
            "experiment 'exp-bad': sources[0].settings.rps (collector key probe.rps) 'x': must be"
                + " a number from 0.001 to 100000.0");
    assertThat(serde.decode(badRecord.value()).getSources().get(0).getSettings())
        .isEqualTo(bad.getSources().get(0).getSettings());
    assertThat(dead.get("exp-junk").value())
        .isEqualTo("{not avro}".getBytes(StandardCharsets.UTF_8));
    assertThat(DeadLetters.header(dead.get("exp-junk").headers(), DeadLetters.REASON))
        .startsWith("cannot decode an Experiment");
  }

  @Test
  void aTopicItCannotFollowMakesItUnhealthyWithTheReason() throws Exception {
    Map<String, String> base = new HashMap<>();
    base.put("bootstrap.servers", TestBroker.bootstrapServers());
    try (KafkaSampleSink sink =
            new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
        ExperimentSourcesFollower follower =
            ExperimentSourcesFollower.into(sink, base, topics, Duration.ofHours(1))) {
      assertThat(follower.health()).isNull();
      Thread thread = follower.start("follower-without-topic"); // the topics were never created
      thread.join(90_000);
      assertThat(thread.isAlive()).isFalse();
      assertThat(follower.health())
          .isEqualTo(
              "following "
                  + topics.experiments().name()
                  + " failed: topic "
                  + topics.experiments().name()
                  + " has no partitions (does it exist?)");
    }
  }

  private void send(KafkaProducer<String, byte[]> producer, String key, Experiment e)
      throws Exception {
    producer.send(new ProducerRecord<>(topics.experiments().name(), key, serde.encode(e))).get();
  }

  private static String keyOf(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private static boolean has(List<MetricSample> samples, String metric, Group group) {
    return samples.stream().anyMatch(s -> s.getMetric().equals(metric) && s.getGroup() == group);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after 30 s waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
