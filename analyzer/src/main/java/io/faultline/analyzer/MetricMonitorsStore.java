package io.faultline.analyzer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The judge's monitors of a task held as objects in front of the changelogged store {@code
 * metric-monitors} (docs/adr/0107): a get decodes a monitor at most once until it is dropped; a put
 * writes through to the store at once, as without the layer, and keeps the object it wrote. So a
 * window judged costs no decode while its monitor is held, and the store, its changelog and the
 * transaction see every put when they saw it before.
 *
 * <p>Written through, not at the flush as {@link ExperimentTimelinesStore} does: a monitor changes
 * at every window and a window's metric is judged about once per commit interval, so deferring the
 * encode saves none, and the flush's encode of a monitor judged long before measured about three
 * times the encode right after its window (docs/adr/0107).
 *
 * <p>The store stays the truth: {@link #init}, {@link #close} and {@link #clearCache} drop
 * everything held, so after a crash, a revive or a recycle the monitors are read back from the
 * store as restored. A value read is the object held, not a copy: {@link VerdictProcessor} changes
 * it and puts it back after every window, whatever the judge did.
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
  private final LinkedHashMap<String, WindowJudge.Monitor> held =
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
    WindowJudge.Monitor monitor = held.get(key);
    if (monitor != null) {
      return monitor;
    }
    monitor = wrapped().get(key);
    if (monitor != null) {
      hold(key, monitor);
    }
    return monitor;
  }

  @Override
  public void put(String key, WindowJudge.Monitor value) {
    if (value == null) {
      delete(key);
      return;
    }
    wrapped().put(key, value);
    hold(key, value);
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
    WindowJudge.Monitor was = held.remove(key);
    WindowJudge.Monitor stored = wrapped().delete(key);
    return was != null ? was : stored;
  }

  /** How many monitors are held decoded. */
  int heldMonitors() {
    return held.size();
  }

  /** Nothing waits for the flush: every put was written through. */
  @Override
  void writeDirty() {}

  private void hold(String key, WindowJudge.Monitor monitor) {
    held.put(key, monitor);
    Iterator<WindowJudge.Monitor> eldest = held.values().iterator();
    while (held.size() > cleanMonitors && eldest.hasNext()) {
      eldest.next();
      eldest.remove();
    }
  }

  @Override
  void forget() {
    held.clear();
  }
}
