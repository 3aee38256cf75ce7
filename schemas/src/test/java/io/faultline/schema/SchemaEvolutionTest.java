package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

  private static Schema v1() throws Exception {
    try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/v1/MetricSample.avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  private static byte[] writeV1(Schema v1) throws Exception {
    GenericRecord r = new GenericData.Record(v1);
    r.put("experimentId", "e1");
    r.put("metric", "http.latency.ms");
    r.put("group", new GenericData.EnumSymbol(v1.getField("group").schema(), "EXPERIMENTAL"));
    r.put("target", "scale-experimental");
    r.put("timestamp", 1234L);
    r.put("value", 42.5);
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(r);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  @Test
  void currentReaderDecodesRecordWrittenWithOlderSchema() throws Exception {
    Schema v1 = v1();
    SchemaHistory history = new SchemaHistory();
    history.register(v1);
    AvroSerde<MetricSample> reader = new AvroSerde<>(MetricSample.class, history);

    MetricSample sample = reader.decode(writeV1(v1));

    assertThat(sample.getExperimentId()).isEqualTo("e1");
    assertThat(sample.getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(sample.getValue()).isEqualTo(42.5);
    assertThat(sample.getUnit()).isEmpty(); // fields added in v2 take their defaults
    assertThat(sample.getError()).isFalse();
    assertThat(sample.getLabels()).isEmpty();
  }

  @Test
  void aSummaryIsReadByTheFirstVersionsReaderAsItsMeanAndOldSamplesHaveNoSummary()
      throws Exception {
    Schema published;
    try (InputStream in =
        SchemaEvolutionTest.class.getResourceAsStream(
            "/faultline/avro/history/MetricSample-v1.avsc")) {
      published = new Schema.Parser().parse(in);
    }
    // a record of the version before summaries, read by today's reader: no summary
    GenericRecord r = new GenericData.Record(published);
    r.put("experimentId", "e1");
    r.put("metric", "http.latency.ms");
    r.put("group", new GenericData.EnumSymbol(published.getField("group").schema(), "CONTROL"));
    r.put("target", "web-1");
    r.put("timestamp", 1234L);
    r.put("value", 42.5);
    r.put("unit", "ms");
    r.put("error", false);
    r.put("labels", java.util.Map.of());
    ByteBuffer buffer =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), published).encode(r);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    MetricSample old = AvroSerde.of(MetricSample.class).decode(bytes);
    assertThat(old.getSummary()).isNull();
    assertThat(old.getValue()).isEqualTo(42.5);

    // a summary read with the first version's schema (a consumer that knows only it): its mean
    MetricSample summary =
        MetricSample.newBuilder()
            .setExperimentId("e1")
            .setMetric("http.latency.ms")
            .setGroup(Group.CONTROL)
            .setTimestamp(5_100)
            .setValue(11)
            .setSummary(
                new SampleSummaries.Accumulator(5_000, 5_000)
                    .add(5_010, 10)
                    .add(5_100, 12)
                    .toSummary())
            .build();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder =
        org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<MetricSample>(MetricSample.getClassSchema())
        .write(summary, encoder);
    encoder.flush();
    GenericRecord asV1 =
        new org.apache.avro.generic.GenericDatumReader<GenericRecord>(
                MetricSample.getClassSchema(), published)
            .read(
                null,
                org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(asV1.get("value")).isEqualTo(11.0);
    assertThat(asV1.get("timestamp")).isEqualTo(5_100L);
    assertThat(asV1.getSchema().getField("summary")).isNull();
  }

  @Test
  void unknownWriterSchemaIsAClearError() throws Exception {
    AvroSerde<MetricSample> reader = new AvroSerde<>(MetricSample.class, new SchemaHistory());
    assertThatThrownBy(() -> reader.decode(writeV1(v1())))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("as MetricSample");
  }

  @Test
  void unknownEnumSymbolFromNewerWriterFallsBackToDefault() throws Exception {
    Schema newerType =
        SchemaBuilder.enumeration("AttackEventType")
            .namespace("io.faultline.schema")
            .defaultSymbol("UNKNOWN")
            .symbols(
                "UNKNOWN",
                "ACCEPTED",
                "REJECTED",
                "STARTED",
                "STOPPED",
                "ROLLED_BACK",
                "FAILED",
                "PAUSED");
    Schema newer =
        SchemaBuilder.record("AttackEvent")
            .namespace("io.faultline.schema")
            .fields()
            .requiredString("eventId")
            .requiredString("experimentId")
            .name("type")
            .type(newerType)
            .noDefault()
            .endRecord();
    GenericRecord r = new GenericData.Record(newer);
    r.put("eventId", "ev1");
    r.put("experimentId", "e1");
    r.put("type", new GenericData.EnumSymbol(newerType, "PAUSED"));
    ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(r);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    SchemaHistory history = new SchemaHistory();
    history.register(newer);

    AttackEvent event = new AvroSerde<>(AttackEvent.class, history).decode(bytes);

    assertThat(event.getType()).isEqualTo(AttackEventType.UNKNOWN);
    assertThat(event.getEventId()).isEqualTo("ev1");
  }

  @Test
  void roundTripsEveryRecordType() {
    AvroSerde<AttackCommand> serde = AvroSerde.of(AttackCommand.class);
    AttackCommand c =
        AttackCommand.newBuilder()
            .setCommandId("c1")
            .setExperimentId("e1")
            .setType(CommandType.START)
            .setFault("cpu-burn")
            .setDurationMs(30_000L)
            .build();
    byte[] bytes = serde.encode(c);
    assertThat(AvroSerde.isSingleObjectEncoded(bytes)).isTrue();
    assertThat(serde.decode(bytes)).isEqualTo(c);
  }

  @Test
  void experimentsOfEveryPublishedVersionDecodeWithTheSharedHistory() throws Exception {
    for (String version : new String[] {"v1", "v2", "v3", "v4"}) {
      Schema old;
      try (InputStream in =
          SchemaEvolutionTest.class.getResourceAsStream(
              "/faultline/avro/history/Experiment-" + version + ".avsc")) {
        old = new Schema.Parser().parse(in);
      }
      GenericRecord r = new GenericData.Record(old);
      for (Schema.Field f : old.getFields()) {
        if (f.hasDefaultValue()) {
          r.put(f.name(), GenericData.get().getDefaultValue(f));
        }
      }
      r.put("experimentId", "e-" + version);
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(r);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);

      Experiment e = AvroSerde.of(Experiment.class).decode(bytes);

      assertThat(e.getExperimentId()).isEqualTo("e-" + version);
      assertThat(e.getSources()).as("sources added after " + version).isEmpty();
    }
  }
}
