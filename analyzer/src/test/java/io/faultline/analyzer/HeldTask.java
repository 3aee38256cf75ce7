package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * One task's processors on a store with or without its held layer ({@link HeldStore}), as the held
 * layers' tests drive them: the store under the layer counts its encodes and decodes, its bytes are
 * compared at every commit, and a crash restores it to what the last commit wrote.
 *
 * @param <I> an input the task processes
 * @param <V> the value the store holds
 */
abstract class HeldTask<I, V> {

  final CountingSerde<V> serde;
  final KeyValueStore<String, V> inner;
  final KeyValueStore<String, V> store;
  final List<String> out = new ArrayList<>();
  private final StateStoreContext context;

  /**
   * The store {@code name} encoded by {@code values}, behind {@code layer}, or bare if {@code
   * layer} is null, opened in {@code context}.
   */
  HeldTask(
      StateStoreContext context,
      String name,
      Serde<V> values,
      UnaryOperator<KeyValueStore<String, V>> layer) {
    this.context = context;
    serde = new CountingSerde<>(values);
    inner = inMemory(name, serde);
    store = layer == null ? inner : layer.apply(inner);
    store.init(context, store);
  }

  abstract void process(I input);

  /** The commit's flush; {@code layerFirst}: the layer's before the task's other caches. */
  abstract void commit(boolean layerFirst);

  /** New processors after a crash, what they had in memory gone. */
  abstract void restart();

  /** Closed dirty, the store restored to {@code committed}, reopened, new processors. */
  final void crash(Map<String, String> committed) {
    store.close();
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, V> it = inner.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(inner::delete);
    committed.forEach(
        (key, hex) -> inner.put(key, serde.deserialize("", HexFormat.of().parseHex(hex))));
    store.init(context, store);
    restart();
  }

  /** The store under the layer: every value's bytes (hex), by key. */
  final Map<String, String> stored() {
    Map<String, String> all = new TreeMap<>();
    try (KeyValueIterator<String, V> it = inner.all()) {
      it.forEachRemaining(kv -> all.put(kv.key, HexFormat.of().formatHex(serde.encode(kv.value))));
    }
    return all;
  }

  /**
   * Exactly-once, simulated: the inputs processed in order, committed after those {@code commits}
   * names; elsewhere, one time in {@code oneIn} (at most {@code maxCrashes} times), the task
   * crashes, the outputs since the last commit are discarded and the inputs after it processed
   * again. Returns how many crashes there were.
   */
  final int replayWithCrashes(
      List<I> inputs, Map<Integer, Boolean> commits, Random random, int oneIn, int maxCrashes) {
    Map<String, String> committedStore = Map.of();
    int committedOut = 0;
    int committedInputs = 0;
    int crashes = 0;
    int i = 0;
    while (i < inputs.size()) {
      process(inputs.get(i));
      if (commits.containsKey(i)) {
        commit(commits.get(i));
        committedStore = stored();
        committedOut = out.size();
        committedInputs = i + 1;
      } else if (random.nextInt(oneIn) == 0 && crashes < maxCrashes) {
        crashes++;
        crash(committedStore);
        out.subList(committedOut, out.size()).clear();
        i = committedInputs;
        continue;
      }
      i++;
    }
    return crashes;
  }

  /**
   * After which inputs the task commits (1 to {@code maxGap} inputs apart, and after the last),
   * each with what {@code order} draws for it (see {@link #commit}).
   */
  static Map<Integer, Boolean> commitPlan(
      long seed, int n, int maxGap, Function<Random, Boolean> order) {
    Random random = new Random(seed * 17);
    Map<Integer, Boolean> commits = new HashMap<>();
    for (int i = random.nextInt(maxGap); i < n; i += 1 + random.nextInt(maxGap)) {
      commits.put(i, order.apply(random));
    }
    commits.put(n - 1, order.apply(random));
    return commits;
  }

  /** An in-memory store {@code name} without a changelog, not opened. */
  static <V> KeyValueStore<String, V> inMemory(String name, Serde<V> values) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
        .withLoggingDisabled()
        .build();
  }

  /**
   * {@code builder}, a held layer's of the store {@code name}, refuses Kafka Streams' record cache
   * and builds {@code layer}.
   */
  static void assertRefusesRecordCache(StoreBuilder<?> builder, String name, Class<?> layer) {
    assertThatThrownBy(builder::withCachingEnabled)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(name);
    assertThat(builder.withLoggingDisabled().build()).isInstanceOf(layer);
  }

  /** A serde counting its encodes and decodes; {@link #encode} and {@link #deserialize} do not. */
  static final class CountingSerde<V> implements Serde<V> {
    private final Serde<V> serde;
    int encodes;
    int decodes;

    CountingSerde(Serde<V> serde) {
      this.serde = serde;
    }

    byte[] encode(V value) {
      return serde.serializer().serialize("", value);
    }

    V deserialize(String topic, byte[] bytes) {
      return serde.deserializer().deserialize(topic, bytes);
    }

    @Override
    public Serializer<V> serializer() {
      return (topic, value) -> {
        encodes++;
        return serde.serializer().serialize(topic, value);
      };
    }

    @Override
    public Deserializer<V> deserializer() {
      return (topic, bytes) -> {
        decodes++;
        return serde.deserializer().deserialize(topic, bytes);
      };
    }
  }
}
