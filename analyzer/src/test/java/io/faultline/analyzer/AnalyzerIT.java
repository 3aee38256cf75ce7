package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.DeadLetters;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The analyzer against a real in-process broker, with exactly-once on. */
@Tag("side-by-side")
class AnalyzerIT {

  @Test
  void verdictFlipsForAnInjectedLatencyShiftAndPoisonGoesToDlq() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it"));
    AnalyzerConfig config = AnalyzerConfig.fromMap(AnalyzerSettings.forTestBroker(topics).toMap());
    try (KafkaStreams streams = AnalyzerApp.start(config);
        var producer = LatencySamples.producer();
        var verdicts = TopicFollower.startCommitted(topics.steadyState());
        var dead = TopicFollower.startCommitted(topics.dlq())) {
      long t0 = (System.currentTimeMillis() / 5000) * 5000 - 120_000;
      String key = Topics.metricKey("exp-it", LatencySamples.METRIC);
      producer.send(new ProducerRecord<>(topics.metrics().name(), key, "garbage".getBytes()));
      // shift in windows 4..6
      LatencySamples.send(producer, topics, "exp-it", t0, 0, 12, w -> w >= 4 && w < 7 ? 50 : 20);

      verdicts.awaitAtLeast(11, v -> true, Duration.ofSeconds(60));
      var poison = dead.awaitRecord(r -> true, Duration.ofSeconds(60));
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      List<WindowVerdict> judged =
          verdicts.values().stream()
              .sorted(Comparator.comparingLong(WindowVerdict::getWindowStart))
              .toList();
      assertThat(judged)
          .extracting(WindowVerdict::getState)
          .containsExactly(
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.INSUFFICIENT_DATA,
              SteadyState.DEVIATING,
              SteadyState.DEVIATING,
              SteadyState.DEVIATING,
              SteadyState.STEADY,
              SteadyState.STEADY,
              SteadyState.STEADY,
              SteadyState.STEADY);
      assertThat(dead.records()).hasSize(1);
      assertThat(new String(poison.value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
      assertThat(
              new String(
                  poison.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
          .contains("MetricSample");
    }
  }

  @Test
  void publishesTheLatestResultPerCommitNotOnePerVerdict() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("it-commit"));
    // a long commit interval (below the 10 s transaction timeout): 11 verdicts in 1 to 3 commits
    AnalyzerConfig config =
        AnalyzerConfig.fromMap(
            AnalyzerSettings.forTestBroker(topics).set("kafka.commit.interval.ms", "8000").toMap());
    try (KafkaStreams streams = AnalyzerApp.start(config);
        var producer = LatencySamples.producer();
        var verdicts = TopicFollower.startCommitted(topics.steadyState());
        var results = TopicFollower.startCommitted(topics.results())) {
      long t0 = (System.currentTimeMillis() / 5000) * 5000 - 120_000;
      LatencySamples.send(
          producer, topics, "exp-commit", t0, 0, 12, w -> w >= 4 && w < 7 ? 50 : 20);

      verdicts.awaitAtLeast(11, v -> true, Duration.ofSeconds(90));
      ExperimentResult last =
          results.await(
              r -> r.getMetrics().size() == 1 && r.getMetrics().get(0).getWindows() == 11,
              Duration.ofSeconds(90));

      assertThat(last.getMetrics().get(0).getDeviatingWindows()).isEqualTo(3);
      assertThat(results.values())
          .as("one result per commit, not one per verdict")
          .hasSizeBetween(1, 3);
    }
  }
}
