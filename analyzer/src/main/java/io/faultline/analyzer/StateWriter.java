package io.faultline.analyzer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the analyzer's state in {@link StateSerde}'s binary form: doubles as their 8 bytes,
 * integers as zig-zag varints, each string once per record (later occurrences as a reference), and
 * every object as a length-prefixed block, so a reader can skip the fields it does not know.
 */
final class StateWriter {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] buf = new byte[512];
  private int pos;
  private Map<String, Integer> strings;

  void writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  void bool(boolean b) {
    writeByte(b ? 1 : 0);
  }

  void varLong(long v) {
    ensure(10);
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    buf[pos++] = (byte) z;
  }

  void varInt(int v) {
    varLong(v);
  }

  void dbl(double v) {
    ensure(8);
    LONGS.set(buf, pos, Double.doubleToRawLongBits(v));
    pos += 8;
  }

  void nullableDouble(Double v) {
    bool(v != null);
    if (v != null) {
      dbl(v);
    }
  }

  void nullableLong(Long v) {
    bool(v != null);
    if (v != null) {
      varLong(v);
    }
  }

  /** Null, a new string (its UTF-8 bytes), or a reference to one written before in this record. */
  void string(String s) {
    if (s == null) {
      varInt(0);
      return;
    }
    if (strings == null) {
      strings = new HashMap<>();
    }
    Integer seen = strings.get(s);
    if (seen != null) {
      varInt(seen + 2);
      return;
    }
    strings.put(s, strings.size());
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varInt(1);
    varInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  /** Null as 0, else the length + 1 and the values. */
  void doubles(double[] a) {
    if (a == null) {
      varInt(0);
      return;
    }
    varInt(a.length + 1);
    ensure(8 * a.length);
    for (double v : a) {
      LONGS.set(buf, pos, Double.doubleToRawLongBits(v));
      pos += 8;
    }
  }

  void longs(long[] a) {
    if (a == null) {
      varInt(0);
      return;
    }
    varInt(a.length + 1);
    for (long v : a) {
      varLong(v);
    }
  }

  /** Null as 0, else the size + 1 and each row as {@link #doubles}. */
  void rows(List<double[]> rows) {
    if (rows == null) {
      varInt(0);
      return;
    }
    varInt(rows.size() + 1);
    for (double[] r : rows) {
      doubles(r);
    }
  }

  /** Null as 0, else the size + 1 and the values (a null element is written as NaN). */
  void doubleList(List<Double> values) {
    if (values == null) {
      varInt(0);
      return;
    }
    varInt(values.size() + 1);
    ensure(8 * values.size());
    for (Double v : values) {
      LONGS.set(buf, pos, Double.doubleToRawLongBits(v == null ? Double.NaN : v));
      pos += 8;
    }
  }

  /** Starts an object's block; give the returned mark to {@link #end}. */
  int begin() {
    ensure(4);
    int mark = pos;
    pos += 4;
    return mark;
  }

  void end(int mark) {
    INTS.set(buf, mark, pos - mark - 4);
  }

  byte[] toBytes() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }
}
