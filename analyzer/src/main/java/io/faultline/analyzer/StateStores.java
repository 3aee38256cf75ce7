package io.faultline.analyzer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Where the stores that every sample or window touches keep their state ({@code
 * analyzer.state.stores}, docs/adr/0063): RocksDB files in {@code analyzer.state.dir}, or the heap.
 * Either way a store keeps its name and its changelog, so an instance restores from the same topics
 * whichever it runs with.
 */
public enum StateStores {
  ROCKSDB,
  MEMORY;

  /** The config key. */
  public static final String KEY = "analyzer.state.stores";

  /** The values of {@link #KEY}, lower case. */
  public static List<String> names() {
    return Arrays.stream(values()).map(StateStores::configName).toList();
  }

  /** As written in {@link #KEY}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static StateStores of(String configName) {
    return valueOf(configName.toUpperCase(Locale.ROOT));
  }

  KeyValueBytesStoreSupplier keyValue(String name) {
    return this == MEMORY
        ? Stores.inMemoryKeyValueStore(name)
        : Stores.persistentKeyValueStore(name);
  }

  /** For a timestamped key-value store: Streams adds the timestamps to an in-memory one. */
  KeyValueBytesStoreSupplier timestampedKeyValue(String name) {
    return this == MEMORY
        ? Stores.inMemoryKeyValueStore(name)
        : Stores.persistentTimestampedKeyValueStore(name);
  }

  /** For a store the DSL makes (e.g. {@code windowedBy().aggregate()}'s), its retention its own. */
  DslStoreSuppliers dsl() {
    return this == MEMORY ? BuiltInDslStoreSuppliers.IN_MEMORY : BuiltInDslStoreSuppliers.ROCKS_DB;
  }
}
