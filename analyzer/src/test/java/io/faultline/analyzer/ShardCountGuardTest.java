package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A collector keying {@code metrics} with more shards than the analyzer merges (docs/adr/0039): the
 * samples of the shards the analyzer does not know go to the dlq whole, are counted on /metrics and
 * the rest is judged as before.
 */
class ShardCountGuardTest {

  private static final String EXPERIMENT = "exp-shards";
  private static final String METRIC = "http.latency.ms";
  private static final long T0 = 1_700_000_000_000L; // a multiple of 5 s
  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);

  private final Topics topics = new Topics("t.", 1);

  private static byte[] sample(Group group, long ts) {
    return SAMPLES.encode(
        MetricSample.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setMetric(METRIC)
            .setGroup(group)
            .setTarget(group.name())
            .setTimestamp(ts)
            .setValue(20)
            .setUnit("ms")
            .build());
  }

  /** Windows [0, windows) of 10 samples per group, all under {@code key}. */
  private static void windows(TestInputTopic<String, byte[]> metrics, String key, int windows) {
    for (int w = 0; w < windows; w++) {
      for (int i = 0; i < 10; i++) {
        long ts = T0 + w * 5000L + i * 400L;
        metrics.pipeInput(key, sample(Group.CONTROL, ts), ts);
        metrics.pipeInput(key, sample(Group.EXPERIMENTAL, ts), ts);
      }
    }
  }

  @Test
  void aShardBeyondTheAnalyzersCountGoesToTheDlqCountedAndTheRestIsJudged() throws Exception {
    try (TopologyDriver analyzer =
        TopologyDriver.start(topics, Map.of("topics.metrics.shards", "8"))) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      String beyond = Topics.metricKey(EXPERIMENT, METRIC) + "|9";
      byte[] raw = sample(Group.CONTROL, T0);
      metrics.pipeInput(beyond, raw, T0);
      metrics.pipeInput(beyond, sample(Group.EXPERIMENTAL, T0 + 1), T0 + 1);
      windows(metrics, Topics.metricKey(EXPERIMENT, METRIC) + "|7", 4);

      List<TestRecord<String, byte[]>> dead = analyzer.rawOutput(topics.dlq()).readRecordsToList();
      assertThat(dead).hasSize(2);
      assertThat(dead.get(0).value()).as("the sample whole, nothing lost").isEqualTo(raw);
      assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON))
          .contains("shard 9", "topics.metrics.shards is 8", "at least 10 shards");
      assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
          .isEqualTo(topics.metrics().name());
      assertThat(analyzer.registry.value(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH)).isEqualTo(2);
      assertThat(analyzer.registry.scrape()).contains("faultline_samples_shard_mismatch_total 2.0");
      List<WindowVerdict> verdicts = analyzer.output(topics.steadyState()).readValuesToList();
      assertThat(verdicts).as("shard 7 of 8 judged as before").hasSize(3);
      assertThat(verdicts).allMatch(v -> v.getMetric().equals(METRIC));
    }
  }

  @Test
  void anUnshardedAnalyzerSendsEveryShardedKeyToTheDlq() throws Exception {
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of())) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      // shard 0 too: one shard's samples alone, judged as the metric, would be a wrong verdict
      metrics.pipeInput(Topics.metricKey(EXPERIMENT, METRIC) + "|0", sample(Group.CONTROL, T0), T0);
      metrics.pipeInput(Topics.metricKey(EXPERIMENT, METRIC) + "|3", sample(Group.CONTROL, T0), T0);
      windows(metrics, Topics.metricKey(EXPERIMENT, METRIC), 4);

      List<TestRecord<String, byte[]>> dead = analyzer.rawOutput(topics.dlq()).readRecordsToList();
      assertThat(dead).hasSize(2);
      assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON))
          .contains("shard 3", "topics.metrics.shards is 1", "at least 4 shards");
      assertThat(analyzer.registry.value(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH)).isEqualTo(2);
      assertThat(analyzer.output(topics.steadyState()).readValuesToList()).hasSize(3);
    }
  }

  @Test
  void fewerShardsInTheCollectorAndOldKeysAreNoMismatch() {
    AnalyzerMetrics metrics = new AnalyzerMetrics();
    ShardCountGuard guard = new ShardCountGuard(8, metrics);
    assertThat(guard.mismatch("exp|m")).isNull();
    assertThat(guard.mismatch("exp|m|0")).isNull();
    assertThat(guard.mismatch("exp|m|7")).isNull();
    assertThat(guard.mismatch("exp|m|8")).contains("shard 8");
    assertThat(new ShardCountGuard(1, metrics).mismatch("exp|m")).isNull();
    assertThat(metrics.value(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH)).isEqualTo(1);
  }
}
