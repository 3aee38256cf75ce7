package io.faultline.analyzer;

import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The judge's monitors of a task held as objects in front of the changelogged store {@code
 * metric-monitors} (docs/adr/0107, the layer of {@link ExperimentTimelinesStore}): a get decodes a
 * monitor at most once until it is dropped, a put only marks it dirty, and the dirty monitors are
 * encoded and written once each when Kafka Streams flushes the task's caches, before every commit
 * (and before a clean close), before it flushes the producer and commits the transaction. So a
 * window judged costs no decode while its monitor is held, and a monitor judged several times in
 * one commit interval is encoded once.
 *
 * <p>The store stays the truth. What is written at the flush is in the transaction that commits the
 * offsets of the windows that changed it; a crash or a task closed dirty loses the dirty monitors
 * with those offsets, and {@link #init}, {@link #close} and {@link #clearCache} drop everything
 * held, so the monitors are read back from the store. Any read of several keys writes every dirty
 * monitor first.
 *
 * <p>A value read is the object held, not a copy: {@link VerdictProcessor} changes it and puts it
 * back after every window, whatever the judge did.
 */
final class MetricMonitorsStore
    extends HeldStore<KeyValueStore<String, WindowJudge.Monitor>, WindowJudge.Monitor> {

  /**
   * Clean monitors kept decoded per task, the least recently used beyond it dropped: a monitor is
   * 1.3 KB encoded after 10 windows, 4.6 KB after 5,000 (docs/adr/0107), a few times that as
   * objects.
   */
  static final int CLEAN_MONITORS = 5_000;

  MetricMonitorsStore(KeyValueStore<String, WindowJudge.Monitor> store) {
    this(store, CLEAN_MONITORS);
  }

  MetricMonitorsStore(KeyValueStore<String, WindowJudge.Monitor> store, int cleanMonitors) {
    super(store, cleanMonitors);
  }

  /**
   * The store built by {@code inner} (which must not cache: this layer is the cache) behind this
   * layer.
   */
  static StoreBuilder<KeyValueStore<String, WindowJudge.Monitor>> builder(
      StoreBuilder<KeyValueStore<String, WindowJudge.Monitor>> inner) {
    return HeldStore.builder(inner, "monitors", MetricMonitorsStore::new);
  }
}
