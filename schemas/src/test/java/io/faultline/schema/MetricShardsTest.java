package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricShardsTest {

  private static MetricSample sample(String target, Map<String, String> labels) {
    return MetricSample.newBuilder()
        .setExperimentId("exp")
        .setMetric("http.latency.ms")
        .setGroup(Group.CONTROL)
        .setTarget(target)
        .setTimestamp(1)
        .setValue(1)
        .setLabels(Map.copyOf(labels))
        .build();
  }

  @Test
  void oneShardKeepsTheUnshardedKey() {
    assertThat(MetricShards.key(sample("host-1", Map.of()), 1)).isEqualTo("exp|http.latency.ms");
  }

  @Test
  void theShardIsKafkasMurmur2OfTheTargetModuloTheShards() {
    // fixed values: a change of the hash would move every running experiment's keys
    assertThat(MetricShards.key(sample("host-1", Map.of()), 8))
        .isEqualTo("exp|http.latency.ms|" + MetricShards.shard(sample("host-1", Map.of()), 8));
    assertThat(MetricShards.shard(sample("host-1", Map.of()), 8)).isEqualTo(HOST_1_OF_8);
    assertThat(MetricShards.shard(sample("", Map.of("instance", "host-1")), 8))
        .isEqualTo(HOST_1_OF_8);
  }

  static final int HOST_1_OF_8 = 5;

  @Test
  void manyTargetsSpreadOverEveryShard() {
    int[] perShard = new int[8];
    for (int i = 0; i < 1000; i++) {
      perShard[MetricShards.shard(sample("host-" + i, Map.of()), 8)]++;
    }
    for (int count : perShard) {
      assertThat(count).isBetween(80, 170);
    }
  }

  @Test
  void aKeyWithoutAShardIsShardZero() {
    assertThat(MetricShards.shardOf("exp|http.latency.ms")).isZero();
    assertThat(MetricShards.unsharded("exp|http.latency.ms")).isEqualTo("exp|http.latency.ms");
    assertThat(MetricShards.shardOf("exp|http.latency.ms|7")).isEqualTo(7);
    assertThat(MetricShards.unsharded("exp|http.latency.ms|7")).isEqualTo("exp|http.latency.ms");
    assertThat(MetricShards.unsharded("exp|http.latency.ms|x")).isEqualTo("exp|http.latency.ms|x");
    assertThat(MetricShards.unsharded("exp")).isEqualTo("exp");
  }

  @Test
  void theShardCountIsReadFromOneKey() {
    assertThat(MetricShards.of(new ConfigReader(Map.of()))).isEqualTo(1);
    assertThat(MetricShards.of(new ConfigReader(Map.of("topics.metrics.shards", "8"))))
        .isEqualTo(8);
    assertThatThrownBy(
            () -> MetricShards.of(new ConfigReader(Map.of("topics.metrics.shards", "0"))))
        .hasMessageContaining("topics.metrics.shards");
  }
}
