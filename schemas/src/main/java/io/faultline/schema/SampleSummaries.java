package io.faultline.schema;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One source's observations of one metric and target in one tumbling window, pre-aggregated into a
 * {@link SampleSummary} (docs/adr/0043). The sketch's parameters and the moments' arithmetic
 * ({@link Moments}) are the analyzer's window's own, so that merging a summary there equals adding
 * its observations.
 */
public final class SampleSummaries {

  /** DDSketch relative accuracy of every window sketch, the collector's and the analyzer's. */
  public static final double SKETCH_ACCURACY = 0.01;

  /** At most this many bins; the lowest collapse first. */
  public static final int SKETCH_MAX_BINS = 2048;

  /**
   * The tumbling window's size unless configured, the one default of the analyzer's {@code
   * analyzer.window}, the collector's {@code collector.summary.window} (which must equal it) and an
   * experiment file's {@code steadyState.window}.
   */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(5);

  /** The smallest window either side accepts. */
  public static final Duration MIN_WINDOW = Duration.ofSeconds(1);

  /** The largest window either side accepts. */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);

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
    private final Moments moments = new Moments();
    private long latest = Long.MIN_VALUE;
    private final DDSketch sketch = newSketch();

    public Accumulator(long windowStart, long windowMs) {
      this.windowStart = windowStart;
      this.windowMs = windowMs;
    }

    /** Adds one observation, as the analyzer's window adds one ({@link Moments}). */
    public Accumulator add(long timestampMs, double value) {
      moments.add(value);
      sketch.accept(value);
      latest = Math.max(latest, timestampMs);
      return this;
    }

    public long count() {
      return moments.count();
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
          .setCount(moments.count())
          .setMean(moments.mean())
          .setM2(moments.m2())
          .setMin(moments.min())
          .setMax(moments.max())
          .setSum(moments.sum())
          .setSketch(ByteBuffer.wrap(out.trimmedCopy()))
          .build();
    }
  }
}
