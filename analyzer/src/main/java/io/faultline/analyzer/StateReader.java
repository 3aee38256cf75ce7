package io.faultline.analyzer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@link StateWriter} wrote; a truncated or corrupt record throws. */
final class StateReader {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] buf;
  private int pos;
  private List<String> strings;

  StateReader(byte[] buf, int from) {
    this.buf = buf;
    this.pos = from;
  }

  int readByte() {
    return buf[pos++];
  }

  boolean bool() {
    return buf[pos++] != 0;
  }

  long varLong() {
    long z = 0;
    int shift = 0;
    while (true) {
      byte b = buf[pos++];
      z |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new IllegalStateException("varint longer than 10 bytes at " + pos);
      }
    }
    return (z >>> 1) ^ -(z & 1);
  }

  int varInt() {
    return Math.toIntExact(varLong());
  }

  double dbl() {
    check(8);
    double v = Double.longBitsToDouble((long) LONGS.get(buf, pos));
    pos += 8;
    return v;
  }

  Double nullableDouble() {
    return bool() ? dbl() : null;
  }

  Long nullableLong() {
    return bool() ? varLong() : null;
  }

  String string() {
    int tag = varInt();
    if (tag == 0) {
      return null;
    }
    if (strings == null) {
      strings = new ArrayList<>();
    }
    if (tag >= 2) {
      return strings.get(tag - 2);
    }
    int n = varInt();
    check(n);
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    strings.add(s);
    return s;
  }

  double[] doubles() {
    int n = varInt() - 1;
    if (n < 0) {
      return null;
    }
    check(8L * n);
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = Double.longBitsToDouble((long) LONGS.get(buf, pos));
      pos += 8;
    }
    return a;
  }

  long[] longs() {
    int n = varInt() - 1;
    if (n < 0) {
      return null;
    }
    check(n);
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = varLong();
    }
    return a;
  }

  /** A list written by {@link StateWriter#rows}, or {@code ifNull} for null. */
  List<double[]> rows(List<double[]> ifNull) {
    int n = varInt() - 1;
    if (n < 0) {
      return ifNull;
    }
    check(n);
    List<double[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(doubles());
    }
    return rows;
  }

  List<Double> doubleList(List<Double> ifNull) {
    int n = varInt() - 1;
    if (n < 0) {
      return ifNull;
    }
    check(8L * n);
    List<Double> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(Double.longBitsToDouble((long) LONGS.get(buf, pos)));
      pos += 8;
    }
    return values;
  }

  /**
   * A collection's size as written (its size + 1, 0 for null): -1 for null; checked against what is
   * left, since every element takes at least a byte.
   */
  int size() {
    int n = varInt() - 1;
    if (n > 0) {
      check(n);
    }
    return n;
  }

  /** Enters an object's block: returns where it ends. */
  int begin() {
    check(4);
    int length = (int) INTS.get(buf, pos);
    pos += 4;
    if (length < 0 || pos + (long) length > buf.length) {
      throw new IllegalStateException("block of " + length + " bytes at " + pos + " overruns");
    }
    return pos + length;
  }

  /** Whether the block ending at {@code end} has more fields (written by a newer version). */
  boolean before(int end) {
    return pos < end;
  }

  /** Leaves a block, skipping the fields a newer version added after the ones read. */
  void end(int end) {
    if (pos > end) {
      throw new IllegalStateException("read past the block's end " + end + ": at " + pos);
    }
    pos = end;
  }

  boolean atEnd() {
    return pos == buf.length;
  }

  private void check(long n) {
    if (n < 0 || pos + n > buf.length) {
      throw new IllegalStateException(n + " bytes at " + pos + " overrun the " + buf.length);
    }
  }
}
