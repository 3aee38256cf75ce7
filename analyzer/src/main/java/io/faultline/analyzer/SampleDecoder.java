package io.faultline.analyzer;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummary;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes a {@code MetricSample} written with the current schema straight from its bytes, in the
 * schema's field order, without Avro's message decoder and resolving reader (docs/adr/0047): every
 * sample is decoded, and that path cost about half of the decode step. It reads the fields with
 * Avro's own {@link BinaryDecoder}, so the primitives (varints, lengths, UTF-8) are read as Avro
 * reads them.
 *
 * <p>Anything else goes to the generic {@link AvroSerde}: a record of an older writer schema, which
 * needs resolving, and a record this cannot read (a bad enum or union index, too few bytes), whose
 * error message is then the generic decoder's own, so the dlq reasons do not change. One instance
 * per stream task: it reuses its decoder.
 */
final class SampleDecoder implements Function<byte[], MetricSample> {

  /** The single-object header's fingerprint of the current schema. */
  private static final long CURRENT =
      SchemaNormalization.parsingFingerprint64(MetricSample.getClassSchema());

  private static final int HEADER = 10;
  private static final Group[] GROUPS = Group.values();

  private final AvroSerde<MetricSample> generic;
  private BinaryDecoder in;

  SampleDecoder(AvroSerde<MetricSample> generic) {
    this.generic = generic;
  }

  @Override
  public MetricSample apply(byte[] bytes) {
    if (isCurrent(bytes)) {
      try {
        return current(bytes);
      } catch (IOException | RuntimeException e) {
        // the generic decoder reads it again and names the problem as it always has
      }
    }
    return generic.decode(bytes);
  }

  /** Whether the bytes are single-object encoded with the current schema's fingerprint. */
  static boolean isCurrent(byte[] bytes) {
    if (!AvroSerde.isSingleObjectEncoded(bytes)) {
      return false;
    }
    long fingerprint = 0;
    for (int i = HEADER - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xffL);
    }
    return fingerprint == CURRENT;
  }

  private MetricSample current(byte[] bytes) throws IOException {
    in = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, in);
    MetricSample s = new MetricSample();
    s.setExperimentId(in.readString());
    s.setMetric(in.readString());
    s.setGroup(GROUPS[in.readEnum()]);
    s.setTarget(in.readString());
    s.setTimestamp(in.readLong());
    s.setValue(in.readDouble());
    s.setUnit(in.readString());
    s.setError(in.readBoolean());
    long size = in.readMapStart();
    // the default capacity, as the generic reader's map has: the same iteration order
    Map<String, String> labels = new HashMap<>();
    for (; size > 0; size = in.mapNext()) {
      for (; size != 0; size--) {
        labels.put(in.readString(), in.readString());
      }
    }
    s.setLabels(labels);
    int branch = in.readIndex();
    if (branch == 1) {
      SampleSummary summary = new SampleSummary();
      summary.setWindowStart(in.readLong());
      summary.setWindowMs(in.readLong());
      summary.setCount(in.readLong());
      summary.setMean(in.readDouble());
      summary.setM2(in.readDouble());
      summary.setMin(in.readDouble());
      summary.setMax(in.readDouble());
      summary.setSum(in.readDouble());
      summary.setSketch(in.readBytes(null));
      s.setSummary(summary);
    } else if (branch != 0) {
      throw new IllegalArgumentException("union index " + branch);
    }
    return s;
  }
}
