package io.faultline.analyzer;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * What a layer of objects held in front of a changelogged store shares ({@link OpenWindowsStore},
 * docs/adr/0083; {@link ExperimentTimelinesStore}, docs/adr/0100): the dirty values are written
 * when Kafka Streams flushes the task's caches, before every commit, so they go into the
 * transaction that commits the offsets that changed them; {@link #init}, {@link #close} and {@link
 * #clearCache} drop everything held, so the values are read back from the store; a read of several
 * keys writes the dirty values first unless the layer overrides it.
 */
abstract class HeldStore<S extends KeyValueStore<String, V>, V>
    extends WrappedStateStore<S, String, V> implements KeyValueStore<String, V> {

  HeldStore(S store) {
    super(store);
  }

  /** Writes every dirty value to the wrapped store. */
  abstract void writeDirty();

  /** Drops everything held, dirty values included: the store is the truth again. */
  abstract void forget();

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
