package io.faultline.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro class using Avro single-object encoding: a 2-byte marker, the
 * 8-byte schema fingerprint, then the binary body. The decoder resolves older writer schemas
 * through {@link SchemaHistory}, so a reader decodes records written with an earlier version.
 */
public final class AvroSerde<T extends SpecificRecordBase>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  public AvroSerde(Class<T> type) {
    this(type, SchemaHistory.shared());
  }

  public AvroSerde(Class<T> type, SchemaHistory history) {
    this.type = type;
    Schema schema = SpecificData.get().getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, history.store());
    history.register(schema);
  }

  public static <T extends SpecificRecordBase> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type);
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e, e);
    }
  }

  /** Decodes single-object encoded bytes; throws {@link SerializationException} naming the type. */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return decoder.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode "
              + bytes.length
              + " bytes as "
              + type.getSimpleName()
              + " (Avro single-object encoding): "
              + e.getMessage(),
          e);
    }
  }

  /** True when the bytes start with Avro's single-object marker (0xC3 0x01). */
  public static boolean isSingleObjectEncoded(byte[] bytes) {
    return bytes != null && bytes.length >= 10 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    return data == null ? null : encode(data);
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return decode(data);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}
}
