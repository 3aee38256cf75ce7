package io.faultline.analyzer;

import com.datadoghq.sketch.ddsketch.encoding.Output;
import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummary;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
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
  private final Quantiles controlQuantiles;
  private final Quantiles experimentalQuantiles;

  public WindowPair() {
    this(new Summary(), new Summary(), new Quantiles(), new Quantiles());
  }

  WindowPair(Summary control, Summary experimental) {
    this(control, experimental, new Quantiles(), new Quantiles());
  }

  WindowPair(
      Summary control,
      Summary experimental,
      Quantiles controlQuantiles,
      Quantiles experimentalQuantiles) {
    this.control = control;
    this.experimental = experimental;
    this.controlQuantiles = controlQuantiles;
    this.experimentalQuantiles = experimentalQuantiles;
  }

  /** One sample, or the samples a summary stands for (docs/adr/0043), added to its group. */
  public WindowPair add(MetricSample sample) {
    SampleSummary summary = sample.getSummary();
    if (summary != null) {
      Summary moments =
          new Summary(
              summary.getCount(),
              summary.getMean(),
              summary.getM2(),
              summary.getMin(),
              summary.getMax(),
              summary.getSum());
      Quantiles sketch = SummarySketch.of(summary);
      if (sample.getGroup() == Group.CONTROL) {
        control.merge(moments);
        controlQuantiles.merge(sketch);
      } else if (sample.getGroup() == Group.EXPERIMENTAL) {
        experimental.merge(moments);
        experimentalQuantiles.merge(sketch);
      }
      return this;
    }
    if (sample.getGroup() == Group.CONTROL) {
      control.add(sample.getValue());
      controlQuantiles.add(sample.getValue());
    } else if (sample.getGroup() == Group.EXPERIMENTAL) {
      experimental.add(sample.getValue());
      experimentalQuantiles.add(sample.getValue());
    }
    return this;
  }

  static byte[] bytes(SampleSummary summary) {
    ByteBuffer b = summary.getSketch().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Both groups of another partial window folded into this one. */
  public WindowPair merge(WindowPair other) {
    control.merge(other.control);
    experimental.merge(other.experimental);
    controlQuantiles.merge(other.controlQuantiles);
    experimentalQuantiles.merge(other.experimentalQuantiles);
    return this;
  }

  public Quantiles controlQuantiles() {
    return controlQuantiles;
  }

  public Quantiles experimentalQuantiles() {
    return experimentalQuantiles;
  }

  public Summary control() {
    return control;
  }

  public Summary experimental() {
    return experimental;
  }

  /**
   * Layout v2: a version byte; per group count, mean, m2, min, max, sum (48 bytes); then per group
   * the length of its encoded DDSketch (int) and the sketch.
   */
  public static final class WindowPairSerde
      implements Serde<WindowPair>, Serializer<WindowPair>, Deserializer<WindowPair> {

    private static final byte VERSION = 2;
    private static final int FIXED = 1 + 2 * 48;

    @Override
    public byte[] serialize(String topic, WindowPair pair) {
      if (pair == null) {
        return null;
      }
      // one array, the sketches written into it (docs/adr/0083): the same bytes as a ByteBuffer
      // of the parts, without an array and two copies per sketch
      PairOutput out = new PairOutput(FIXED + 8 + 256);
      write(out, pair);
      return out.toBytes();
    }

    /**
     * {@code pair}'s bytes after {@code timestamp}'s, as a timestamped store keeps a value (Kafka
     * Streams' {@code ValueAndTimestampSerializer}: 8 bytes big-endian, then the value), written
     * into one array (docs/adr/0101).
     */
    byte[] serializeAfter(long timestamp, WindowPair pair) {
      PairOutput out = new PairOutput(8 + FIXED + 8 + 256);
      out.putLong(timestamp);
      write(out, pair);
      return out.toBytes();
    }

    private static void write(PairOutput out, WindowPair pair) {
      out.writeByte(VERSION);
      write(out, pair.control);
      write(out, pair.experimental);
      sketch(out, pair.controlQuantiles);
      sketch(out, pair.experimentalQuantiles);
    }

    @Override
    public WindowPair deserialize(String topic, byte[] data) {
      if (data == null) {
        return null;
      }
      if (data.length < FIXED + 8 || data[0] != VERSION) {
        throw new SerializationException(
            "window summary of " + data.length + " bytes, version " + data[0] + ": expected v2");
      }
      ByteBuffer buffer = ByteBuffer.wrap(data, 1, data.length - 1);
      Summary control = read(buffer);
      Summary experimental = read(buffer);
      return new WindowPair(control, experimental, sketch(buffer), sketch(buffer));
    }

    private static Quantiles sketch(ByteBuffer buffer) {
      int length = buffer.getInt();
      if (length < 0 || length > buffer.remaining()) {
        throw new SerializationException("window summary: sketch of " + length + " bytes");
      }
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      return length == 0 ? new Quantiles() : Quantiles.decode(bytes);
    }

    private static void sketch(PairOutput out, Quantiles sketch) {
      int mark = out.reserveInt();
      sketch.encodeTo(out);
      out.putIntAt(mark, out.size() - mark - 4);
    }

    private static void write(PairOutput out, Summary s) {
      out.putLong(s.count());
      out.putDouble(s.mean());
      out.putDouble(s.m2());
      out.putDouble(s.min());
      out.putDouble(s.max());
      out.putDouble(s.sum());
    }

    /** Big-endian, as {@link ByteBuffer}'s defaults, into one growing array. */
    private static final class PairOutput implements Output {

      private static final VarHandle LONGS =
          MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
      private static final VarHandle INTS =
          MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

      private byte[] buf;
      private int pos;

      PairOutput(int capacity) {
        buf = new byte[capacity];
      }

      @Override
      public void writeByte(byte b) {
        ensure(1);
        buf[pos++] = b;
      }

      void putLong(long v) {
        ensure(8);
        LONGS.set(buf, pos, v);
        pos += 8;
      }

      void putDouble(double v) {
        putLong(Double.doubleToRawLongBits(v));
      }

      int reserveInt() {
        ensure(4);
        int mark = pos;
        pos += 4;
        return mark;
      }

      void putIntAt(int at, int v) {
        INTS.set(buf, at, v);
      }

      int size() {
        return pos;
      }

      byte[] toBytes() {
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
      }

      private void ensure(int n) {
        if (pos + n > buf.length) {
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
      }
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
