package io.faultline.analyzer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde of the analyzer's state records before docs/adr/0044: {@link StateSerde} still reads
 * it, so an upgrade keeps the state written by an older version.
 */
final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Class<T> type;

  JsonSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    try {
      return data == null ? null : MAPPER.writeValueAsBytes(data);
    } catch (IOException e) {
      throw new SerializationException("cannot write " + type.getSimpleName() + ": " + e, e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    try {
      return data == null ? null : MAPPER.readValue(data, type);
    } catch (IOException e) {
      throw new SerializationException("cannot read " + type.getSimpleName() + ": " + e, e);
    }
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }
}
