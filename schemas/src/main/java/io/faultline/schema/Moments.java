package io.faultline.schema;

/**
 * Streaming moments of a series: count, mean and M2 (Welford, numerically stable), min, max and
 * sum; mergeable (Chan et al.), so partial moments of a window combine into the whole window's. The
 * one implementation behind the collector's window summaries ({@link SampleSummaries}) and the
 * analyzer's window statistics, so that merging a summary equals adding its observations.
 */
public class Moments {

  private long count;
  private double mean;
  private double m2;
  private double min = Double.NaN;
  private double max = Double.NaN;
  private double sum;

  public Moments() {}

  public Moments(long count, double mean, double m2, double min, double max, double sum) {
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
    this.min = min;
    this.max = max;
    this.sum = sum;
  }

  /** Adds one value. */
  public Moments add(double value) {
    count++;
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
    min = count == 1 ? value : Math.min(min, value);
    max = count == 1 ? value : Math.max(max, value);
    sum += value;
    return this;
  }

  /** Adds every value {@code other} holds, as if each had been added here. */
  public Moments merge(Moments other) {
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

  /** The sum of squared deviations from the mean. */
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
}
