package io.faultline.analyzer;

import io.faultline.schema.MetricShards;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catches a collector that keys {@code metrics} with more shards than this analyzer merges
 * (docs/adr/0039): a key whose shard is at or above the analyzer's {@code topics.metrics.shards},
 * or any sharded key when the analyzer has one shard (its unsharded topology would judge each shard
 * as a metric of its own). Such a sample is not judged: the caller sends it to the dlq whole, this
 * class counts it ({@value AnalyzerMetrics#SAMPLES_SHARD_MISMATCH}) and logs an error naming both
 * counts and the config key, the first time and then at most once a minute, so a misconfigured
 * fleet is visible without a log line per sample. Fewer shards in the collector than here is no
 * mismatch: the merge takes whatever shards arrive.
 */
final class ShardCountGuard {

  private static final Logger log = LoggerFactory.getLogger(ShardCountGuard.class);
  private static final long LOG_EVERY_MS = 60_000;

  private final int shards;
  private final AnalyzerMetrics metrics;
  // shared by the tasks of one instance: one error a minute per instance, not per task
  private final AtomicLong lastLogMs;
  private final AtomicLong sinceLog = new AtomicLong();

  ShardCountGuard(int shards, AnalyzerMetrics metrics) {
    this.shards = shards;
    this.metrics = metrics;
    this.lastLogMs = new AtomicLong(Long.MIN_VALUE);
    metrics.increment(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH, 0); // the series exists from start
  }

  /** Null when {@code key} fits this analyzer's shard count, else why it does not (dlq reason). */
  String mismatch(String key) {
    int shard = key == null ? -1 : AnalyzerTopology.partialSlot(key);
    if (shard < 0 || (shards > 1 && shard < shards)) {
      // -1: unsharded keys (an older or one-shard collector) have their own slot
      return null;
    }
    String reason =
        "metrics key '"
            + key
            + "' has shard "
            + shard
            + " but this analyzer's "
            + MetricShards.KEY
            + " is "
            + shards
            + ": the collector keys with at least "
            + (shard + 1)
            + " shards; give the collector and the analyzer the same "
            + MetricShards.KEY;
    metrics.increment(AnalyzerMetrics.SAMPLES_SHARD_MISMATCH, 1);
    sinceLog.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastLogMs.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_MS)
        && lastLogMs.compareAndSet(last, now)) {
      log.error(
          "{} ({} such samples sent to the dlq since the last message)",
          reason,
          sinceLog.getAndSet(0));
    }
    return reason;
  }
}
