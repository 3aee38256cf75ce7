package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The anchored e-process (docs/adr/0037) in expectation on simulated nulls at the hypothesis's edge
 * (the experimental group's level x1.1 from the attack on, tolerance 10%), through the real {@link
 * WindowJudge}: with heavy tails and AR(1) its mean over many runs stays at or below 1 at every
 * judged window, within three standard errors, as a supermartingale's must; the bet on the
 * horizon's shift (docs/adr/0048) leans harder on the plug-in variance of one sample per minute. A
 * run is stopped at its first alarm (a stopped supermartingale is one).
 */
class AnchoredEProcessNullTest {

  private static final int WARMUP = 20;
  private static final int WINDOWS = 60;
  private static final int ATTACK = 5;
  private static final int RUNS = 2000;

  /**
   * Lambda is read capped here: E[min(Lambda, c)] <= E[Lambda] <= 1 for a supermartingale from 1,
   * and the cap keeps a few runs whose 20-datapoint warm-up underestimated the variance from
   * deciding the mean. c = 1 / (w alpha') = 80: beyond it the anchored part alone alarms.
   */
  private static final double CAP = 80;

  private static Hypothesis mean() {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.1, 0.0, 0.05, 1),
        false,
        false,
        Double.NaN,
        List.of(Statistic.MEAN));
  }

  /** Per judged window: the mean over runs of Lambda, and its standard error. */
  private static double[][] anchoredMean(
      Process p, int samples, double level, long seed, double horizonShiftWeight) {
    Telemetry telemetry = new Telemetry(p, samples, 0.8);
    telemetry.horizonShiftWeight = horizonShiftWeight;
    telemetry.attackAt = ATTACK * 1000L;
    double[] sum = new double[WINDOWS];
    double[] sumSq = new double[WINDOWS];
    Random r = new Random(seed);
    for (int run = 0; run < RUNS; run++) {
      double[] last = {1.0};
      int[] stoppedAt = {WINDOWS};
      double[] path = new double[WINDOWS];
      telemetry.judgeEach(
          r,
          mean(),
          WARMUP,
          WINDOWS,
          ATTACK,
          new Fault(level, 1),
          WINDOWS,
          (w, m, j) -> {
            if (w < 0) {
              return true;
            }
            WindowJudge.Track t = m.tracks.get(0);
            EDetector detector =
                new EDetector(
                        Direction.INCREASE,
                        t.alpha,
                        WINDOWS,
                        t.theta0,
                        t.phi,
                        WindowJudge.CONFIDENCE)
                    .horizonShiftWeight(horizonShiftWeight);
            double log = detector.logAnchored(t.detector);
            if (t.detector.anchor < 0) {
              stoppedAt[0] = w; // reset after an alarm: the run stopped at it
              return false;
            }
            if (Double.isNaN(log)) {
              log = 0.0; // no anchor before the attack's window: its e-process is 1
            }
            last[0] = Math.min(Math.exp(log), CAP);
            path[w] = last[0];
            if (j.state() == io.faultline.schema.SteadyState.DEVIATING) {
              stoppedAt[0] = w + 1;
              return false;
            }
            return true;
          });
      for (int w = 0; w < WINDOWS; w++) {
        double x = w < stoppedAt[0] ? path[w] : last[0];
        sum[w] += x;
        sumSq[w] += x * x;
      }
    }
    double[][] out = new double[2][WINDOWS];
    for (int w = 0; w < WINDOWS; w++) {
      double m = sum[w] / RUNS;
      out[0][w] = m;
      out[1][w] = Math.sqrt(Math.max(0, sumSq[w] / RUNS - m * m) / RUNS);
    }
    return out;
  }

  private static void assertSupermartingaleInMean(Process p, int samples, long seed) {
    double[][] mean = anchoredMean(p, samples, 1.1, seed, 0.0);
    for (int w = ATTACK; w < WINDOWS; w++) {
      assertThat(mean[0][w])
          .as("%s, %d per window, judged window %d", p, samples, w)
          .isLessThanOrEqualTo(1 + 3 * mean[1][w]);
    }
  }

  @Test
  void heavyTailedLatencyAtTheEdgeKeepsTheAnchoredMeanAtMostOne() {
    assertSupermartingaleInMean(Process.LOGNORMAL, 6, 81);
  }

  @Test
  void autocorrelatedSeriesAtTheEdgeKeepTheAnchoredMeanAtMostOne() {
    assertSupermartingaleInMean(Process.AR1, 100, 82);
    assertSupermartingaleInMean(Process.AR1, 6, 83);
  }

  @Test
  void aShiftBeyondTheEdgeMakesTheAnchoredMeanGrow() {
    // the check above can fail: beyond the hypothesis the mean rises far above 1
    double[][] mean = anchoredMean(Process.NORMAL, 6, 1.3, 86, 0.0);
    assertThat(mean[0][WINDOWS - 1]).isGreaterThan(1 + 3 * mean[1][WINDOWS - 1]);
  }

  @Test
  void theHorizonBetLeansHarderOnThePlugInVarianceOfOneSamplePerMinute() {
    // why the bet of docs/adr/0048 is not adopted. At one sample per minute the variances are
    // plug-ins from 20 single samples, and the capped mean passes 1 already for the mixture alone
    // (1.8 normal, 2.3 lognormal at window 59 on these seeds; the false-alarm rate holds, ADR
    // 0037); the bet, on the same data, grows further (2.3, 3.3)
    for (Process p : new Process[] {Process.NORMAL, Process.LOGNORMAL}) {
      double[][] bet = anchoredMean(p, 1, 1.1, 84, 0.5);
      double[][] mixture = anchoredMean(p, 1, 1.1, 84, 0.0);
      int last = WINDOWS - 1;
      assertThat(bet[0][last]).as("%s", p).isGreaterThan(mixture[0][last] + mixture[1][last]);
    }
  }
}
