package io.faultline.analyzer.stats;

/**
 * Streaming summary of one group's values: count, mean, variance (Welford, numerically stable),
 * min, max and sum. Mergeable (Chan et al.), so partial summaries of a window can be combined.
 */
public final class Summary {

  private long count;
  private double mean;
  private double m2;
  private double min = Double.NaN;
  private double max = Double.NaN;
  private double sum;

  public Summary() {}

  public Summary(long count, double mean, double m2, double min, double max, double sum) {
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
    this.min = min;
    this.max = max;
    this.sum = sum;
  }

  public static Summary of(double... values) {
    Summary s = new Summary();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  public Summary add(double value) {
    count++;
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
    min = count == 1 ? value : Math.min(min, value);
    max = count == 1 ? value : Math.max(max, value);
    sum += value;
    return this;
  }

  public Summary merge(Summary other) {
    if (other.count == 0) {
      return this;
    }
    if (count == 0) {
      count = other.count;
      mean = other.mean;
      m2 = other.m2;
      min = other.min;
      max = other.max;
      sum = other.sum;
      return this;
    }
    long n = count + other.count;
    double delta = other.mean - mean;
    mean += delta * other.count / n;
    m2 += other.m2 + delta * delta * ((double) count * other.count / n);
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    sum += other.sum;
    count = n;
    return this;
  }

  public long count() {
    return count;
  }

  public double mean() {
    return count == 0 ? 0.0 : mean;
  }

  /** Sample variance (n - 1 denominator); 0 for fewer than two values. */
  public double variance() {
    return count < 2 ? 0.0 : m2 / (count - 1);
  }

  public double m2() {
    return m2;
  }

  public double min() {
    return count == 0 ? 0.0 : min;
  }

  public double max() {
    return count == 0 ? 0.0 : max;
  }

  public double sum() {
    return sum;
  }

  @Override
  public String toString() {
    return String.format("n=%d mean=%.3f sd=%.3f", count, mean(), Math.sqrt(variance()));
  }
}
