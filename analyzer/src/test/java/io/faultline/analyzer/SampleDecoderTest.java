package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class SampleDecoderTest {

  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);

  /**
   * What a decoder makes of the bytes: the sample (as its encoding: Avro's equals holds NaN unequal
   * to itself), or the error it throws.
   */
  private static String outcome(Function<byte[], MetricSample> decoder, byte[] bytes) {
    MetricSample sample;
    try {
      sample = decoder.apply(bytes);
    } catch (RuntimeException e) {
      return "error " + e.getClass().getName() + ": " + e.getMessage();
    }
    return "sample " + same(sample);
  }

  private static String same(MetricSample sample) {
    return HexFormat.of().formatHex(SAMPLES.encode(sample)) + " " + sample;
  }

  private static String text(Random r) {
    int n = r.nextInt(4) == 0 ? 0 : r.nextInt(40);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.appendCodePoint(
          switch (r.nextInt(4)) {
            case 0 -> 'a' + r.nextInt(26);
            case 1 -> 0x80 + r.nextInt(0x700); // two-byte UTF-8
            case 2 -> 0x1F600 + r.nextInt(64); // a surrogate pair
            default -> '|';
          });
    }
    return b.toString();
  }

  private static double number(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> Double.NaN;
      case 1 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : -0.0;
      default -> Math.exp(10 * r.nextGaussian());
    };
  }

  static MetricSample randomSample(Random r) {
    Map<String, String> labels = new HashMap<>();
    for (int i = r.nextInt(4) == 0 ? r.nextInt(6) : 0; i > 0; i--) {
      labels.put(text(r), text(r));
    }
    MetricSample s =
        MetricSample.newBuilder()
            .setExperimentId(text(r))
            .setMetric(text(r))
            .setGroup(Group.values()[r.nextInt(Group.values().length)])
            .setTarget(text(r))
            .setTimestamp(r.nextBoolean() ? r.nextLong() : 1_700_000_000_000L + r.nextInt())
            .setValue(number(r))
            .setUnit(text(r))
            .setError(r.nextInt(10) == 0)
            .setLabels(labels)
            .build();
    if (r.nextBoolean()) {
      SampleSummaries.Accumulator acc = new SampleSummaries.Accumulator(5_000, 5_000);
      for (int i = 1 + r.nextInt(50); i > 0; i--) {
        acc.add(5_000 + r.nextInt(5_000), Math.exp(3 + r.nextGaussian()));
      }
      SampleSummary summary = acc.toSummary();
      if (r.nextInt(4) == 0) {
        byte[] junk = new byte[r.nextInt(20)];
        r.nextBytes(junk);
        summary.setSketch(ByteBuffer.wrap(junk)); // decoding does not look inside
      }
      s.setSummary(summary);
    }
    return s;
  }

  @Test
  void decodesEveryCurrentRecordAsTheGenericDecoderDoes() {
    SampleDecoder decoder = new SampleDecoder(SAMPLES);
    Random r = new Random(20261206);
    int summaries = 0;
    for (int i = 0; i < 5_000; i++) {
      MetricSample sample = randomSample(r);
      summaries += sample.getSummary() == null ? 0 : 1;
      byte[] bytes = SAMPLES.encode(sample);
      assertThat(SampleDecoder.isCurrent(bytes)).isTrue();
      MetricSample decoded = decoder.apply(bytes);
      assertThat(same(decoded)).isEqualTo(same(SAMPLES.decode(bytes)));
      // the labels' order is the decoder's, not the order they were put in
      assertThat(decoded.getLabels()).isEqualTo(sample.getLabels());
      decoded.setLabels(sample.getLabels());
      assertThat(same(decoded)).isEqualTo(same(sample));
      assertThat(decoded.getExperimentId()).isInstanceOf(String.class);
    }
    assertThat(summaries).isBetween(2_000, 3_000);
  }

  @Test
  void damagedRecordsGiveWhatTheGenericDecoderGivesValueOrMessage() {
    SampleDecoder decoder = new SampleDecoder(SAMPLES);
    Random r = new Random(18);
    int failed = 0;
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = SAMPLES.encode(randomSample(r));
      byte[] damaged =
          switch (i % 4) {
            case 0 -> Arrays.copyOf(bytes, 10 + r.nextInt(bytes.length - 9)); // cut short
            case 1 -> { // a byte of the body changed
              byte[] b = bytes.clone();
              b[10 + r.nextInt(b.length - 10)] = (byte) r.nextInt(256);
              yield b;
            }
            case 2 -> { // several bytes changed
              byte[] b = bytes.clone();
              for (int k = 0; k < 4; k++) {
                b[10 + r.nextInt(b.length - 10)] = (byte) r.nextInt(256);
              }
              yield b;
            }
            default -> { // bytes after the record
              byte[] b = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(8));
              b[bytes.length] = (byte) r.nextInt(256);
              yield b;
            }
          };
      String expected = outcome(SAMPLES::decode, damaged);
      assertThat(outcome(decoder, damaged)).as("record %d", i).isEqualTo(expected);
      if (expected.startsWith("error")) {
        failed++;
      } else {
        decoded++;
      }
    }
    // both kinds occur often enough to mean something
    assertThat(failed).isGreaterThan(2_000);
    assertThat(decoded).isGreaterThan(2_000);
  }

  @Test
  void theFuzzITsRecordsGiveWhatTheGenericDecoderGives() {
    SampleDecoder decoder = new SampleDecoder(SAMPLES);
    Random r = new Random(20261125);
    for (int i = 0; i < 8_000; i++) {
      byte[] bytes = MetricsFuzzIT.fuzz(i, r, 1_700_000_000_000L + i).value();
      assertThat(outcome(decoder, bytes))
          .as("record %d", i)
          .isEqualTo(outcome(SAMPLES::decode, bytes));
    }
  }

  @Test
  void aRecordOfTheFirstSchemaGoesThroughTheResolvingDecoder() throws Exception {
    Schema v1;
    try (InputStream in =
        SampleDecoderTest.class.getResourceAsStream(
            "/faultline/avro/history/MetricSample-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    MetricSample written =
        MetricSample.newBuilder()
            .setExperimentId("e1")
            .setMetric("http.latency.ms")
            .setGroup(Group.EXPERIMENTAL)
            .setTimestamp(1234L)
            .setValue(42.5)
            .setLabels(Map.of("zone", "a"))
            .build();
    // the fields v1 has are the first nine, in the same order: written with v1 as the schema
    ByteBuffer buffer =
        new BinaryMessageEncoder<MetricSample>(SpecificData.get(), v1).encode(written);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);

    assertThat(SampleDecoder.isCurrent(bytes)).isFalse();
    MetricSample sample = new SampleDecoder(SAMPLES).apply(bytes);
    assertThat(same(sample)).isEqualTo(same(SAMPLES.decode(bytes)));
    assertThat(sample.getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(sample.getLabels()).containsEntry("zone", "a");
    assertThat(sample.getSummary()).isNull();
  }
}
