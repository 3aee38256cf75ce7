package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
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
