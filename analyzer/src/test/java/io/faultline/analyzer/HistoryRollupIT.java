package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.Topic;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The analyzer's history rollup on a real broker, exactly-once: results of two weeks, a restart
 * with an empty state directory, then a result and an alert arriving late for the first week; and
 * hundreds of results and alerts per commit, against the rollup without Kafka.
 */
@Tag("side-by-side")
class HistoryRollupIT {

  private static final long W45 = Instant.parse("2026-11-03T10:00:00Z").toEpochMilli();
  private static final long W47 = Instant.parse("2026-11-17T10:00:00Z").toEpochMilli();

  @Test
  void survivesARestartAndFilesALateResultInItsWeek() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("history"));
    try (var producer = LatencySamples.producer();
        var history = TopicFollower.startCommitted(topics.history())) {
      AnalyzerApp.Running analyzer = AnalyzerApp.run(config(topics));
      try {
        send(producer, topics, result("e1", W45, Verdict.DEVIATED));
        send(producer, topics, result("e2", W47, Verdict.STEADY));
        history.await(
            h -> h.getWeek().equals("all") && h.getExperiments() == 2, Duration.ofSeconds(90));
        analyzer.close();
        analyzer = AnalyzerApp.run(config(topics)); // empty state dir: restore from changelogs

        send(producer, topics, result("e3", W45, Verdict.STEADY)); // late: two weeks after
        send(producer, topics, alert("a1", W45 + 60_000, AlertStatus.FIRING));
        send(producer, topics, alert("a1", W45 + 60_000, AlertStatus.RESOLVED));
        history.await(
            h -> h.getWeek().equals("all") && h.getExperiments() == 3 && h.getAlerts() == 1,
            Duration.ofSeconds(120));
        Thread.sleep(3000); // a duplicate from a replay would arrive within a few commits

        var latest = history.latestByKey();
        ServiceHistory w45 = latest.get("scale|2026-W45").orElseThrow();
        ServiceHistory w47 = latest.get("scale|2026-W47").orElseThrow();
        ServiceHistory all = latest.get("scale|all").orElseThrow();
        assertThat(ids(w45)).containsExactly("e1", "e3");
        assertThat(w45.getHeld()).isEqualTo(1);
        assertThat(w45.getNotHeld()).isEqualTo(1);
        assertThat(ids(w47)).containsExactly("e2");
        assertThat(w45.getAlertCounts()).isEqualTo(java.util.Map.of("probe.latency", 1L));
        assertThat(w45.getTimeToResolveMs()).containsExactly(20_000L);
        assertThat(all.getExperiments())
            .as("no result counted twice across the restart")
            .isEqualTo(3);
      } finally {
        analyzer.close();
      }
    }
  }

  @Test
  void manyResultsAndAlertsPerCommitGiveTheFiguresOfTheRollupWithoutKafka() throws Exception {
    // each commit takes many records, so the store's decoded memo (docs/adr/0052) and the record
    // cache see many updates of one service's record between two commits
    Topics topics = TestTopics.provision(TestTopics.prefix("history-many"));
    Random random = new Random(52);
    List<ExperimentResult> results = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long start = (i % 2 == 0 ? W45 : W47) + random.nextInt(3_600_000);
      ExperimentResult r =
          ExperimentResult.newBuilder(result("m" + i, start, Verdict.DEVIATED))
              .setAttacks(
                  List.of(
                      AttackOutcome.newBuilder()
                          .setAttackId("m" + i + "-a1")
                          .setMttdMs(1_000L + random.nextInt(30_000))
                          .setMttrMs(5_000L + random.nextInt(60_000))
                          .build()))
              .build();
      if (i % 3 == 0) {
        results.add(result("m" + i, start, Verdict.UNKNOWN)); // running, replaced by its final
      }
      results.add(r);
    }
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long firedAt = W45 + random.nextInt(5 * 86_400) * 1000L;
      alerts.add(alert("many-" + i, firedAt, AlertStatus.FIRING));
      if (i % 2 == 0) {
        alerts.add(alert("many-" + i, firedAt, AlertStatus.RESOLVED));
      }
    }
    Map<String, ServiceHistory> expected =
        HistoryRollup.fold(results, alerts, ResultCalculator.SeverityLevels.DEFAULTS);
    try (var producer = LatencySamples.producer();
        var history = TopicFollower.startCommitted(topics.history())) {
      AnalyzerApp.Running analyzer = AnalyzerApp.run(config(topics));
      try {
        for (ExperimentResult r : results) {
          producer.send(record(topics.results(), r.getExperimentId(), r));
        }
        for (Alert a : alerts) {
          producer.send(record(topics.alerts(), a.getExperimentId() + "|" + a.getMetric(), a));
        }
        producer.flush();
        history.await(
            h ->
                h.getWeek().equals("all")
                    && h.getExperiments() == 300
                    && h.getAlerts() == 100
                    && h.getTimeToResolveMs().size() == 50,
            Duration.ofSeconds(120));
        Thread.sleep(3000); // a later record for a key would arrive within a few commits
        Map<String, java.util.Optional<ServiceHistory>> latest = history.latestByKey();
        assertThat(latest.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach(
            (key, h) -> assertThat(latest.get(key).orElseThrow()).as(key).isEqualTo(h));
      } finally {
        analyzer.close();
      }
    }
  }

  private static <V> ProducerRecord<String, byte[]> record(
      Topic<String, V> topic, String key, V value) {
    return new ProducerRecord<>(
        topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
  }

  private static AnalyzerConfig config(Topics topics) throws Exception {
    // the restarted instance joins the closed one's group: 6 s of session, not 45 s, to wait
    return AnalyzerConfig.fromMap(
        AnalyzerSettings.forTestBroker(topics).sessionAtBrokerMinimum().toMap());
  }

  private static ExperimentResult result(String id, long startedAt, Verdict verdict) {
    return ExperimentResult.newBuilder()
        .setExperimentId(id)
        .setVerdict(verdict)
        .setUpdatedAt(startedAt + 600_000)
        .setService("scale")
        .setStartedAt(startedAt)
        .build();
  }

  private static Alert alert(String id, long firedAt, AlertStatus status) {
    return Alert.newBuilder()
        .setAlertId(id)
        .setExperimentId("e3")
        .setMetric("probe.latency")
        .setStatus(status)
        .setFiredAt(firedAt)
        .setTimestamp(status == AlertStatus.RESOLVED ? firedAt + 20_000 : firedAt)
        .setService("scale")
        .setSev("SEV1")
        .build();
  }

  private static void send(KafkaProducer<String, byte[]> producer, Topics topics, Alert a)
      throws Exception {
    producer.send(record(topics.alerts(), a.getExperimentId() + "|" + a.getMetric(), a)).get();
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, Topics topics, ExperimentResult r) throws Exception {
    producer.send(record(topics.results(), r.getExperimentId(), r)).get();
  }

  /** The ids of a record's latest experiments, newest first. */
  private static java.util.List<String> ids(ServiceHistory h) {
    return HistoryRollupTest.ids(h);
  }
}
