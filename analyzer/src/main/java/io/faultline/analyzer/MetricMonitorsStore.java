package io.faultline.analyzer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
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

  private final int cleanMonitors;
  private final Map<String, WindowJudge.Monitor> dirty = new LinkedHashMap<>();
  private final LinkedHashMap<String, WindowJudge.Monitor> clean =
      new LinkedHashMap<>(256, 0.75f, true);

  MetricMonitorsStore(KeyValueStore<String, WindowJudge.Monitor> store) {
    this(store, CLEAN_MONITORS);
  }

  MetricMonitorsStore(KeyValueStore<String, WindowJudge.Monitor> store, int cleanMonitors) {
    super(store);
    this.cleanMonitors = cleanMonitors;
  }

  /**
   * The store built by {@code inner} (which must not cache: this layer is the cache) behind this
   * layer.
   */
  static StoreBuilder<KeyValueStore<String, WindowJudge.Monitor>> builder(
      StoreBuilder<KeyValueStore<String, WindowJudge.Monitor>> inner) {
    return HeldStore.builder(inner, "monitors", MetricMonitorsStore::new);
  }

  @Override
  public WindowJudge.Monitor get(String key) {
    WindowJudge.Monitor monitor = dirty.get(key);
    if (monitor != null) {
      return monitor;
    }
    monitor = clean.get(key);
    if (monitor != null) {
      return monitor;
    }
    monitor = wrapped().get(key);
    if (monitor != null) {
      holdClean(key, monitor);
    }
    return monitor;
  }

  @Override
  public void put(String key, WindowJudge.Monitor value) {
    if (value == null) {
      delete(key);
      return;
    }
    clean.remove(key);
    dirty.put(key, value);
  }

  @Override
  public WindowJudge.Monitor putIfAbsent(String key, WindowJudge.Monitor value) {
    WindowJudge.Monitor old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public void putAll(List<KeyValue<String, WindowJudge.Monitor>> entries) {
    for (KeyValue<String, WindowJudge.Monitor> kv : entries) {
      put(kv.key, kv.value);
    }
  }

  @Override
  public WindowJudge.Monitor delete(String key) {
    WindowJudge.Monitor held = dirty.remove(key);
    WindowJudge.Monitor heldClean = clean.remove(key);
    WindowJudge.Monitor stored = wrapped().delete(key);
    if (held != null) {
      return held;
    }
    return heldClean != null ? heldClean : stored;
  }

  /** How many monitors wait for the next flush. */
  int dirtyMonitors() {
    return dirty.size();
  }

  /** How many clean monitors are held decoded. */
  int cleanMonitors() {
    return clean.size();
  }

  @Override
  void writeDirty() {
    Iterator<Map.Entry<String, WindowJudge.Monitor>> it = dirty.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, WindowJudge.Monitor> e = it.next();
      wrapped().put(e.getKey(), e.getValue());
      it.remove();
      holdClean(e.getKey(), e.getValue());
    }
  }

  private void holdClean(String key, WindowJudge.Monitor monitor) {
    clean.put(key, monitor);
    Iterator<WindowJudge.Monitor> eldest = clean.values().iterator();
    while (clean.size() > cleanMonitors && eldest.hasNext()) {
      eldest.next();
      eldest.remove();
    }
  }

  @Override
  void forget() {
    dirty.clear();
    clean.clear();
  }
}
