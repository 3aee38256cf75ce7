package io.faultline.analyzer;

import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Both groups' summaries of one metric in one window. Aggregating the two groups side by side under
 * the experiment+metric key is the control-vs-experimental join (ADR 0002): both groups' samples
 * already share a partition, so no repartition and no second store are needed.
 */
public final class WindowPair {

  private final Summary control;
  private final Summary experimental;

  public WindowPair() {
    this(new Summary(), new Summary());
  }

  WindowPair(Summary control, Summary experimental) {
    this.control = control;
    this.experimental = experimental;
  }

  public WindowPair add(MetricSample sample) {
    if (sample.getGroup() == Group.CONTROL) {
      control.add(sample.getValue());
    } else if (sample.getGroup() == Group.EXPERIMENTAL) {
      experimental.add(sample.getValue());
    }
    return this;
  }

  public Summary control() {
    return control;
  }

  public Summary experimental() {
    return experimental;
  }

  /** Fixed 97-byte layout: a version byte, then count, mean, m2, min, max, sum per group. */
  public static final class WindowPairSerde
      implements Serde<WindowPair>, Serializer<WindowPair>, Deserializer<WindowPair> {

    private static final byte VERSION = 1;
    private static final int SIZE = 1 + 2 * 48;

    @Override
    public byte[] serialize(String topic, WindowPair pair) {
      if (pair == null) {
        return null;
      }
      ByteBuffer buffer = ByteBuffer.allocate(SIZE);
      buffer.put(VERSION);
      write(buffer, pair.control);
      write(buffer, pair.experimental);
      return buffer.array();
    }

    @Override
    public WindowPair deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      if (data.length != SIZE || data[0] != VERSION) {
        throw new SerializationException(
            "window summary of " + data.length + " bytes, version " + data[0] + ": expected v1");
      }
      ByteBuffer buffer = ByteBuffer.wrap(data, 1, SIZE - 1);
      return new WindowPair(read(buffer), read(buffer));
    }

    private static void write(ByteBuffer b, Summary s) {
      b.putLong(s.count()).putDouble(s.mean()).putDouble(s.m2());
      b.putDouble(s.min()).putDouble(s.max()).putDouble(s.sum());
    }

    private static Summary read(ByteBuffer b) {
      return new Summary(
          b.getLong(), b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble());
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}

    @Override
    public Serializer<WindowPair> serializer() {
      return this;
    }

    @Override
    public Deserializer<WindowPair> deserializer() {
      return this;
    }
  }
}
