package io.faultline.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;

/**
 * Reads the body of a {@link MetricSample} of the current schema straight from Avro's binary
 * decoder, field by field in the schema's order (docs/adr/0101): the analyzer decodes every sample,
 * and Avro's specific reader resolves the schema, looks up the class and goes through a reader per
 * field for each one. It reads what that reader reads, with the same decoder calls, and throws
 * where it throws (an enum symbol or union branch out of range, a short or bad body); {@link
 * AvroSerde} then reads such bytes again with Avro's own decoder, so a refusal keeps Avro's
 * message.
 *
 * <p>It is written for one schema: {@link #fits} says whether a schema is that one (by its parsing
 * fingerprint), and {@link AvroSerde#metricSamples} uses this reader only then.
 */
public final class MetricSampleReader {

  /** The parsing fingerprint of the schema this reader reads. */
  static final long FINGERPRINT = 0x3f8eb5b9533c8897L;

  private static final Group[] GROUPS = Group.values();

  private MetricSampleReader() {}

  /** Whether {@code schema} is the one this reader was written for. */
  public static boolean fits(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema) == FINGERPRINT;
  }

  /** One sample's body, as Avro's specific reader of the current schema reads it. */
  public static MetricSample read(BinaryDecoder in) throws IOException {
    String experimentId = in.readString();
    String metric = in.readString();
    Group group = group(in.readEnum());
    String target = in.readString();
    long timestamp = in.readLong();
    double value = in.readDouble();
    String unit = in.readString();
    boolean error = in.readBoolean();
    Map<String, String> labels = labels(in);
    SampleSummary summary =
        switch (in.readIndex()) {
          case 0 -> null;
          case 1 -> summary(in);
          default -> throw new AvroRuntimeException("MetricSample.summary: no such union branch");
        };
    return new MetricSample(
        experimentId, metric, group, target, timestamp, value, unit, error, labels, summary);
  }

  private static Group group(int index) {
    if (index < 0 || index >= GROUPS.length) {
      throw new AvroRuntimeException("MetricSample.group: no symbol " + index);
    }
    return GROUPS[index];
  }

  private static Map<String, String> labels(BinaryDecoder in) throws IOException {
    long size = in.readMapStart();
    Map<String, String> labels = new HashMap<>(); // its table made at the first label
    for (; size > 0; size = in.mapNext()) {
      for (; size != 0; size--) {
        String key = in.readString();
        labels.put(key, in.readString());
      }
    }
    return labels;
  }

  private static SampleSummary summary(BinaryDecoder in) throws IOException {
    long windowStart = in.readLong();
    long windowMs = in.readLong();
    long count = in.readLong();
    double mean = in.readDouble();
    double m2 = in.readDouble();
    double min = in.readDouble();
    double max = in.readDouble();
    double sum = in.readDouble();
    ByteBuffer sketch = in.readBytes(null);
    return new SampleSummary(windowStart, windowMs, count, mean, m2, min, max, sum, sketch);
  }
}
