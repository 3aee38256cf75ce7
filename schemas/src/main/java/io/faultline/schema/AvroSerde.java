package io.faultline.schema;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro class using Avro single-object encoding: a 2-byte marker, the
 * 8-byte schema fingerprint, then the binary body. The decoder resolves older writer schemas
 * through {@link SchemaHistory}, so a reader decodes records written with an earlier version.
 *
 * <p>The encode writes the bytes Avro's {@code BinaryMessageEncoder} writes, through a buffered
 * encoder into an array kept per thread and grown to the largest record it wrote, then copied out
 * once (docs/adr/0058): Avro's own wrote every value through a synchronized {@code
 * ByteArrayOutputStream} and copied the result twice.
 *
 * <p>A record of the current schema (its header carries this schema's fingerprint) is read by the
 * same Avro reader as every other, from the array itself (docs/adr/0073): Avro's message decoder
 * reads the body byte by byte from an input stream. Anything else, and any record that read fails
 * on, goes through Avro's message decoder, so older writer schemas are resolved and a bad record is
 * refused with Avro's own message, as before.
 */
public final class AvroSerde<T extends SpecificRecordBase>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  private final Class<T> type;
  private final byte[] header;
  private final DatumWriter<T> writer;
  private final BinaryMessageDecoder<T> decoder;
  private final DatumReader<T> currentReader;

  /** What reads a record of the current schema from its body, if not {@link #currentReader}. */
  private final BodyReader<T> bodyReader;

  /** Reads one record's body, of the current schema, from Avro's binary decoder. */
  @FunctionalInterface
  public interface BodyReader<T> {
    T read(BinaryDecoder in) throws IOException;
  }

  /** A thread's output array and Avro encoder, reused by every serde on the thread. */
  private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);

  /** A thread's array-backed Avro decoder, reused by every serde on the thread. */
  private static final ThreadLocal<BinaryDecoder> INPUT = new ThreadLocal<>();

  public AvroSerde(Class<T> type) {
    this(type, SchemaHistory.shared());
  }

  public AvroSerde(Class<T> type, SchemaHistory history) {
    this(
        type,
        history,
        new SpecificDatumWriter<>(SpecificData.get().getSchema(type), SpecificData.get()),
        null);
  }

  private AvroSerde(
      Class<T> type, SchemaHistory history, DatumWriter<T> writer, BodyReader<T> bodyReader) {
    this.type = type;
    Schema schema = SpecificData.get().getSchema(type);
    this.header = header(schema);
    this.writer = writer;
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema, history.store());
    // what the message decoder reads a record of the current schema with
    this.currentReader = new SpecificDatumReader<>(schema, schema, SpecificData.get());
    this.bodyReader = bodyReader;
    history.register(schema);
  }

  public static <T extends SpecificRecordBase> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type);
  }

  /**
   * A serde whose encode writes the body with {@code writer}, which must write {@code type}'s
   * current schema in Avro's binary encoding (a store that writes arrays in several blocks,
   * docs/adr/0058); the header and the decode are this class's.
   */
  public static <T extends SpecificRecordBase> AvroSerde<T> writingWith(
      Class<T> type, DatumWriter<T> writer) {
    return new AvroSerde<>(type, SchemaHistory.shared(), writer, null);
  }

  /**
   * The serde of {@link MetricSample}s whose decode reads a record of the current schema with
   * {@link MetricSampleReader} (docs/adr/0101), if it fits the schema; else {@link #of}'s.
   */
  public static AvroSerde<MetricSample> metricSamples() {
    Schema schema = MetricSample.getClassSchema();
    return new AvroSerde<>(
        MetricSample.class,
        SchemaHistory.shared(),
        new SpecificDatumWriter<>(schema, SpecificData.get()),
        MetricSampleReader.fits(schema) ? MetricSampleReader::read : null);
  }

  /** The single-object header: the marker 0xC3 0x01, then the schema's fingerprint, LE. */
  private static byte[] header(Schema schema) {
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    byte[] out = new byte[10];
    out[0] = (byte) 0xC3;
    out[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      out[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return out;
  }

  public byte[] encode(T value) {
    Output out = OUTPUT.get();
    try {
      // configuring first flushes what an encode that failed half way left in the encoder
      out.encoder = EncoderFactory.get().binaryEncoder(out, out.encoder);
      out.size = 0;
      out.write(header, 0, header.length);
      writer.write(value, out.encoder);
      out.encoder.flush();
      byte[] bytes = Arrays.copyOf(out.bytes, out.size);
      out.shrink();
      return bytes;
    } catch (IOException e) {
      out.encoder = null;
      throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e, e);
    } catch (RuntimeException e) {
      out.encoder = null; // Avro's own message (a null in a non-null field) as before
      throw e;
    }
  }

  /** An unsynchronized, growable array as the encoder's sink; reset per encode. */
  private static final class Output extends OutputStream {
    private byte[] bytes = new byte[1024];
    private int size;
    private BinaryEncoder encoder;

    /** A thread keeps at most {@link #KEPT} bytes between encodes. */
    private static final int KEPT = 1 << 20;

    private void shrink() {
      if (bytes.length > KEPT) {
        bytes = new byte[1024];
      }
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }
  }

  /** Decodes single-object encoded bytes; throws {@link SerializationException} naming the type. */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (hasCurrentHeader(bytes)) {
      try {
        BinaryDecoder in =
            DecoderFactory.get()
                .binaryDecoder(bytes, header.length, bytes.length - header.length, INPUT.get());
        INPUT.set(in);
        return bodyReader != null ? bodyReader.read(in) : currentReader.read(null, in);
      } catch (IOException | RuntimeException e) {
        // read again below, so the error is the message decoder's own
      }
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

  private boolean hasCurrentHeader(byte[] bytes) {
    return bytes.length >= header.length
        && Arrays.equals(bytes, 0, header.length, header, 0, header.length);
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
