package io.faultline.analyzer;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * What a layer of objects held in front of a changelogged store shares ({@link OpenWindowsStore},
 * docs/adr/0083; {@link ExperimentTimelinesStore}, docs/adr/0100; {@link MetricMonitorsStore},
 * docs/adr/0107): a get decodes a value at most once while it is held, a put only marks it dirty,
 * and the dirty values are written when Kafka Streams flushes the task's caches, before every
 * commit, so they go into the transaction that commits the offsets that changed them; written, they
 * are held clean, the least recently used beyond the layer's bounds dropped. {@link #init}, {@link
 * #close} and {@link #clearCache} drop everything held, so the values are read back from the store;
 * a read of several keys writes the dirty values first unless the layer overrides it.
 */
abstract class HeldStore<S extends KeyValueStore<String, V>, V>
    extends WrappedStateStore<S, String, V> implements KeyValueStore<String, V> {

  private final int maxClean;
  private final long maxCleanBytes;
  private final ToLongFunction<V> estimatedBytes;
  private final Map<String, V> dirty = new LinkedHashMap<>();
  private final LinkedHashMap<String, Clean<V>> clean = new LinkedHashMap<>(256, 0.75f, true);
  private long cleanBytes;

  /** A clean value with the size it was counted at when it became clean. */
  private record Clean<V>(V value, long bytes) {}

  /** Holds at most {@code maxClean} clean values. */
  HeldStore(S store, int maxClean) {
    this(store, maxClean, Long.MAX_VALUE, value -> 0);
  }

  /**
   * Holds at most {@code maxClean} clean values, and at most {@code maxCleanBytes} of them as
   * {@code estimatedBytes} counts them when they become clean.
   */
  HeldStore(S store, int maxClean, long maxCleanBytes, ToLongFunction<V> estimatedBytes) {
    super(store);
    this.maxClean = maxClean;
    this.maxCleanBytes = maxCleanBytes;
    this.estimatedBytes = estimatedBytes;
  }

  /**
   * The store built by {@code inner} (which must not cache: the layer is the cache) behind the
   * layer {@code layer} puts in front of it; {@code held} names what it holds, for the refusal of
   * Kafka Streams' record cache.
   */
  static <S extends StateStore> StoreBuilder<S> builder(
      StoreBuilder<S> inner, String held, UnaryOperator<S> layer) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<S> withCachingEnabled() {
        throw new UnsupportedOperationException(
            inner.name()
                + ": caches its "
                + held
                + " itself, Kafka Streams' record cache is not used");
      }

      @Override
      public StoreBuilder<S> withCachingDisabled() {
        inner.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<S> withLoggingEnabled(Map<String, String> config) {
        inner.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<S> withLoggingDisabled() {
        inner.withLoggingDisabled();
        return this;
      }

      @Override
      public S build() {
        return layer.apply(inner.withCachingDisabled().build());
      }

      @Override
      public Map<String, String> logConfig() {
        return inner.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return inner.loggingEnabled();
      }

      @Override
      public String name() {
        return inner.name();
      }
    };
  }

  /** The value this layer holds for {@code key}, dirty or clean, or null. */
  final V held(String key) {
    V value = dirty.get(key);
    if (value != null) {
      return value;
    }
    Clean<V> held = clean.get(key);
    return held == null ? null : held.value();
  }

  @Override
  public V get(String key) {
    V value = held(key);
    if (value == null) {
      value = wrapped().get(key);
      if (value != null) {
        holdClean(key, value);
      }
    }
    return value;
  }

  @Override
  public void put(String key, V value) {
    if (value == null) {
      delete(key);
      return;
    }
    dropClean(key);
    dirty.put(key, value);
  }

  @Override
  public V putIfAbsent(String key, V value) {
    V old = get(key);
    if (old == null) {
      put(key, value);
    }
    return old;
  }

  @Override
  public void putAll(List<KeyValue<String, V>> entries) {
    for (KeyValue<String, V> kv : entries) {
      put(kv.key, kv.value);
    }
  }

  @Override
  public V delete(String key) {
    V held = drop(key);
    V stored = wrapped().delete(key);
    return held != null ? held : stored;
  }

  /** Drops {@code key} from memory only: the value held, dirty before clean, or null. */
  final V drop(String key) {
    V held = dirty.remove(key);
    Clean<V> heldClean = dropClean(key);
    if (held != null) {
      return held;
    }
    return heldClean == null ? null : heldClean.value();
  }

  /** The keys of the values that wait for the next flush. */
  final Set<String> dirtyKeys() {
    return Collections.unmodifiableSet(dirty.keySet());
  }

  /** How many values wait for the next flush. */
  final int dirtyCount() {
    return dirty.size();
  }

  /** How many clean values are held decoded. */
  final int cleanCount() {
    return clean.size();
  }

  /** Writes every dirty value to the wrapped store. */
  void writeDirty() {
    writeDirty(key -> true);
  }

  /** Writes the dirty values whose keys {@code which} takes, and holds them clean. */
  final void writeDirty(Predicate<String> which) {
    Iterator<Map.Entry<String, V>> it = dirty.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, V> e = it.next();
      if (which.test(e.getKey())) {
        write(e.getKey(), e.getValue());
        it.remove();
        holdClean(e.getKey(), e.getValue());
      }
    }
  }

  /** Writes one dirty value at the flush: through the wrapped store unless the layer says how. */
  void write(String key, V value) {
    wrapped().put(key, value);
  }

  private void holdClean(String key, V value) {
    long bytes = estimatedBytes.applyAsLong(value);
    Clean<V> before = clean.put(key, new Clean<>(value, bytes));
    cleanBytes += bytes - (before == null ? 0 : before.bytes());
    Iterator<Clean<V>> eldest = clean.values().iterator();
    while ((clean.size() > maxClean || cleanBytes > maxCleanBytes) && eldest.hasNext()) {
      cleanBytes -= eldest.next().bytes();
      eldest.remove();
    }
  }

  private Clean<V> dropClean(String key) {
    Clean<V> held = clean.remove(key);
    if (held != null) {
      cleanBytes -= held.bytes();
    }
    return held;
  }

  /** Drops everything held, dirty values included: the store is the truth again. */
  private void forget() {
    dirty.clear();
    clean.clear();
    cleanBytes = 0;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    forget(); // a revived or migrated task reads its values back from the store
    super.init(context, root);
  }

  @Override
  public KeyValueIterator<String, V> range(String from, String to) {
    writeDirty();
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<String, V> reverseRange(String from, String to) {
    writeDirty();
    return wrapped().reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<String, V> all() {
    writeDirty();
    return wrapped().all();
  }

  @Override
  public KeyValueIterator<String, V> reverseAll() {
    writeDirty();
    return wrapped().reverseAll();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(
      P prefix, PS prefixKeySerializer) {
    writeDirty();
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    writeDirty();
    return wrapped().approximateNumEntries();
  }

  /** Called by Kafka Streams before every commit: the dirty values go into the transaction. */
  @Override
  public void flushCache() {
    writeDirty();
    super.flushCache();
  }

  @Override
  public void flush() {
    writeDirty();
    super.flush();
  }

  /** A task recycled between active and standby: its store may change under it. */
  @Override
  public void clearCache() {
    forget();
    super.clearCache();
  }

  @Override
  public void close() {
    forget(); // never written: a clean close flushed them, a dirty one must not
    super.close();
  }
}
