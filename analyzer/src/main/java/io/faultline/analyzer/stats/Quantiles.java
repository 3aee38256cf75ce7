package io.faultline.analyzer.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.encoding.Output;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import io.faultline.schema.SampleSummaries;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A mergeable quantile sketch of one group's values in one window (DDSketch, 1% relative accuracy,
 * at most 2048 bins; the lowest bins collapse first, so upper quantiles keep their accuracy).
 */
public final class Quantiles {

  // the collector's summaries use the same sketch (SampleSummaries, docs/adr/0043)
  static final double RELATIVE_ACCURACY = SampleSummaries.SKETCH_ACCURACY;
  static final int MAX_BINS = SampleSummaries.SKETCH_MAX_BINS;

  private final DDSketch sketch;

  public Quantiles() {
    this(DDSketches.collapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS));
  }

  private Quantiles(DDSketch sketch) {
    this.sketch = sketch;
  }

  public Quantiles add(double value) {
    sketch.accept(value);
    return this;
  }

  public Quantiles merge(Quantiles other) {
    sketch.mergeWith(other.sketch);
    return this;
  }

  public boolean isEmpty() {
    return sketch.isEmpty();
  }

  public double count() {
    return sketch.getCount();
  }

  /** The relative accuracy of the sketch's index mapping. */
  public double relativeAccuracy() {
    return sketch.getIndexMapping().relativeAccuracy();
  }

  /** The value at quantile q (0..1), within 1% relative error; NaN when empty. */
  public double quantile(double q) {
    return sketch.isEmpty() ? Double.NaN : sketch.getValueAtQuantile(q);
  }

  public byte[] encode() {
    GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(64);
    encodeTo(out);
    return out.trimmedCopy();
  }

  /** Writes {@link #encode}'s bytes to {@code out}, with no array of their own. */
  public void encodeTo(Output out) {
    try {
      sketch.encode(out, false);
    } catch (IOException e) {
      throw new UncheckedIOException("quantile sketch: " + e, e);
    }
  }

  public static Quantiles decode(byte[] bytes) {
    try {
      return new Quantiles(
          DDSketch.decode(
              ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS)));
    } catch (IOException e) {
      throw new UncheckedIOException("quantile sketch of " + bytes.length + " bytes: " + e, e);
    }
  }
}
