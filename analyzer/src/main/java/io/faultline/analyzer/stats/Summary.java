package io.faultline.analyzer.stats;

import io.faultline.schema.Moments;

/**
 * Streaming summary of one group's values: count, mean, variance, min, max and sum, with the
 * collector's own arithmetic ({@link Moments}: Welford, mergeable by Chan et al.), so partial
 * summaries of a window, the collector's included, combine exactly.
 */
public final class Summary extends Moments {

  public Summary() {}

  public Summary(long count, double mean, double m2, double min, double max, double sum) {
    super(count, mean, m2, min, max, sum);
  }

  public static Summary of(double... values) {
    Summary s = new Summary();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  @Override
  public Summary add(double value) {
    super.add(value);
    return this;
  }

  @Override
  public Summary merge(Moments other) {
    super.merge(other);
    return this;
  }

  @Override
  public String toString() {
    return String.format("n=%d mean=%.3f sd=%.3f", count(), mean(), Math.sqrt(variance()));
  }
}
