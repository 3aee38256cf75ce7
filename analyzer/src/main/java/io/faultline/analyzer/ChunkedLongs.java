package io.faultline.analyzer;

import java.io.IOException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.Encoder;

/**
 * An immutable list of longs in chunks of at most {@link #MAX_CHUNK}, for the history's lists that
 * grow with every attack and alert (docs/adr/0058). Adding or removing a value at its sorted place
 * copies one chunk and the chunks' index, not the list; the sum is kept, so a mean needs no pass.
 * Each chunk keeps its Avro encoding as one array block once written, so a record whose list did
 * not change writes its bytes again without encoding its values ({@link #writeBlocks}).
 */
final class ChunkedLongs extends AbstractList<Long> implements RandomAccess {

  /**
   * Values per chunk when a list is built; a chunk is split in two when it exceeds twice that. An
   * update encodes one chunk and copies the index of n / CHUNK chunks: 64 balances the two up to
   * lists of some ten thousand values (docs/adr/0058).
   */
  static final int CHUNK = 64;

  static final int MAX_CHUNK = 2 * CHUNK;

  private static final ChunkedLongs EMPTY = new ChunkedLongs(new Chunk[0]);

  private static final class Chunk {
    private final long[] values;
    private final long sum;
    private volatile byte[] block; // count then values, as Avro writes one block of an array

    Chunk(long[] values) {
      this.values = values;
      long s = 0;
      for (long v : values) {
        s += v;
      }
      this.sum = s;
    }

    byte[] block() {
      byte[] b = block;
      if (b == null) {
        byte[] out = new byte[10 * (values.length + 1)]; // a varint long takes at most 10 bytes
        int at = BinaryData.encodeLong(values.length, out, 0);
        for (long v : values) {
          at += BinaryData.encodeLong(v, out, at);
        }
        b = Arrays.copyOf(out, at);
        block = b;
      }
      return b;
    }
  }

  private final Chunk[] chunks;
  private final int[] ends; // values up to and including each chunk
  private final long sum;

  private ChunkedLongs(Chunk[] chunks) {
    this.chunks = chunks;
    this.ends = new int[chunks.length];
    long s = 0;
    int n = 0;
    for (int i = 0; i < chunks.length; i++) {
      n += chunks[i].values.length;
      ends[i] = n;
      s += chunks[i].sum;
    }
    this.sum = s;
  }

  /** The values in the order given; the list itself when it already is one. */
  static ChunkedLongs of(List<Long> values) {
    if (values instanceof ChunkedLongs chunked) {
      return chunked;
    }
    if (values.isEmpty()) {
      return EMPTY;
    }
    Chunk[] chunks = new Chunk[(values.size() + CHUNK - 1) / CHUNK];
    for (int c = 0; c < chunks.length; c++) {
      int from = c * CHUNK;
      long[] part = new long[Math.min(CHUNK, values.size() - from)];
      for (int i = 0; i < part.length; i++) {
        part[i] = values.get(from + i);
      }
      chunks[c] = new Chunk(part);
    }
    return new ChunkedLongs(chunks);
  }

  /** How many chunks this list and {@code other} hold in common, the same objects (for tests). */
  int sharedChunks(ChunkedLongs other) {
    int shared = 0;
    for (Chunk c : chunks) {
      for (Chunk o : other.chunks) {
        if (c == o) {
          shared++;
        }
      }
    }
    return shared;
  }

  /** The sum of the values. */
  long sum() {
    return sum;
  }

  @Override
  public int size() {
    return ends.length == 0 ? 0 : ends[ends.length - 1];
  }

  @Override
  public Long get(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("index " + index + " of " + size() + " values");
    }
    int c = Arrays.binarySearch(ends, index + 1);
    c = c >= 0 ? c : -c - 1;
    return chunks[c].values[index - (c == 0 ? 0 : ends[c - 1])];
  }

  /** Walks the chunks in order, without looking each index up (Avro's writer iterates a list). */
  @Override
  public Iterator<Long> iterator() {
    return new Iterator<>() {
      private int chunk;
      private int at;

      @Override
      public boolean hasNext() {
        return chunk < chunks.length;
      }

      @Override
      public Long next() {
        if (chunk >= chunks.length) {
          throw new NoSuchElementException("past the last of " + size() + " values");
        }
        long[] values = chunks[chunk].values;
        long v = values[at++];
        if (at == values.length) {
          chunk++;
          at = 0;
        }
        return v;
      }
    };
  }

  /** The chunk a value belongs to in a sorted list: the first whose last value is not below it. */
  private int chunkFor(long v) {
    int low = 0;
    int high = chunks.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      long[] m = chunks[mid].values;
      if (m[m.length - 1] < v) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** This sorted list with {@code v} at its sorted place. */
  ChunkedLongs withSorted(long v) {
    if (chunks.length == 0) {
      return new ChunkedLongs(new Chunk[] {new Chunk(new long[] {v})});
    }
    int c = chunkFor(v);
    long[] old = chunks[c].values;
    int at = Arrays.binarySearch(old, v);
    at = at >= 0 ? at : -at - 1;
    long[] grown = new long[old.length + 1];
    System.arraycopy(old, 0, grown, 0, at);
    grown[at] = v;
    System.arraycopy(old, at, grown, at + 1, old.length - at);
    if (grown.length <= MAX_CHUNK) {
      Chunk[] out = chunks.clone();
      out[c] = new Chunk(grown);
      return new ChunkedLongs(out);
    }
    Chunk[] out = new Chunk[chunks.length + 1];
    System.arraycopy(chunks, 0, out, 0, c);
    int half = grown.length / 2;
    out[c] = new Chunk(Arrays.copyOfRange(grown, 0, half));
    out[c + 1] = new Chunk(Arrays.copyOfRange(grown, half, grown.length));
    System.arraycopy(chunks, c + 1, out, c + 2, chunks.length - c - 1);
    return new ChunkedLongs(out);
  }

  /** This sorted list without one value equal to {@code v}; the list itself when it has none. */
  ChunkedLongs withoutSorted(long v) {
    if (chunks.length == 0) {
      return this;
    }
    int c = chunkFor(v);
    long[] old = chunks[c].values;
    int at = Arrays.binarySearch(old, v);
    if (at < 0) {
      return this;
    }
    if (old.length == 1) {
      Chunk[] out = new Chunk[chunks.length - 1];
      System.arraycopy(chunks, 0, out, 0, c);
      System.arraycopy(chunks, c + 1, out, c, chunks.length - c - 1);
      return out.length == 0 ? EMPTY : new ChunkedLongs(out);
    }
    long[] shrunk = new long[old.length - 1];
    System.arraycopy(old, 0, shrunk, 0, at);
    System.arraycopy(old, at + 1, shrunk, at, old.length - at - 1);
    Chunk[] out = chunks.clone();
    out[c] = new Chunk(shrunk);
    return new ChunkedLongs(out);
  }

  /**
   * Writes the list as an Avro array of longs, one block per chunk, each block's bytes encoded once
   * per chunk. Avro's readers read any number of blocks: the value decodes to the same list as the
   * one-block encoding of Avro's own writer.
   */
  void writeBlocks(Encoder out) throws IOException {
    for (Chunk c : chunks) {
      byte[] b = c.block();
      out.writeFixed(b, 0, b.length);
    }
    out.writeArrayEnd();
  }
}
