package io.faultline.analyzer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a serde so that a value that cannot be decoded reads as absent (null) instead of failing
 * the stream thread: for the experiments table, whose records other tools write.
 */
final class LenientSerde<T> implements Serde<T>, Deserializer<T> {

  private static final Logger log = LoggerFactory.getLogger(LenientSerde.class);
  private final Serde<T> inner;

  LenientSerde(Serde<T> inner) {
    this.inner = inner;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return inner.deserializer().deserialize(topic, data);
    } catch (RuntimeException e) {
      log.error(
          "{}: a record of {} bytes cannot be decoded ({}); ignored",
          topic,
          data.length,
          e.getMessage());
      return null;
    }
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public Serializer<T> serializer() {
    return inner.serializer();
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }
}
