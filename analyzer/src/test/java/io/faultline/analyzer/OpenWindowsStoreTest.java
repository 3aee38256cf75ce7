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
  private final Serde<WindowPair> counting =
      Serdes.serdeFrom(
          (topic, pair) -> {
            encodes.incrementAndGet();
            return pairs.serialize(topic, pair);
          },
          pairs);
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
    assertThat(store.dirtyWindows()).isZero();

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
    assertThat(store.dirtyWindows()).isZero();
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
  void aRangeWritesOnlyTheDirtyWindowsItCanSee() {
    store.put("0001|a", window(1, 1));
    store.put("0002|a", window(2, 2));
    store.put("0009|a", window(9, 9));
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it =
        store.range(null, "0002|\uffff")) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    assertThat(keys).containsExactly("0001|a", "0002|a");
    assertThat(encodes).hasValue(2);
    assertThat(store.dirtyWindows()).isEqualTo(1);
    assertThat(inner.get("0009|a")).isNull();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it =
        store.reverseRange("0005", null)) {
      assertThat(it.next().key).isEqualTo("0009|a");
    }
    assertThat(store.dirtyWindows()).isZero();
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
}
