package io.faultline.analyzer.stats;

/** What of a metric's distribution a hypothesis watches in each datapoint. */
public enum Statistic {
  /** The mean (the level). */
  MEAN,
  /** The tail: the 99th percentile of each group's samples in the datapoint. */
  P99,
  /** The spread: each group's standard deviation in the datapoint (needs 2 samples per group). */
  SPREAD;

  /** {@code mean}, {@code p99} or {@code spread}, as written in experiment files and options. */
  public static Statistic parse(String text) {
    return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "mean" -> MEAN;
      case "p99" -> P99;
      case "spread" -> SPREAD;
      default ->
          throw new IllegalArgumentException(
              "statistic '" + text + "': must be mean, p99 or spread");
    };
  }
}
