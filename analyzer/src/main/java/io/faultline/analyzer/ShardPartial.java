package io.faultline.analyzer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One shard's window of one metric so far (its window summary as of the last commit), on its way to
 * the task that merges the shards ({@code partials-by-metric}, docs/adr/0032).
 */
record ShardPartial(int shard, long windowStart, WindowPair pair) {

  /** The latest partial of every shard of one window, by shard, and the latest record time. */
  static final class Shards {
    final TreeMap<Integer, WindowPair> byShard = new TreeMap<>();
    long timestamp;

    /**
     * The shards merged in shard order (a fixed order: the merge of doubles is not associative).
     */
    WindowPair merged() {
      WindowPair out = new WindowPair();
      for (WindowPair p : byShard.values()) {
        out.merge(p);
      }
      return out;
    }
  }

  private static final WindowPair.WindowPairSerde PAIRS = new WindowPair.WindowPairSerde();

  /** A partial: shard (int), window start (long), the window pair (its own layout). */
  static final class PartialSerde extends BinarySerde<ShardPartial> {
    @Override
    byte[] encode(ShardPartial p) {
      byte[] pair = PAIRS.serialize(null, p.pair());
      return ByteBuffer.allocate(12 + pair.length)
          .putInt(p.shard())
          .putLong(p.windowStart())
          .put(pair)
          .array();
    }

    @Override
    ShardPartial decode(byte[] data) {
      if (data.length < 12) {
        throw new SerializationException("shard partial of " + data.length + " bytes");
      }
      ByteBuffer b = ByteBuffer.wrap(data);
      int shard = b.getInt();
      long start = b.getLong();
      byte[] pair = new byte[b.remaining()];
      b.get(pair);
      return new ShardPartial(shard, start, PAIRS.deserialize(null, pair));
    }
  }

  /** Shards: the timestamp (long), their number (int), then per shard its number and pair. */
  static final class ShardsSerde extends BinarySerde<Shards> {
    @Override
    byte[] encode(Shards s) {
      byte[][] pairs = new byte[s.byShard.size()][];
      int size = 12;
      int i = 0;
      for (WindowPair p : s.byShard.values()) {
        pairs[i] = PAIRS.serialize(null, p);
        size += 8 + pairs[i++].length;
      }
      ByteBuffer b = ByteBuffer.allocate(size).putLong(s.timestamp).putInt(pairs.length);
      i = 0;
      for (Map.Entry<Integer, WindowPair> e : s.byShard.entrySet()) {
        b.putInt(e.getKey()).putInt(pairs[i].length).put(pairs[i++]);
      }
      return b.array();
    }

    @Override
    Shards decode(byte[] data) {
      ByteBuffer b = ByteBuffer.wrap(data);
      Shards s = new Shards();
      s.timestamp = b.getLong();
      int n = b.getInt();
      for (int i = 0; i < n; i++) {
        int shard = b.getInt();
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
          throw new SerializationException("shard window: pair of " + length + " bytes");
        }
        byte[] pair = new byte[length];
        b.get(pair);
        s.byShard.put(shard, PAIRS.deserialize(null, pair));
      }
      return s;
    }
  }

  /**
   * A serde of one binary layout, null for null: the layout's two functions, nothing else (Serde's
   * own configure and close do nothing).
   */
  abstract static class BinarySerde<T> implements Serde<T> {
    abstract byte[] encode(T value);

    abstract T decode(byte[] data);

    @Override
    public Serializer<T> serializer() {
      return (topic, value) -> value == null ? null : encode(value);
    }

    @Override
    public Deserializer<T> deserializer() {
      return (topic, data) -> data == null ? null : decode(data);
    }
  }
}
