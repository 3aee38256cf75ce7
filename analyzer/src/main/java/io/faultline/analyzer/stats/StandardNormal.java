package io.faultline.analyzer.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The standard normal's quantiles from one shared distribution. commons-math's {@code new
 * NormalDistribution()} seeds a Mersenne-Twister-like generator (2.5 KB of state) that only
 * sampling uses; built per judged window it was 8% of the stream thread (docs/adr/0073). The
 * quantile does not depend on the generator, and the distribution keeps no other state, so one
 * instance serves every thread.
 */
public final class StandardNormal {

  private static final NormalDistribution N = new NormalDistribution(null, 0, 1);

  private StandardNormal() {}

  /** z such that P(|Z| <= z) = confidence. */
  public static double twoSidedZ(double confidence) {
    return N.inverseCumulativeProbability(1 - (1 - confidence) / 2);
  }
}
