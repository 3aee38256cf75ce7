package io.faultline.analyzer;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tumbling-window rules that {@link OpenWindows} and {@link ShardMerge} share: the store key of
 * a window of {@code experiment|metric}, Kafka Streams' close rule (a window closes when its end +
 * grace is at most the stream time) and the range read that takes the closed windows out of a
 * store, in the order suppression emitted them: by start, then by key.
 *
 * <p>Window keys are the start as 16 hex digits, {@code |}, then the metric key, so they sort by
 * start and stay below keys that begin with {@code ~} (such as a kept stream time).
 */
final class ClosedWindows {

  /** A window taken out of the store: its store key, the window, and what the store held. */
  record Closed<V>(String id, Windowed<String> window, V value) {}

  private final long windowMs;
  private final long graceMs;
  private long closedThrough = Long.MIN_VALUE;

  ClosedWindows(long windowMs, long graceMs) {
    this.windowMs = windowMs;
    this.graceMs = graceMs;
  }

  /** The start of the tumbling window that holds {@code timestamp}. */
  long startOf(long timestamp) {
    return timestamp - Math.floorMod(timestamp, windowMs);
  }

  /** Whether the window starting at {@code windowStart} has closed at this stream time. */
  boolean isClosed(long windowStart, long streamTime) {
    return windowStart + windowMs + graceMs <= streamTime;
  }

  /**
   * Whether windows close at this stream time that had not closed before; if so they are the ones
   * {@link #take} returns next.
   */
  boolean advance(long streamTime) {
    long lastStart = Math.floorDiv(streamTime - graceMs - windowMs, windowMs) * windowMs;
    if (lastStart <= closedThrough || lastStart < 0) {
      return false;
    }
    closedThrough = lastStart;
    return true;
  }

  /** Forgets what closed, for a task that starts again from its store. */
  void reset() {
    closedThrough = Long.MIN_VALUE;
  }

  /** Deletes from the store and returns every window up to the last one {@link #advance} closed. */
  <V> List<Closed<V>> take(KeyValueStore<String, V> store) {
    List<KeyValue<String, V>> entries = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.range(null, key(closedThrough, "\uffff"))) {
      it.forEachRemaining(entries::add);
    }
    List<Closed<V>> closed = new ArrayList<>(entries.size());
    for (KeyValue<String, V> kv : entries) {
      long start = Long.parseUnsignedLong(kv.key.substring(0, 16), 16);
      String metricKey = kv.key.substring(17);
      store.delete(kv.key);
      closed.add(
          new Closed<>(
              kv.key,
              new Windowed<>(metricKey, new TimeWindow(start, start + windowMs)),
              kv.value));
    }
    return closed;
  }

  /** The store key of the window of {@code metricKey} that starts at {@code windowStart}. */
  static String key(long windowStart, String metricKey) {
    String hex = Long.toHexString(windowStart);
    return "0000000000000000".substring(hex.length()) + hex + "|" + metricKey;
  }
}
