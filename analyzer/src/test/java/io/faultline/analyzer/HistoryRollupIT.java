package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ServiceHistory;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The analyzer's history rollup on a real broker, exactly-once: results of two weeks, a restart
 * with an empty state directory, then a result arriving late for the first week.
 */
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
        history.await(
            h -> h.getWeek().equals("all") && h.getExperiments() == 3, Duration.ofSeconds(120));
        Thread.sleep(3000); // a duplicate from a replay would arrive within a few commits

        var latest = history.latestByKey();
        ServiceHistory w45 = latest.get("scale|2026-W45").orElseThrow();
        ServiceHistory w47 = latest.get("scale|2026-W47").orElseThrow();
        ServiceHistory all = latest.get("scale|all").orElseThrow();
        assertThat(w45.getExperimentIds()).containsExactly("e1", "e3");
        assertThat(w45.getHeld()).isEqualTo(1);
        assertThat(w45.getNotHeld()).isEqualTo(1);
        assertThat(w47.getExperimentIds()).containsExactly("e2");
        assertThat(all.getExperiments())
            .as("no result counted twice across the restart")
            .isEqualTo(3);
      } finally {
        analyzer.close();
      }
    }
  }

  private static AnalyzerConfig config(Topics topics) throws Exception {
    return AnalyzerConfig.fromMap(AnalyzerSettings.forTestBroker(topics).toMap());
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

  private static void send(
      KafkaProducer<String, byte[]> producer, Topics topics, ExperimentResult r) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topics.results().name(),
                r.getExperimentId(),
                topics.results().valueSerde().serializer().serialize(topics.results().name(), r)))
        .get();
  }
}
