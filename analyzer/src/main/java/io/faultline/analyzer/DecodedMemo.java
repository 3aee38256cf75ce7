package io.faultline.analyzer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A store's value serde that remembers the last values it encoded, so that reading back exactly
 * those bytes returns the value without decoding it again (docs/adr/0052). It holds nothing the
 * store does not: a value is returned only for bytes equal, byte for byte, to the ones it was
 * encoded to, so what a read returns is what decoding would return. The values must not be changed
 * after they are written (the history rollup's {@link HistoryRollup#add} builds a new record). Each
 * stream thread has its own memo of the {@code capacity} values last written or read back.
 */
final class DecodedMemo<T> implements Serde<T> {

  private record Encoded<T>(byte[] bytes, T value) {}

  private final Serde<T> inner;
  private final ThreadLocal<Map<Integer, Encoded<T>>> memo;

  DecodedMemo(Serde<T> inner, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "DecodedMemo capacity " + capacity + ": must be at least 1");
    }
    this.inner = inner;
    this.memo =
        ThreadLocal.withInitial(
            () ->
                new LinkedHashMap<>(16, 0.75f, true) {
                  @Override
                  protected boolean removeEldestEntry(Map.Entry<Integer, Encoded<T>> eldest) {
                    return size() > capacity;
                  }
                });
  }

  byte[] serialize(String topic, T value) {
    byte[] bytes = inner.serializer().serialize(topic, value);
    if (bytes != null && value != null) {
      memo.get().put(key(bytes), new Encoded<>(bytes, value));
    }
    return bytes;
  }

  T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return inner.deserializer().deserialize(topic, null);
    }
    Encoded<T> known = memo.get().get(key(bytes));
    if (known != null && Arrays.equals(known.bytes(), bytes)) {
      return known.value();
    }
    return inner.deserializer().deserialize(topic, bytes);
  }

  /**
   * CRC-32C, which the JVM computes with the CPU's instruction: a few times Arrays.hashCode's pace.
   */
  private static int key(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    return (int) crc.getValue();
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }
}
