package io.faultline.analyzer.stats;

/** Which change of a metric leaves the steady state. */
public enum Direction {
  /** Bad when the experimental group is higher (latency, errors). */
  INCREASE,
  /** Bad when the experimental group is lower (throughput, ready pods). */
  DECREASE,
  /** Bad either way. */
  EITHER
}
