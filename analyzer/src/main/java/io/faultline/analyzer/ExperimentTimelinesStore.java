package io.faultline.analyzer;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The experiments' timelines of a task held as objects in front of the changelogged store {@code
 * experiment-timelines} (docs/adr/0100, the idea of {@link OpenWindowsStore}): a get decodes a
 * timeline at most once until it is dropped, a put only marks it dirty, and the dirty timelines are
 * encoded and written once each when Kafka Streams flushes the task's caches, which it does before
 * every commit (and before a clean close), before it flushes the producer and commits the
 * transaction. So an experiment whose five metrics are judged in one commit interval costs one
 * decode and one encode, not five of each, and its result reads the object, not the bytes.
 *
 * <p>The store stays the truth. What is written at the flush is in the transaction that commits the
 * offsets of the verdicts, events and runs that changed it; a crash or a task closed dirty loses
 * the dirty timelines with those offsets, and {@link #init}, {@link #close} and {@link #clearCache}
 * drop everything held, so the timelines are read back from the store. Any read of several keys
 * (range, all, prefix scan, the count) writes every dirty timeline first.
 *
 * <p>A value read is the object held, not a copy: {@link ResultProcessor} changes it only when it
 * puts it back, {@link ResultPublisher} only reads it.
 */
final class ExperimentTimelinesStore
    extends HeldStore<KeyValueStore<String, ExperimentTimeline>, ExperimentTimeline> {

  /** Clean timelines kept decoded per task; beyond either bound the least recently used go. */
  static final int CLEAN_TIMELINES = 10_000;

  /** The clean timelines' estimated size per task ({@link #estimatedBytes}), 32 MiB. */
  static final long CLEAN_BYTES = 32L * 1024 * 1024;

  ExperimentTimelinesStore(KeyValueStore<String, ExperimentTimeline> store) {
    this(store, CLEAN_TIMELINES, CLEAN_BYTES);
  }

  ExperimentTimelinesStore(
      KeyValueStore<String, ExperimentTimeline> store, int cleanTimelines, long cleanBytes) {
    super(store, cleanTimelines, cleanBytes, ExperimentTimelinesStore::estimatedBytes);
  }

  /**
   * The store built by {@code inner} (which must not cache: this layer is the cache) behind this
   * layer.
   */
  static StoreBuilder<KeyValueStore<String, ExperimentTimeline>> builder(
      StoreBuilder<KeyValueStore<String, ExperimentTimeline>> inner) {
    return HeldStore.builder(inner, "timelines", ExperimentTimelinesStore::new);
  }

  /**
   * A timeline's heap, roughly: a judged window (map entry, status, three sets) about 250 bytes, a
   * kept window mean (boxed, in a list) about 24, a firing about 48.
   */
  static long estimatedBytes(ExperimentTimeline t) {
    long bytes = 256;
    bytes += (t.windows == null ? 0 : t.windows.size()) * 250L;
    bytes += (t.attacks == null ? 0 : t.attacks.size()) * 160L;
    if (t.metrics != null) {
      for (ExperimentTimeline.MetricTrack m : t.metrics.values()) {
        bytes += 256 + 48L * size(m.firings);
        bytes +=
            24L
                * (size(m.warmControl)
                    + size(m.warmExperimental)
                    + size(m.control)
                    + size(m.experimental));
      }
    }
    if (t.pipeline != null) {
      bytes += 200L * (size(t.pipeline.control) + size(t.pipeline.experimental));
    }
    return bytes;
  }

  private static int size(List<?> list) {
    return list == null ? 0 : list.size();
  }

  private static int size(Map<?, ?> map) {
    return map == null ? 0 : map.size();
  }
}
