package io.faultline.schema;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The key of the {@code metrics} topic, sharded by target (docs/adr/0032): {@code
 * experimentId|metric} with one shard (today's layout), {@code experimentId|metric|shard} with
 * more, where shard = murmur2(UTF-8 bytes of the sample's target, else its {@code instance} label)
 * made positive, modulo the shard count: the hash Kafka's default partitioner uses, the same on
 * every JVM and in every client that implements it. One experiment's samples of one metric then
 * spread over up to {@code shards} partitions; the analyzer merges the shards' window summaries
 * before it judges. A key without a shard (written by an older collector) is shard 0.
 *
 * <p>The shard count is one config key for the collector and the analyzer, {@code
 * topics.metrics.shards}.
 */
public final class MetricShards {

  /** Config key of the shard count, read by the collector and the analyzer. */
  public static final String KEY = "topics.metrics.shards";

  /** The default: one shard, the unsharded key {@code experimentId|metric}. */
  public static final int DEFAULT = 1;

  /** The most shards a metric can have. */
  public static final int MAX = 256;

  private MetricShards() {}

  /** {@code topics.metrics.shards} from a component's config: 1 to 256, default 1. */
  public static int of(ConfigReader config) {
    return config.wholeNumber(KEY, Integer.toString(DEFAULT), 1, MAX);
  }

  /** The shard of a sample: its target (else its {@code instance} label) hashed, modulo shards. */
  public static int shard(MetricSample sample, int shards) {
    if (shards <= 1) {
      return 0;
    }
    String target = sample.getTarget();
    if (target == null || target.isEmpty()) {
      String instance = sample.getLabels() == null ? null : sample.getLabels().get("instance");
      target = instance == null ? "" : instance;
    }
    return Utils.toPositive(Utils.murmur2(target.getBytes(StandardCharsets.UTF_8))) % shards;
  }

  /** The {@code metrics} key of a sample with {@code shards} shards (1: the unsharded key). */
  public static String key(MetricSample sample, int shards) {
    String key = Topics.metricKey(sample.getExperimentId(), sample.getMetric());
    return shards <= 1 ? key : key + "|" + shard(sample, shards);
  }

  /**
   * The key without its shard: {@code experimentId|metric}, the key of the merged window and of
   * {@code steadystate}. A key with no shard (two parts) is returned as it is.
   */
  public static String unsharded(String key) {
    int shardBar = shardBar(key);
    return shardBar < 0 ? key : key.substring(0, shardBar);
  }

  /** The shard a key names; 0 for a key without one. */
  public static int shardOf(String key) {
    int shardBar = shardBar(key);
    return shardBar < 0 ? 0 : Integer.parseInt(key.substring(shardBar + 1));
  }

  /**
   * The position of the bar before the shard, or -1: the key has three parts and the last is a
   * number of at most three digits (metric names cannot hold a bar: experiment.schema.json).
   */
  private static int shardBar(String key) {
    int first = key.indexOf('|');
    int last = key.lastIndexOf('|');
    if (first < 0 || last == first || key.length() - last - 1 > 3 || last == key.length() - 1) {
      return -1;
    }
    for (int i = last + 1; i < key.length(); i++) {
      if (key.charAt(i) < '0' || key.charAt(i) > '9') {
        return -1;
      }
    }
    return last;
  }
}
