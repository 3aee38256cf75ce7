package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;

class MetricSampleReaderTest {

  private static final Schema SCHEMA = MetricSample.getClassSchema();
  private static final int HEADER = 10;

  private static Iterable<MetricSample> randomSamples(int count, long seed) {
    return () ->
        new java.util.Iterator<>() {
          private final java.util.Iterator<Object> generic =
              new RandomData(GenericData.get(), SCHEMA, count, seed).iterator();

          @Override
          public boolean hasNext() {
            return generic.hasNext();
          }

          @Override
          public MetricSample next() {
            return (MetricSample) SpecificData.get().deepCopy(SCHEMA, generic.next());
          }
        };
  }

  private static BinaryDecoder body(byte[] bytes) {
    return DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
  }

  /** What Avro's specific reader of the current schema returns, or the exception it throws. */
  private static Object avros(byte[] bytes) {
    try {
      return new SpecificDatumReader<MetricSample>(SCHEMA, SCHEMA, SpecificData.get())
          .read(null, body(bytes));
    } catch (Exception e) {
      return e;
    }
  }

  private static Object readers(byte[] bytes) {
    try {
      return MetricSampleReader.read(body(bytes));
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void readsEverySampleAsAvrosSpecificReaderDoes() {
    AvroSerde<MetricSample> avro = AvroSerde.of(MetricSample.class);
    AvroSerde<MetricSample> direct = AvroSerde.metricSamples();
    int summaries = 0;
    int labelled = 0;
    int samples = 0;
    for (MetricSample sample : randomSamples(3_000, 101L)) {
      if (samples % 2 == 1) {
        sample.setLabels(new java.util.HashMap<>()); // Avro's random maps are never empty
      }
      byte[] bytes = avro.encode(sample);
      Object read = readers(bytes);
      assertThat(read).as("sample %d", samples).isEqualTo(sample).isEqualTo(avros(bytes));
      assertThat(direct.decode(bytes)).as("sample %d", samples).isEqualTo(sample);
      summaries += sample.getSummary() != null ? 1 : 0;
      labelled += sample.getLabels().isEmpty() ? 0 : 1;
      samples++;
    }
    assertThat(samples).isEqualTo(3_000);
    assertThat(summaries).as("samples with a summary").isBetween(100, 2_900);
    assertThat(labelled).as("samples with labels").isBetween(100, 2_900);
  }

  @Test
  void aSampleAsTheAnalyzerGetsItReadsBackWhole() {
    MetricSample sample =
        MetricSample.newBuilder()
            .setExperimentId("e-ünï")
            .setMetric("http.latency.ms")
            .setGroup(Group.EXPERIMENTAL)
            .setTarget("experimental-3 \uD83D\uDE80")
            .setTimestamp(1_700_000_000_123L)
            .setValue(-0.0)
            .setUnit("ms")
            .setLabels(Map.of("instance", "a:1", "zone", "b"))
            .setSummary(
                SampleSummary.newBuilder()
                    .setWindowStart(1_700_000_000_000L)
                    .setWindowMs(1_000)
                    .setCount(3)
                    .setMean(2.5)
                    .setM2(0.5)
                    .setMin(2)
                    .setMax(3)
                    .setSum(7.5)
                    .setSketch(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                    .build())
            .build();
    MetricSample read =
        AvroSerde.metricSamples().decode(AvroSerde.of(MetricSample.class).encode(sample));
    assertThat(read).isEqualTo(sample);
    assertThat(read.getLabels()).isEqualTo(Map.of("instance", "a:1", "zone", "b"));
    assertThat(remaining(read.getSummary().getSketch())).containsExactly(1, 2, 3, 4);
  }

  /** The bytes left in a buffer, without moving it. */
  private static byte[] remaining(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  @Test
  void refusesTheDamagedBodiesAvrosReaderRefusesAndReadsTheOthersAlike() {
    AvroSerde<MetricSample> avro = AvroSerde.of(MetricSample.class);
    AvroSerde<MetricSample> direct = AvroSerde.metricSamples();
    Random random = new Random(7);
    int refused = 0;
    int read = 0;
    int cases = 0;
    for (MetricSample sample : randomSamples(400, 202L)) {
      byte[] bytes = avro.encode(sample);
      for (int k = 0; k < 12; k++) {
        byte[] damaged =
            k < 4
                ? Arrays.copyOf(bytes, HEADER + random.nextInt(bytes.length - HEADER))
                : bytes.clone();
        if (k >= 4) {
          damaged[HEADER + random.nextInt(bytes.length - HEADER)] = (byte) random.nextInt(256);
        }
        Object expected = avros(damaged);
        Object actual = readers(damaged);
        if (expected instanceof Exception) {
          assertThat(actual).as("case %d", cases).isInstanceOf(Exception.class);
          refused++;
        } else {
          assertThat(actual).as("case %d", cases).isEqualTo(expected);
          read++;
        }
        // through the serde: the same sample, or the same refusal with Avro's message
        Object viaAvro = decode(avro, damaged);
        Object viaDirect = decode(direct, damaged);
        if (viaAvro instanceof Exception e) {
          assertThat(viaDirect).isInstanceOf(e.getClass());
          assertThat(((Exception) viaDirect).getMessage()).isEqualTo(e.getMessage());
        } else {
          assertThat(viaDirect).isEqualTo(viaAvro);
        }
        cases++;
      }
    }
    assertThat(refused).as("bodies refused").isGreaterThan(500);
    assertThat(read).as("damaged bodies still read").isGreaterThan(500);
  }

  private static Object decode(AvroSerde<MetricSample> serde, byte[] bytes) {
    try {
      return serde.decode(bytes);
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void refusesAGroupOrSummaryBranchOutOfRange() {
    AvroSerde<MetricSample> avro = AvroSerde.of(MetricSample.class);
    MetricSample sample =
        MetricSample.newBuilder()
            .setExperimentId("e")
            .setMetric("m")
            .setGroup(Group.CONTROL)
            .setTimestamp(5)
            .setValue(1)
            .build();
    byte[] bytes = avro.encode(sample);
    // body: "e" (02 65), "m" (02 6d), group 1 (02); then target, timestamp, value, unit, error,
    // labels (00), summary branch 0 (00) last
    byte[] badGroup = bytes.clone();
    assertThat(badGroup[HEADER + 4]).isEqualTo((byte) 2);
    badGroup[HEADER + 4] = 6; // symbol 3
    byte[] badBranch = bytes.clone();
    badBranch[bytes.length - 1] = 4; // branch 2
    for (byte[] bad : new byte[][] {badGroup, badBranch}) {
      assertThat(avros(bad)).isInstanceOf(Exception.class);
      assertThat(readers(bad)).isInstanceOf(Exception.class);
      assertThatThrownBy(() -> AvroSerde.metricSamples().decode(bad))
          .hasMessage(((Exception) decode(avro, bad)).getMessage());
    }
  }

  @Test
  void fitsTheCurrentSchemaOnly() throws Exception {
    assertThat(MetricSampleReader.fits(SCHEMA))
        .as("MetricSample.avsc changed: change MetricSampleReader.read and FINGERPRINT with it")
        .isTrue();
    try (InputStream in =
        getClass().getResourceAsStream("/faultline/avro/history/MetricSample-v1.avsc")) {
      assertThat(MetricSampleReader.fits(new Schema.Parser().parse(in))).isFalse();
    }
  }
}
