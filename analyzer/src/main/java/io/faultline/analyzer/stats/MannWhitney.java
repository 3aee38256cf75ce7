package io.faultline.analyzer.stats;

import java.util.Arrays;

/**
 * Kayenta-style end-of-experiment judgement: the Mann–Whitney (Wilcoxon rank-sum) confidence
 * interval of the shift between experiment and control (Hodges–Lehmann), compared with a tolerated
 * shift of {@code tolerance * |control mean|}. HIGH when the whole interval lies above it (and the
 * direction allows), LOW when it lies below its negative, PASS otherwise, NODATA without data.
 */
public final class MannWhitney {

  /** Pairwise differences beyond this are computed on evenly thinned samples. */
  static final long MAX_PAIRS = 4_000_000L;

  public enum Classification {
    HIGH,
    LOW,
    PASS,
    NODATA
  }

  /** The interval of the shift, its point estimate, the tolerated shift and the class. */
  public record Judgement(
      Classification classification, double estimate, double lower, double upper, double allowed) {}

  private MannWhitney() {}

  public static Judgement classify(
      double[] control,
      double[] experiment,
      Direction direction,
      double tolerance,
      double confidence) {
    if (control.length == 0 || experiment.length == 0) {
      return new Judgement(Classification.NODATA, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence " + confidence + ": must be between 0 and 1");
    }
    double[] c = thin(control, experiment.length);
    double[] e = thin(experiment, c.length);
    double[] diffs = new double[c.length * e.length];
    int k = 0;
    for (double x : e) {
      for (double y : c) {
        diffs[k++] = x - y;
      }
    }
    Arrays.sort(diffs);
    long n = e.length;
    long m = c.length;
    double estimate = median(diffs);
    double z = StandardNormal.twoSidedZ(confidence);
    double ca = n * m / 2.0 - z * Math.sqrt(n * m * (n + m + 1) / 12.0);
    int lowIndex = (int) Math.max(0, Math.floor(ca));
    int highIndex = (int) Math.min(diffs.length - 1, diffs.length - 1 - lowIndex);
    double lower = diffs[Math.min(lowIndex, diffs.length - 1)];
    double upper = diffs[Math.max(highIndex, 0)];
    double allowed = tolerance * Math.abs(mean(control));
    Classification result = Classification.PASS;
    if (direction != Direction.DECREASE && lower > allowed) {
      result = Classification.HIGH;
    } else if (direction != Direction.INCREASE && upper < -allowed) {
      result = Classification.LOW;
    } else if (lower == upper) {
      // Ties (a sparse error metric: mostly zeros) pin the shift's interval to one value, where a
      // location shift says nothing; the tie-corrected rank-sum test and the means decide
      double z2 = rankSumZ(control, experiment);
      double shift = mean(experiment) - mean(control);
      // each side at (1 - confidence) / 2, as the interval's ends
      double zOne = StandardNormal.twoSidedZ(confidence);
      if (direction != Direction.DECREASE && z2 > zOne && shift > allowed) {
        result = Classification.HIGH;
      } else if (direction != Direction.INCREASE && z2 < -zOne && shift < -allowed) {
        result = Classification.LOW;
      }
    }
    return new Judgement(result, estimate, lower, upper, allowed);
  }

  /**
   * The rank-sum statistic of experiment over control, standardised with the tie correction:
   * positive when the experiment tends to be larger.
   */
  static double rankSumZ(double[] control, double[] experiment) {
    int n = experiment.length;
    int m = control.length;
    double[][] all = new double[n + m][];
    for (int i = 0; i < n; i++) {
      all[i] = new double[] {experiment[i], 1};
    }
    for (int i = 0; i < m; i++) {
      all[n + i] = new double[] {control[i], 0};
    }
    Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
    double rankSum = 0;
    double ties = 0;
    int i = 0;
    while (i < all.length) {
      int j = i;
      while (j + 1 < all.length && all[j + 1][0] == all[i][0]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      double t = j - i + 1;
      ties += t * t * t - t;
      for (int k = i; k <= j; k++) {
        rankSum += all[k][1] * rank;
      }
      i = j + 1;
    }
    double u = rankSum - n * (n + 1) / 2.0;
    double total = n + m;
    double variance = n * (double) m / 12.0 * ((total + 1) - ties / (total * (total - 1)));
    return variance <= 0 ? 0.0 : (u - n * (double) m / 2.0) / Math.sqrt(variance);
  }

  /** Keeps every k-th value so that {@code values.length * other} stays under MAX_PAIRS. */
  static double[] thin(double[] values, int other) {
    long pairs = (long) values.length * other;
    if (pairs <= MAX_PAIRS) {
      return values;
    }
    int keep = (int) Math.max(1, Math.sqrt(MAX_PAIRS) * values.length / Math.sqrt(pairs));
    double[] out = new double[keep];
    for (int i = 0; i < keep; i++) {
      out[i] = values[(int) ((long) i * values.length / keep)];
    }
    return out;
  }

  /** The median of values sorted ascending (the mean of the middle two for an even count). */
  public static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  public static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}
