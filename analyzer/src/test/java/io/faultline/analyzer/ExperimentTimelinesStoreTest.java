package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class ExperimentTimelinesStoreTest {

  private final HeldTask.CountingSerde<ExperimentTimeline> serde =
      new HeldTask.CountingSerde<>(StateSerde.timelines());
  private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, ExperimentTimeline> inner =
      HeldTask.inMemory(ResultProcessor.STORE, serde);

  private ExperimentTimelinesStore open(int cleanTimelines, long cleanBytes) {
    ExperimentTimelinesStore store =
        new ExperimentTimelinesStore(inner, cleanTimelines, cleanBytes);
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  private static ExperimentTimeline timeline(int windows) {
    ExperimentTimeline t = new ExperimentTimeline();
    for (int i = 0; i < windows; i++) {
      ExperimentTimeline.WindowStatus w = new ExperimentTimeline.WindowStatus();
      w.end = i * 1_000L + 1_000;
      w.steady.add("m");
      t.windows.put(i * 1_000L, w);
    }
    return t;
  }

  @Test
  void aTimelineChangedInPlaceIsDecodedOnceAndEncodedOncePerFlush() {
    ExperimentTimelinesStore store = open(10, Long.MAX_VALUE);
    inner.put("e", timeline(1));
    serde.encodes = 0;
    for (int i = 2; i <= 6; i++) { // five metrics' verdicts in one commit interval
      ExperimentTimeline t = store.get("e");
      t.windows.putAll(timeline(i).windows);
      store.put("e", t);
    }
    assertThat(serde.decodes).isEqualTo(1);
    assertThat(serde.encodes).isEqualTo(0);
    assertThat(inner.get("e").windows).hasSize(1);
    serde.decodes = 0;

    store.flushCache();
    assertThat(serde.encodes).isEqualTo(1);
    assertThat(inner.get("e").windows).hasSize(6);
    assertThat(store.dirtyCount()).isZero();

    store.get("e"); // held clean: not read from the store
    store.flushCache(); // nothing changed since: nothing written
    store.flush();
    assertThat(serde.encodes).isEqualTo(1);
    assertThat(serde.decodes).isEqualTo(1); // the inner.get above
  }

  @Test
  void initCloseAndClearCacheDropWhatWasNotFlushedSoTheStoreIsReadAgain() {
    ExperimentTimelinesStore store = open(10, Long.MAX_VALUE);
    store.put("e", timeline(1));
    store.flushCache();

    store.get("e").windows.putAll(timeline(3).windows);
    store.put("e", store.get("e"));
    store.clearCache();
    assertThat(store.get("e").windows).hasSize(1);

    store.put("e", timeline(4));
    store.init(context.getStateStoreContext(), store); // a revived task
    assertThat(store.get("e").windows).hasSize(1);
    assertThat(store.dirtyCount()).isZero();
  }

  @Test
  void readsOfSeveralKeysWriteTheDirtyTimelinesFirstAndADeleteRemovesOneEverywhere() {
    ExperimentTimelinesStore store = open(10, Long.MAX_VALUE);
    store.put("a", timeline(1));
    store.flushCache();
    store.put("b", timeline(2));
    store.put("c", timeline(3));
    assertThat(store.delete("a").windows).hasSize(1);
    assertThat(store.delete("c").windows).hasSize(3);
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, ExperimentTimeline> it = store.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    assertThat(keys).containsExactly("b");
    assertThat(inner.get("a")).isNull();
    assertThat(store.get("c")).isNull();
    assertThat(store.putIfAbsent("b", timeline(9)).windows).hasSize(2);
  }

  @Test
  void cleanTimelinesAreBoundedByCountAndByEstimatedSizeDirtyOnesNever() {
    ExperimentTimelinesStore byCount = open(2, Long.MAX_VALUE);
    for (String key : List.of("a", "b", "c", "d")) {
      byCount.put(key, timeline(1));
    }
    assertThat(byCount.dirtyCount()).isEqualTo(4);
    byCount.flushCache();
    assertThat(byCount.cleanCount()).isEqualTo(2);
    serde.decodes = 0;
    byCount.get("d");
    byCount.get("a"); // evicted: read back
    assertThat(serde.decodes).isEqualTo(1);
    byCount.close();

    long oneOfTen = ExperimentTimelinesStore.estimatedBytes(timeline(10));
    ExperimentTimelinesStore bySize = open(100, 3 * oneOfTen);
    for (String key : List.of("a", "b", "c", "d", "e")) {
      bySize.put(key, timeline(10));
    }
    bySize.flushCache();
    assertThat(bySize.cleanCount()).isEqualTo(3);
    assertThat(ExperimentTimelinesStore.estimatedBytes(timeline(100))).isGreaterThan(9 * oneOfTen);
  }

  @Test
  void refusesKafkaStreamsRecordCacheInFrontOfIt() {
    StoreBuilder<KeyValueStore<String, ExperimentTimeline>> builder =
        ExperimentTimelinesStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ResultProcessor.STORE),
                Serdes.String(),
                StateSerde.timelines()));
    HeldTask.assertRefusesRecordCache(
        builder, ResultProcessor.STORE, ExperimentTimelinesStore.class);
  }
}
