package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's CPU burn that ramped (docs/adr/0114): http.latency.ms at 100 lognormal samples a 5 s
 * window per group, control 5 ms, the experimental group 5% above it, 20 warm-up windows and 5
 * quiet judged ones, then the experimental window means the demo showed (8.2, 10.3, 13.6, 19.0,
 * 18.8 ms, the same log spread) from the attack's start, under the latency default (25% + 2 ms).
 */
class RampingBurnReplayTest {

  private static final int WARMUP = 20;
  private static final int QUIET = 5;
  private static final int SAMPLES = 100;
  private static final long WINDOW_MS = 5000;
  private static final double CONTROL_MS = 5.0;
  private static final double OFFSET = 1.05;
  private static final double LOG_SD = 0.5;
  private static final double[] RAMP_MS = {8.2, 10.3, 13.6, 19.0, 18.8};

  private static double[] window(Random r, double mean) {
    double[] x = new double[SAMPLES];
    double mu = Math.log(mean) - LOG_SD * LOG_SD / 2;
    for (int i = 0; i < SAMPLES; i++) {
      x[i] = Math.exp(mu + LOG_SD * r.nextGaussian());
    }
    return x;
  }

  /**
   * The ramp's window (0 = its first) that is first judged deviating, -1 = none; -2 = a quiet
   * window was (a false alarm).
   */
  private static int firstDeviatingRampWindow(long seed, boolean scaleFree) {
    Random r = new Random(seed);
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.denseScaleFree = scaleFree;
    m.learnUntil = WARMUP * WINDOW_MS;
    m.startFromEvents = true;
    m.attackAt = (WARMUP + QUIET) * WINDOW_MS + 1;
    Hypothesis h = Hypothesis.defaultFor("http.latency.ms");
    for (int w = 0; w < WARMUP + QUIET + RAMP_MS.length; w++) {
      int ramp = w - WARMUP - QUIET;
      double experimental = ramp >= 0 ? RAMP_MS[ramp] : OFFSET * CONTROL_MS;
      double[] c = window(r, CONTROL_MS);
      double[] e = window(r, experimental);
      WindowJudge.Judged j =
          WindowJudge.judge(
              m,
              Summary.of(c),
              Summary.of(e),
              Telemetry.p99(c),
              Telemetry.p99(e),
              h,
              w * WINDOW_MS,
              (w + 1) * WINDOW_MS);
      if (j.state() == SteadyState.DEVIATING) {
        return ramp >= 0 ? ramp : -2;
      }
    }
    return -1;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9})
  void theDemosRampingBurnDeviatesWithinTwoWindowsOfItsStart(long seed) {
    assertThat(new WindowJudge.Monitor().denseScaleFree).as("the default").isTrue();
    // the plug-in alone (the switch off) finds it at 13.6 ms on these draws
    assertThat(firstDeviatingRampWindow(seed, false)).as("switch off").isBetween(0, 2);
    assertThat(firstDeviatingRampWindow(seed, true)).as("the default").isBetween(0, 2);
  }
}
