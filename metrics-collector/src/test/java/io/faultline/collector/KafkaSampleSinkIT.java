package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class KafkaSampleSinkIT {

  @Test
  void samplesOfBothGroupsArriveKeyedByExperimentAndMetric() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it"), 1);
    HttpServer server = okServer();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    try (KafkaSampleSink sink =
            new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
        HttpLoadProbe probe =
            new HttpLoadProbe(
                "exp-7",
                bothGroups(uri),
                10,
                10,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                sink)) {
      probe.start();
      Thread.sleep(2500);
    } finally {
      server.stop(0);
    }
    List<ConsumerRecord<String, MetricSample>> records;
    try (var metrics = TopicFollower.start(topics.metrics())) {
      records = metrics.recordsUntil(rs -> rs.size() >= 40, Duration.ofSeconds(15));
    }
    assertThat(records).hasSizeGreaterThanOrEqualTo(40);
    assertThat(records).allMatch(r -> r.key().equals("exp-7|" + r.value().getMetric()));
    assertThat(records).allMatch(r -> r.timestamp() == r.value().getTimestamp());
    assertThat(records)
        .extracting(r -> r.value().getGroup())
        .contains(Group.CONTROL, Group.EXPERIMENTAL);
    assertThat(records)
        .extracting(r -> r.value().getMetric())
        .contains(
            "http.latency.ms", "http.error", "http.requests", "http.errors", "http.error.rate");
  }

  /**
   * docs/adr/0043: the probe's per-request samples reach the topic as one summary per target and
   * window, aligned to the window, with the window figures raw beside them; close publishes the
   * windows still open.
   */
  @Test
  void theProbesRequestsArriveAsOneSummaryPerTargetAndWindow() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("summaries"), 1);
    HttpServer server = okServer();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    try (KafkaSampleSink kafka =
            new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of());
        WindowSummarySink summaries =
            WindowSummarySink.start(
                kafka,
                new WindowSummarySink.Settings(Duration.ofSeconds(1), Duration.ofMillis(100)));
        HttpLoadProbe probe =
            new HttpLoadProbe(
                "exp-8",
                bothGroups(uri),
                20,
                10,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                summaries)) {
      probe.start();
      Thread.sleep(2500);
    } finally {
      server.stop(0);
    }
    List<ConsumerRecord<String, MetricSample>> records;
    try (var metrics = TopicFollower.start(topics.metrics())) {
      records =
          metrics.recordsUntil(
              rs ->
                  rs.stream()
                          .filter(r -> r.value().getSummary() != null)
                          .mapToLong(r -> r.value().getSummary().getCount())
                          .sum()
                      >= 40,
              Duration.ofSeconds(15));
    }
    List<MetricSample> latency =
        records.stream()
            .map(ConsumerRecord::value)
            .filter(s -> s.getMetric().equals("http.latency.ms") && s.getSummary() != null)
            .toList();
    assertThat(latency).extracting(MetricSample::getTarget).contains("c", "x");
    assertThat(latency)
        .allSatisfy(
            s -> {
              long start = s.getSummary().getWindowStart();
              assertThat(s.getSummary().getWindowMs()).isEqualTo(1_000);
              assertThat(start % 1_000).isZero();
              assertThat(s.getTimestamp()).isBetween(start, start + 999);
            });
    // one summary per target and window
    assertThat(latency)
        .extracting(s -> s.getTarget() + "@" + s.getSummary().getWindowStart())
        .doesNotHaveDuplicates();
    long stoodFor = latency.stream().mapToLong(s -> s.getSummary().getCount()).sum();
    assertThat(stoodFor).isGreaterThan(latency.size());
    // the window figures go raw
    assertThat(records)
        .filteredOn(r -> r.value().getMetric().equals("http.requests"))
        .isNotEmpty()
        .allMatch(r -> r.value().getSummary() == null);
  }

  @Test
  void oneExperimentOverManyTargetsSpreadsOverThePartitionsWhenSharded() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("shards"), 6);
    int targets = 200;
    try (KafkaSampleSink sink =
        new KafkaSampleSink(TestBroker.bootstrapServers(), topics, Map.of(), 8)) {
      sink.awaitLeaders(Duration.ofSeconds(30));
      for (int t = 0; t < targets; t++) {
        sink.publish(
            MetricSample.newBuilder()
                .setExperimentId("fleet")
                .setMetric("http.latency.ms")
                .setGroup(t % 2 == 0 ? Group.CONTROL : Group.EXPERIMENTAL)
                .setTarget("host-" + t)
                .setTimestamp(System.currentTimeMillis())
                .setValue(20)
                .build());
      }
    }
    List<ConsumerRecord<String, MetricSample>> records;
    try (var metrics = TopicFollower.start(topics.metrics())) {
      records = metrics.recordsUntil(rs -> rs.size() >= targets, Duration.ofSeconds(15));
    }
    assertThat(records).hasSize(targets);
    assertThat(records)
        .allMatch(r -> r.key().equals(MetricShards.key(r.value(), 8)))
        .allMatch(r -> r.key().startsWith("fleet|http.latency.ms|"));
    // one experiment's one metric: before sharding every record went to one partition
    assertThat(records.stream().map(ConsumerRecord::key).distinct().count()).isEqualTo(8);
    assertThat(records.stream().map(ConsumerRecord::partition).distinct().count())
        .isGreaterThanOrEqualTo(4);
  }

  /** A loopback HTTP server that answers every request 200, started. */
  private static HttpServer okServer() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    return server;
  }

  /** One target per group, both at {@code uri}: control "c", experimental "x". */
  private static List<ProbeTarget> bothGroups(URI uri) {
    return List.of(
        new ProbeTarget(Group.CONTROL, "c", uri), new ProbeTarget(Group.EXPERIMENTAL, "x", uri));
  }
}
