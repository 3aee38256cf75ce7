package io.faultline.analyzer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The open windows of a task held as objects in front of the changelogged store {@code
 * open-windows} (docs/adr/0078, after 0047): a put only marks the window dirty, and the dirty
 * windows are encoded and written to the store once each when Kafka Streams flushes the task's
 * caches, which it does before every commit (and before a clean close), before it flushes the
 * producer and commits the transaction. So a window costs one encode and one write per commit,
 * however many samples it took in between, and no per-sample work in Kafka Streams' record cache,
 * which this layer replaces for this store.
 *
 * <p>The store stays the truth. What is written at the flush is in the transaction that commits the
 * offsets of the samples in it; a crash or a task that is closed dirty loses the dirty windows with
 * the offsets they belong to, and {@link #init}, {@link #close} and {@link #clearCache} (a task
 * recycled between active and standby) drop everything held, so the windows are read back from the
 * store. A range read (the close of windows) returns the windows held as they are, dirty or clean,
 * and reads only the others from the store, without writing the dirty ones first (docs/adr/0083):
 * the close deletes what it read, so writing and decoding a window just before its tombstone bought
 * nothing. {@link #all}, a reverse range, a prefix scan and the approximate count write every dirty
 * window (in their range) first; a delete removes a window from memory and store.
 *
 * <p>A value read is the object held, not a copy: change it only to put it back.
 */
final class OpenWindowsStore
    extends HeldStore<TimestampedKeyValueStore<String, WindowPair>, ValueAndTimestamp<WindowPair>>
    implements TimestampedKeyValueStore<String, WindowPair> {

  /** Clean windows kept decoded; beyond this the least recently used are read from the store. */
  static final int CLEAN_WINDOWS = 50_000;

  /**
   * What the flush encodes a window with, straight into the store of bytes; null: the typed store.
   */
  private final WindowPair.WindowPairSerde pairs;

  OpenWindowsStore(TimestampedKeyValueStore<String, WindowPair> store) {
    this(store, null);
  }

  /**
   * {@code pairs} must be the value serde {@code store} was built with: the flush writes its bytes
   * to the store of bytes under the metered store, as the metered store would (docs/adr/0101).
   */
  OpenWindowsStore(
      TimestampedKeyValueStore<String, WindowPair> store, WindowPair.WindowPairSerde pairs) {
    super(store, CLEAN_WINDOWS);
    this.pairs = pairs;
  }

  /**
   * The store built by {@code inner} (which must not cache: this layer is the cache) behind this
   * layer.
   */
  static StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> builder(
      StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> inner) {
    return builder(inner, null);
  }

  /**
   * As {@link #builder(StoreBuilder)}, the flush writing each window encoded by {@code pairs},
   * which must be the value serde {@code inner} builds its store with, with no trip through the
   * metered store.
   */
  static StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> builder(
      StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> inner,
      WindowPair.WindowPairSerde pairs) {
    return HeldStore.builder(inner, "windows", store -> new OpenWindowsStore(store, pairs));
  }

  /**
   * Removes a window from memory and store. A window held is returned as held, and the store's
   * bytes are deleted without decoding them (the close deletes every window it takes).
   */
  @Override
  public ValueAndTimestamp<WindowPair> delete(String key) {
    ValueAndTimestamp<WindowPair> held = drop(key);
    KeyValueStore<Bytes, byte[]> bytes = bytesStore();
    if (held == null || bytes == null) {
      ValueAndTimestamp<WindowPair> stored = wrapped().delete(key);
      return held != null ? held : stored;
    }
    bytes.delete(utf8(key));
    return held;
  }

  /**
   * The windows from {@code from} to {@code to} (either null for open), in the stores' key order:
   * those held as they are held (a dirty one stays dirty), the others read from the store. Only the
   * keys are read from the store's bytes, so a held window costs no decode and a dirty one no
   * write.
   */
  @Override
  public KeyValueIterator<String, ValueAndTimestamp<WindowPair>> range(String from, String to) {
    KeyValueStore<Bytes, byte[]> bytes = bytesStore();
    if (bytes == null) {
      writeDirty(from, to);
      return wrapped().range(from, to);
    }
    TreeSet<String> keys = new TreeSet<>(OpenWindowsStore::compareAsStored);
    try (KeyValueIterator<Bytes, byte[]> it = bytes.range(utf8(from), utf8(to))) {
      while (it.hasNext()) {
        keys.add(new String(it.next().key.get(), StandardCharsets.UTF_8));
      }
    }
    for (String key : dirtyKeys()) {
      if (inRange(key, from, to)) {
        keys.add(key);
      }
    }
    List<KeyValue<String, ValueAndTimestamp<WindowPair>>> windows = new ArrayList<>(keys.size());
    for (String key : keys) {
      ValueAndTimestamp<WindowPair> window = held(key);
      if (window == null) {
        window = wrapped().get(key);
      }
      if (window != null) {
        windows.add(KeyValue.pair(key, window));
      }
    }
    return new HeldIterator(windows.iterator());
  }

  @Override
  public KeyValueIterator<String, ValueAndTimestamp<WindowPair>> reverseRange(
      String from, String to) {
    writeDirty(from, to);
    return wrapped().reverseRange(from, to);
  }

  /**
   * Only the dirty windows a range read can see: the windows that close are a small part of those
   * open, and writing them all would cost each open window an encode more per close.
   */
  private void writeDirty(String from, String to) {
    writeDirty(key -> inRange(key, from, to));
  }

  /**
   * A window at the flush, encoded by {@code pairs} with its timestamp in front into one array and
   * put to the store of bytes: the bytes the metered store would put (key in UTF-8,
   * ValueAndTimestampSerializer's layout), without its key encode, value copy and latency sensor
   * (docs/adr/0101).
   */
  @Override
  void write(String key, ValueAndTimestamp<WindowPair> window) {
    KeyValueStore<Bytes, byte[]> bytes = pairs == null ? null : bytesStore();
    if (bytes != null) {
      bytes.put(utf8(key), pairs.serializeAfter(window.timestamp(), window.value()));
    } else {
      wrapped().put(key, window);
    }
  }

  private static boolean inRange(String key, String from, String to) {
    return (from == null || compareAsStored(key, from) >= 0)
        && (to == null || compareAsStored(key, to) <= 0);
  }

  private static Bytes utf8(String key) {
    return key == null ? null : Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The store of bytes under the metered store (the layers Kafka Streams builds: metered, then
   * changelogging, then RocksDB or memory), whose keys are the windows' keys in UTF-8; null if the
   * store is built otherwise, and then a range writes and reads through the typed store.
   */
  @SuppressWarnings("unchecked")
  private KeyValueStore<Bytes, byte[]> bytesStore() {
    if (wrapped() instanceof WrappedStateStore<?, ?, ?> metered
        && metered.wrapped() instanceof KeyValueStore<?, ?> inner) {
      return (KeyValueStore<Bytes, byte[]>) inner;
    }
    return null;
  }

  /** A range's windows, listed before the caller changes the store. */
  private static final class HeldIterator
      implements KeyValueIterator<String, ValueAndTimestamp<WindowPair>> {

    private final Iterator<KeyValue<String, ValueAndTimestamp<WindowPair>>> windows;
    private KeyValue<String, ValueAndTimestamp<WindowPair>> next;

    HeldIterator(Iterator<KeyValue<String, ValueAndTimestamp<WindowPair>>> windows) {
      this.windows = windows;
      this.next = windows.hasNext() ? windows.next() : null;
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KeyValue<String, ValueAndTimestamp<WindowPair>> next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KeyValue<String, ValueAndTimestamp<WindowPair>> current = next;
      next = windows.hasNext() ? windows.next() : null;
      return current;
    }

    @Override
    public String peekNextKey() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      return next.key;
    }

    @Override
    public void close() {}
  }

  /**
   * The stores' order: their keys' UTF-8 bytes, unsigned, which is the order of code points (not
   * {@link String#compareTo}'s UTF-16 units, which differs above U+FFFF).
   */
  static int compareAsStored(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
