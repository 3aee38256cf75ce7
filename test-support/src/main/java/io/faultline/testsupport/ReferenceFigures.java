package io.faultline.testsupport;

import java.util.Arrays;

/**
 * Expected history figures worked out the plain way (sort, then read off), for tests of the rollup
 * and of what the CLI prints from it: the mean and the percentile interpolated between the values
 * around rank q(n-1) (PERCENTILE.INC), both rounded to the millisecond.
 */
public final class ReferenceFigures {

  private ReferenceFigures() {}

  /** The mean of {@code values}, rounded to the millisecond. */
  public static long mean(long[] values) {
    return Math.round(Arrays.stream(values).average().orElseThrow());
  }

  /** The {@code q} percentile (0 to 1) of {@code values}, in any order; none is an error. */
  public static long percentile(long[] values, double q) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    double rank = q * (sorted.length - 1);
    int i = (int) rank;
    if (i == sorted.length - 1) {
      return sorted[i];
    }
    return Math.round(sorted[i] + (rank - i) * (sorted[i + 1] - sorted[i]));
  }
}
