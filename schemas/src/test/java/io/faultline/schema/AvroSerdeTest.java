package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  /** The bytes of Avro's own single-object encoder, which AvroSerde wrote before ADR 0058. */
  private static <T extends SpecificRecordBase> byte[] avrosOwn(Schema schema, T value)
      throws Exception {
    ByteBuffer buffer = new BinaryMessageEncoder<T>(SpecificData.get(), schema).encode(value);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @SuppressWarnings("unchecked")
  private static Class<SpecificRecordBase> type(String avsc) throws Exception {
    return (Class<SpecificRecordBase>)
        Class.forName("io.faultline.schema." + avsc.substring(0, avsc.length() - ".avsc".length()));
  }

  @Test
  void encodesEverySchemaTypeAsAvrosSingleObjectEncoderAndDecodesItBack() throws Exception {
    int types = 0;
    for (String avsc : PublishedSchemas.CURRENT) {
      if (avsc.equals("Common.avsc")) {
        continue; // enums and parts of the others, no record of its own on a topic
      }
      Class<SpecificRecordBase> type = type(avsc);
      Schema schema = SpecificData.get().getSchema(type);
      AvroSerde<SpecificRecordBase> serde = new AvroSerde<>(type);
      int samples = 0;
      for (Object generic : new RandomData(GenericData.get(), schema, 50, 58L)) {
        SpecificRecordBase value =
            (SpecificRecordBase) SpecificData.get().deepCopy(schema, generic);
        byte[] bytes = serde.encode(value);
        assertThat(bytes).as("%s sample %d", avsc, samples).isEqualTo(avrosOwn(schema, value));
        assertThat(serde.decode(bytes)).as("%s sample %d", avsc, samples).isEqualTo(value);
        samples++;
      }
      assertThat(samples).isEqualTo(50);
      types++;
    }
    assertThat(types).isEqualTo(PublishedSchemas.CURRENT.size() - 1);
  }

  /** The value (as its encoding, so NaN compares equal) or the error a decode gives. */
  private static String outcome(AvroSerde<SpecificRecordBase> serde, byte[] bytes) {
    try {
      return "value " + HexFormat.of().formatHex(serde.encode(serde.decode(bytes)));
    } catch (RuntimeException e) {
      return "error " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** What AvroSerde's decode gave before docs/adr/0073: Avro's message decoder alone. */
  private static String messageDecoders(
      AvroSerde<SpecificRecordBase> serde, Schema schema, String name, byte[] bytes) {
    BinaryMessageDecoder<SpecificRecordBase> decoder =
        new BinaryMessageDecoder<>(SpecificData.get(), schema, SchemaHistory.shared().store());
    try {
      return "value " + HexFormat.of().formatHex(serde.encode(decoder.decode(bytes)));
    } catch (Exception e) {
      return "error org.apache.kafka.common.errors.SerializationException: cannot decode "
          + bytes.length
          + " bytes as "
          + name
          + " (Avro single-object encoding): "
          + e.getMessage();
    }
  }

  @Test
  void decodesIntactAndDamagedRecordsAsAvrosMessageDecoderValueOrMessage() throws Exception {
    Random r = new Random(73);
    int errors = 0;
    int values = 0;
    for (String avsc : PublishedSchemas.CURRENT) {
      if (avsc.equals("Common.avsc")) {
        continue;
      }
      Class<SpecificRecordBase> type = type(avsc);
      Schema schema = SpecificData.get().getSchema(type);
      AvroSerde<SpecificRecordBase> serde = new AvroSerde<>(type);
      int i = 0;
      for (Object generic : new RandomData(GenericData.get(), schema, 400, 73L)) {
        byte[] bytes =
            serde.encode((SpecificRecordBase) SpecificData.get().deepCopy(schema, generic));
        byte[] damaged =
            switch (i++ % 5) {
              case 0 -> bytes; // intact
              case 1 -> Arrays.copyOf(bytes, 10 + r.nextInt(bytes.length - 9)); // cut short
              case 2 -> { // one byte of the body changed
                byte[] b = bytes.clone();
                if (b.length > 10) {
                  b[10 + r.nextInt(b.length - 10)] = (byte) r.nextInt(256);
                }
                yield b;
              }
              case 3 -> { // several bytes changed, the header's included
                byte[] b = bytes.clone();
                for (int k = 0; k < 4; k++) {
                  b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                yield b;
              }
              default -> { // bytes after the record
                byte[] b = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(8));
                b[bytes.length] = (byte) r.nextInt(256);
                yield b;
              }
            };
        String expected = messageDecoders(serde, schema, type.getSimpleName(), damaged);
        assertThat(outcome(serde, damaged)).as("%s record %d", avsc, i).isEqualTo(expected);
        if (expected.startsWith("error")) {
          errors++;
        } else {
          values++;
        }
      }
    }
    // both kinds are exercised
    assertThat(errors).isGreaterThan(500);
    assertThat(values).isGreaterThan(1_000);
  }

  @Test
  void aRecordLargerThanEveryBufferIsEncodedWholeAndTheNextSmallOneAlone() throws Exception {
    List<Long> values = new ArrayList<>();
    for (long i = 0; i < 50_000; i++) {
      values.add(i * 1_000_003L);
    }
    ServiceHistory large =
        ServiceHistory.newBuilder()
            .setService("svc")
            .setWeek("all")
            .setMttdMs(values)
            .setIncidentStartsMs(values)
            .build();
    ServiceHistory small = ServiceHistory.newBuilder().setService("s").setWeek("w").build();
    AvroSerde<ServiceHistory> serde = AvroSerde.of(ServiceHistory.class);

    byte[] first = serde.encode(large);
    byte[] after = serde.encode(small);

    assertThat(first.length).isGreaterThan(100_000);
    assertThat(first).isEqualTo(avrosOwn(ServiceHistory.SCHEMA$, large));
    assertThat(after).isEqualTo(avrosOwn(ServiceHistory.SCHEMA$, small));
    assertThat(serde.decode(first)).isEqualTo(large);
  }

  @Test
  void anEncodeThatFailsHalfWayLeavesNothingInTheNextOne() throws Exception {
    AvroSerde<ServiceHistory> serde = AvroSerde.of(ServiceHistory.class);
    ServiceHistory broken = ServiceHistory.newBuilder().setService("s").setWeek("w").build();
    broken.setMttdMs(null); // a required array: Avro refuses it after writing the fields before

    assertThatThrownBy(() -> serde.encode(broken)).isInstanceOf(NullPointerException.class);

    ServiceHistory fine = ServiceHistory.newBuilder().setService("s").setWeek("w").build();
    assertThat(serde.encode(fine)).isEqualTo(avrosOwn(ServiceHistory.SCHEMA$, fine));
  }
}
