package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenWindowsStoreTest {

  private final AtomicInteger encodes = new AtomicInteger();
  private final WindowPair.WindowPairSerde pairs = new WindowPair.WindowPairSerde();
  private final AtomicInteger decodes = new AtomicInteger();
  private final Serde<WindowPair> counting =
      Serdes.serdeFrom(
          (topic, pair) -> {
            encodes.incrementAndGet();
            return pairs.serialize(topic, pair);
          },
          (topic, bytes) -> {
            decodes.incrementAndGet();
            return pairs.deserialize(topic, bytes);
          });
  private MockProcessorContext<Object, Object> context;
  private TimestampedKeyValueStore<String, WindowPair> inner;
  private OpenWindowsStore store;

  @BeforeEach
  void setUp() {
    context = new MockProcessorContext<>();
    inner =
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OpenWindows.STORE), Serdes.String(), counting)
            .withLoggingDisabled()
            .build();
    store = new OpenWindowsStore(inner);
    store.init(context.getStateStoreContext(), store);
  }

  private static ValueAndTimestamp<WindowPair> window(long ts, double... values) {
    return ValueAndTimestamp.make(ShardMergeTest.pair(values), ts);
  }

  @Test
  void encodesAndWritesEachDirtyWindowOnceAtTheFlushNotAtEveryPut() {
    for (int i = 1; i <= 10; i++) {
      store.put("w", window(i, new double[i]));
    }
    store.put("v", window(3, 1));
    assertThat(encodes).hasValue(0);
    assertThat(inner.get("w")).isNull();
    assertThat(store.get("w").value().control().count()).isEqualTo(10);

    store.flushCache();
    assertThat(encodes).hasValue(2);
    assertThat(inner.get("w").value().control().count()).isEqualTo(10);
    assertThat(inner.get("w").timestamp()).isEqualTo(10);
    assertThat(store.dirtyCount()).isZero();

    store.flushCache(); // nothing changed since: nothing written
    store.flush();
    assertThat(encodes).hasValue(2);
  }

  @Test
  void initCloseAndClearCacheDropWhatWasNotFlushedSoTheStoreIsReadAgain() {
    store.put("w", window(1, 1));
    store.flushCache();
    store.put("w", window(2, 1, 2));
    store.clearCache();
    assertThat(store.get("w").value().control().count()).isEqualTo(1);

    store.put("w", window(2, 1, 2));
    store.init(context.getStateStoreContext(), store); // a revived task
    assertThat(store.get("w").value().control().count()).isEqualTo(1);
    assertThat(store.dirtyCount()).isZero();
  }

  @Test
  void aRangeSeesTheDirtyWindowsAndADeleteRemovesAWindowEverywhere() {
    store.put("a", window(1, 1));
    store.flushCache();
    store.put("b", window(2, 2));
    store.put("c", window(3, 3));
    store.delete("a");
    store.delete("c");
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it = store.range(null, "z")) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    assertThat(keys).containsExactly("b");
    assertThat(inner.get("a")).isNull();
    assertThat(store.get("c")).isNull();
    store.flushCache();
    assertThat(inner.get("c")).isNull();

    store.putAll(List.of(KeyValue.pair("d", window(4, 4))));
    assertThat(store.putIfAbsent("d", window(5, 5)).timestamp()).isEqualTo(4);
    assertThat(store.approximateNumEntries()).isEqualTo(2); // b and d, written first
  }

  @Test
  void refusesKafkaStreamsRecordCacheInFrontOfIt() {
    StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> builder =
        OpenWindowsStore.builder(
            Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OpenWindows.STORE), Serdes.String(), pairs));
    assertThatThrownBy(builder::withCachingEnabled)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("open-windows");
    assertThat(builder.build()).isInstanceOf(OpenWindowsStore.class);
    assertThat(builder.loggingEnabled()).isTrue();
  }

  @Test
  void aRangeReturnsTheWindowsHeldWithoutWritingOrDecodingThemAndLeavesThemDirty() {
    store.put("0001|a", window(1, 1));
    store.flushCache(); // written and held clean
    ValueAndTimestamp<WindowPair> changed = window(2, 1, 2);
    store.put("0001|a", changed); // dirty again, the store's copy stale
    ValueAndTimestamp<WindowPair> fresh = window(2, 2);
    store.put("0002|a", fresh); // dirty, never written
    store.put("0009|a", window(9, 9));
    encodes.set(0);
    decodes.set(0);
    List<KeyValue<String, ValueAndTimestamp<WindowPair>>> seen = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it =
        store.range(null, "0002|\uffff")) {
      assertThat(it.peekNextKey()).isEqualTo("0001|a");
      it.forEachRemaining(seen::add);
    }
    assertThat(seen).extracting(kv -> kv.key).containsExactly("0001|a", "0002|a");
    assertThat(seen.get(0).value).isSameAs(changed);
    assertThat(seen.get(1).value).isSameAs(fresh);
    assertThat(encodes).hasValue(0);
    assertThat(decodes).hasValue(0);
    assertThat(store.dirtyCount()).isEqualTo(3);
    assertThat(inner.get("0001|a").value().control().count()).isEqualTo(1); // stale until flushed

    decodes.set(0);
    assertThat(store.delete("0001|a")).isSameAs(changed);
    assertThat(store.delete("0002|a")).isSameAs(fresh);
    assertThat(decodes).as("held windows deleted without decoding the store's").hasValue(0);
    assertThat(inner.get("0001|a")).isNull();
    assertThat(store.dirtyCount()).isEqualTo(1);
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it =
        store.reverseRange("0005", null)) {
      assertThat(it.next().key).isEqualTo("0009|a");
    }
    assertThat(store.dirtyCount()).isZero();
  }

  @Test
  void aRangeReadsTheWindowsNotHeldFromTheStoreInTheStoresKeyOrder() {
    String supplementary = new String(Character.toChars(0x1F600));
    inner.put("0001|b", window(1, 1)); // written by an earlier run: in the store only
    inner.put("0001|" + supplementary, window(1, 3));
    store.put("0001|\uffff", window(1, 2)); // held only
    store.put("0001|a", window(1, 4));
    store.put("0002|z", window(2, 5)); // out of range
    List<String> keys = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it =
        store.range("0001|", "0001|" + supplementary)) {
      it.forEachRemaining(
          kv -> {
            keys.add(kv.key);
            means.add(kv.value.value().control().mean());
          });
    }
    assertThat(keys).containsExactly("0001|a", "0001|b", "0001|\uffff", "0001|" + supplementary);
    assertThat(means).containsExactly(4.0, 1.0, 2.0, 3.0);
  }

  @Test
  void comparesKeysInTheStoresByteOrderNotUtf16s() {
    String supplementary = new String(Character.toChars(0x1F600)); // a surrogate pair in UTF-16
    assertThat(OpenWindowsStore.compareAsStored(supplementary, "\uffff")).isPositive();
    assertThat(supplementary.compareTo("\uffff")).isNegative();
    assertThat(OpenWindowsStore.compareAsStored("ab", "abc")).isNegative();
    assertThat(OpenWindowsStore.compareAsStored("abc", "abc")).isZero();
    assertThat(OpenWindowsStore.compareAsStored("b", "abc")).isPositive();
  }

  @Test
  void theFlushWritesPastTheMeteredStoreTheBytesTheTypedStoreWrites() {
    WindowPair.WindowPairSerde serde = new WindowPair.WindowPairSerde();
    TimestampedKeyValueStore<String, WindowPair> directInner =
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OpenWindows.STORE), Serdes.String(), serde)
            .withLoggingDisabled()
            .build();
    OpenWindowsStore direct = new OpenWindowsStore(directInner, serde);
    direct.init(context.getStateStoreContext(), direct);
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 300; i++) {
        String key = "w" + random.nextInt(120) + (i % 7 == 0 ? "\uD83D\uDE00" : "");
        double[] values = new double[random.nextInt(40)];
        for (int v = 0; v < values.length; v++) {
          values[v] = random.nextInt(5) == 0 ? 0 : Math.exp(random.nextGaussian() * 3);
        }
        long ts = random.nextLong(1L << 50);
        store.put(key, window(ts, values));
        direct.put(key, window(ts, values));
      }
      store.flushCache();
      direct.flushCache();
      assertThat(direct.dirtyCount()).isZero();
      List<KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> typed = bytes(inner);
      List<KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> written = bytes(directInner);
      assertThat(written).hasSize(typed.size()).hasSizeGreaterThan(100);
      for (int k = 0; k < typed.size(); k++) {
        assertThat(written.get(k).key).isEqualTo(typed.get(k).key);
        assertThat(written.get(k).value)
            .as("window %s", typed.get(k).key)
            .isEqualTo(typed.get(k).value);
      }
    }
    // and read back through the typed store: the windows held, moments and quantiles alike
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it = directInner.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        WindowPair held = direct.get(kv.key).value();
        assertThat(kv.value.timestamp()).isEqualTo(direct.get(kv.key).timestamp());
        assertThat(kv.value.value().control().sum()).isEqualTo(held.control().sum());
        assertThat(kv.value.value().control().count()).isEqualTo(held.control().count());
        assertThat(Double.doubleToLongBits(kv.value.value().controlQuantiles().quantile(0.99)))
            .isEqualTo(Double.doubleToLongBits(held.controlQuantiles().quantile(0.99)));
      }
    }
  }

  /** The store of bytes under a typed store's metered layer, in key order. */
  @SuppressWarnings("unchecked")
  private static List<KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> bytes(
      TimestampedKeyValueStore<String, WindowPair> typed) {
    var raw =
        (org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>)
            ((org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?>) typed).wrapped();
    List<KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> all = new ArrayList<>();
    try (var it = raw.all()) {
      it.forEachRemaining(all::add);
    }
    return all;
  }
}
