package io.faultline.analyzer.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The e-detector with the datapoints' scale unknown, a t-type e-value (docs/adr/0113) averaged with
 * the plug-in's (docs/adr/0114).
 */
class ScaleFreeEDetectorTest {

  private static EDetector detector(double theta0, double factor) {
    return new EDetector(Direction.INCREASE, 0.05, 60, theta0, 0, 0.95).scaleFree(factor);
  }

  @Test
  void theTRatioTendsToTheNormalOneWithManyDegreesOfFreedom() {
    for (double eta : new double[] {0.25, 1, 3}) {
      for (double t : new double[] {-2, 0.5, 3}) {
        double nu = 1e7;
        double ratio = EDetector.logTRatio(eta, t, nu, EDetector.logScaleIntegral(0, t, nu));
        assertThat(ratio)
            .as("eta %s t %s", eta, t)
            .isCloseTo(eta * t - eta * eta / 2, within(1e-3));
      }
    }
  }

  @Test
  void theTRatioAveragesOneOverTheCentralT() {
    // E[noncentral / central density] under the central t is 1: the e-value's mean under the null
    for (double nu : new double[] {3, 18, 60}) {
      for (double eta : new double[] {0.5, 2, 5}) {
        double mass = 0;
        double mean = 0;
        double step = 1e-3;
        for (double t = -60; t <= 200; t += step) {
          double kernel = Math.exp(-(nu + 1) / 2 * Math.log1p(t * t / nu));
          mass += kernel;
          mean += kernel * Math.exp(EDetector.logTRatio(eta, t, nu, logCentral(t, nu)));
        }
        assertThat(mean / mass).as("nu %s eta %s", nu, eta).isCloseTo(1.0, within(2e-3));
      }
    }
  }

  private static double logCentral(double t, double nu) {
    return EDetector.logScaleIntegral(0, t, nu);
  }

  @Test
  void theStatisticIsEquivariantToTheDatapointsScale() {
    // the t statistic's half learns its scale whatever the variances given; the plug-in's half
    // (docs/adr/0114) takes them as known, so both move together here
    Random r = new Random(11);
    double[] warm = new double[20];
    double[] judged = new double[40];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = r.nextGaussian();
    }
    for (int i = 0; i < judged.length; i++) {
      judged[i] = r.nextGaussian() + (i >= 20 ? 1.0 : 0);
    }
    double scale = 1000;
    EDetector.State a = new EDetector.State();
    EDetector.State b = new EDetector.State();
    detector(0.2, 1.3).prime(a, warm, ones(warm.length, 1));
    detector(0.2 * scale, 1.3).prime(b, times(warm, scale), ones(warm.length, scale * scale));
    for (int i = 0; i < judged.length; i++) {
      EDetector.Step x = detector(0.2, 1.3).updateNormal(a, i, judged[i], 1);
      EDetector.Step y =
          detector(0.2 * scale, 1.3).updateNormal(b, i, judged[i] * scale, scale * scale);
      assertThat(y.logStatistic()).as("datapoint %d", i).isCloseTo(x.logStatistic(), within(1e-6));
    }
  }

  @Test
  void independentNormalDatapointsAtTheEdgeAlarmAtMostAlphaWhateverTheirScale() {
    // the t statistic's half learns the scale; the plug-in's half needs a variance at or above
    // the true one, as the dense track's chi-square bound gives it (docs/adr/0114)
    int runs = 2000;
    int alarms = 0;
    Random r = new Random(113);
    for (int run = 0; run < runs; run++) {
      double sd = Math.exp(4 * r.nextGaussian());
      double theta0 = 0.5 * sd;
      EDetector.State s = new EDetector.State();
      double[] warm = new double[20];
      for (int i = 0; i < warm.length; i++) {
        warm[i] = sd * r.nextGaussian();
      }
      double v = sd * sd * (1 + 2 * r.nextDouble());
      detector(theta0, 1).prime(s, warm, ones(warm.length, v));
      EDetector.anchorPending(s);
      boolean alarm = false;
      for (int i = 0; i < 60 && !alarm; i++) {
        if (i == 5) {
          EDetector.anchorNext(s);
        }
        double d = sd * r.nextGaussian() + (i >= 5 ? theta0 : 0);
        alarm = detector(theta0, 1).updateNormal(s, i, d, v).alarm();
      }
      alarms += alarm ? 1 : 0;
    }
    double rate = alarms / (double) runs;
    double se = Math.sqrt(0.05 * 0.95 / runs);
    assertThat(rate).isLessThanOrEqualTo(0.05 + 3 * se);
  }

  @Test
  void aRampKeepsAtLeastHalfThePlugInsEvidence() {
    // a ramp inflates the t statistic's scale (its own spread about its mean); the average with
    // the plug-in's e-value keeps at least half of the latter's at every datapoint
    Random r = new Random(42);
    double[] warm = new double[20];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = r.nextGaussian();
    }
    EDetector.State scaleFree = new EDetector.State();
    EDetector.State plugIn = new EDetector.State();
    detector(0.5, 1).prime(scaleFree, warm, ones(warm.length, 1.5));
    EDetector plain = new EDetector(Direction.INCREASE, 0.05, 60, 0.5, 0, 0.95);
    plain.prime(plugIn, warm, ones(warm.length, 1.5));
    boolean smaller = false;
    for (int i = 0; i < 12; i++) {
      double d = r.nextGaussian() + (i >= 5 ? 1.5 * (i - 4) : 0);
      double both = detector(0.5, 1).updateNormal(scaleFree, i, d, 1.5).logStatistic();
      double alone = plain.updateNormal(plugIn, i, d, 1.5).logStatistic();
      assertThat(both).as("datapoint %d", i).isGreaterThanOrEqualTo(alone - Math.log(2) - 1e-9);
      smaller |= both < alone;
    }
    assertThat(smaller).as("the t statistic's half lags on the ramp").isTrue();
  }

  @Test
  void aShiftBeyondTheEdgeIsFoundWithTheScaleUnknown() {
    Random r = new Random(7);
    int found = 0;
    for (int run = 0; run < 200; run++) {
      EDetector.State s = new EDetector.State();
      double[] warm = new double[20];
      for (int i = 0; i < warm.length; i++) {
        warm[i] = r.nextGaussian();
      }
      detector(0.5, 1).prime(s, warm, ones(warm.length, 1));
      boolean alarm = false;
      for (int i = 0; i < 40 && !alarm; i++) {
        alarm = detector(0.5, 1).updateNormal(s, i, r.nextGaussian() + 2.5, 1).alarm();
      }
      found += alarm ? 1 : 0;
    }
    assertThat(found).isGreaterThanOrEqualTo(190);
  }

  private static double[] ones(int n, double value) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, value);
    return out;
  }

  private static double[] times(double[] values, double k) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] * k;
    }
    return out;
  }
}
