package io.faultline.schema;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * One source's observations of one metric and target in one tumbling window, pre-aggregated into a
 * {@link SampleSummary} (docs/adr/0043). The sketch's parameters and the moments' arithmetic are
 * the analyzer's window's own, so that merging a summary there equals adding its observations.
 */
public final class SampleSummaries {

  /** DDSketch relative accuracy of every window sketch, the collector's and the analyzer's. */
  public static final double SKETCH_ACCURACY = 0.01;

  /** At most this many bins; the lowest collapse first. */
  public static final int SKETCH_MAX_BINS = 2048;

  private SampleSummaries() {}

  /** An empty sketch with the window's parameters. */
  public static DDSketch newSketch() {
    return DDSketches.collapsingLowestDense(SKETCH_ACCURACY, SKETCH_MAX_BINS);
  }

  /** The start of the tumbling window of {@code windowMs} that holds {@code timestampMs}. */
  public static long windowStart(long timestampMs, long windowMs) {
    return timestampMs - Math.floorMod(timestampMs, windowMs);
  }

  /** The observations of one window so far; not thread-safe. */
  public static final class Accumulator {
    private final long windowStart;
    private final long windowMs;
    private long count;
    private double mean;
    private double m2;
    private double min;
    private double max;
    private double sum;
    private long latest = Long.MIN_VALUE;
    private final DDSketch sketch = newSketch();

    public Accumulator(long windowStart, long windowMs) {
      this.windowStart = windowStart;
      this.windowMs = windowMs;
    }

    /** Adds one observation (Welford, as the analyzer's Summary adds one). */
    public Accumulator add(long timestampMs, double value) {
      count++;
      double delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      min = count == 1 ? value : Math.min(min, value);
      max = count == 1 ? value : Math.max(max, value);
      sum += value;
      sketch.accept(value);
      latest = Math.max(latest, timestampMs);
      return this;
    }

    public long count() {
      return count;
    }

    public long windowStart() {
      return windowStart;
    }

    /** The time of the latest observation: the summary record's timestamp. */
    public long latest() {
      return latest;
    }

    public SampleSummary toSummary() {
      GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(64);
      try {
        sketch.encode(out, false);
      } catch (IOException e) {
        throw new UncheckedIOException("window sketch: " + e, e);
      }
      return SampleSummary.newBuilder()
          .setWindowStart(windowStart)
          .setWindowMs(windowMs)
          .setCount(count)
          .setMean(mean)
          .setM2(m2)
          .setMin(min)
          .setMax(max)
          .setSum(sum)
          .setSketch(ByteBuffer.wrap(out.trimmedCopy()))
          .build();
    }
  }
}
