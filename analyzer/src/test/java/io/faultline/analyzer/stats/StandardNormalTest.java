package io.faultline.analyzer.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class StandardNormalTest {

  @Test
  void twoSidedZIsBitForBitTheQuantileOfANewNormalDistribution() {
    for (double confidence = 0.5; confidence < 0.99999; confidence += 0.00037) {
      double expected =
          new NormalDistribution().inverseCumulativeProbability(1 - (1 - confidence) / 2);
      assertEquals(
          Double.doubleToRawLongBits(expected),
          Double.doubleToRawLongBits(StandardNormal.twoSidedZ(confidence)),
          "confidence " + confidence);
    }
    assertEquals(1.959963984540054, StandardNormal.twoSidedZ(0.95), 1e-12);
  }

  @Test
  void aChiSquaredWithoutGeneratorHasTheSameQuantiles() {
    for (int df = 1; df < 300; df++) {
      assertEquals(
          Double.doubleToRawLongBits(
              new ChiSquaredDistribution(df).inverseCumulativeProbability(0.05)),
          Double.doubleToRawLongBits(
              new ChiSquaredDistribution(null, df).inverseCumulativeProbability(0.05)),
          "df " + df);
    }
  }
}
