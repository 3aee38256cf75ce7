package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Hypothesis;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The anchored e-process (docs/adr/0037) in expectation on simulated nulls at the hypothesis's edge
 * (the experimental group's level x1.1 from the attack on, tolerance 10%), through the real {@link
 * WindowJudge}: with heavy tails and AR(1) its mean over many runs stays at or below 1 at every
 * judged window, within three standard errors (the Monte-Carlo margin), as a supermartingale's
 * must. At one sample per minute it does not hold: the pooled control's long-run variance is not
 * counted (docs/adr/0051 measured the switch that counts it; retired by docs/adr/0098). A run is
 * stopped at its first alarm (a stopped supermartingale is one).
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

  /** Per judged window: the mean over runs of Lambda, and its standard error. */
  private static double[][] anchoredMean(Process p, int samples, double level, long seed) {
    return anchoredMean(new Telemetry(p, samples, 0.8), ATTACK, level, seed);
  }

  /**
   * As above, for a telemetry set up by the caller, the attack (and the edge) at {@code attack}.
   */
  private static double[][] anchoredMean(Telemetry telemetry, int attack, double level, long seed) {
    return anchoredMean(telemetry, attack, Telemetry.meanHypothesis(), new Fault(level, 1), seed);
  }

  /**
   * As above, for the first track of {@code hypothesis}, the edge being {@code edge}; the monitor's
   * switches are the telemetry's (with {@code denseScaleFree} the anchored e-process is read as the
   * judge's t-type e-value, docs/adr/0113).
   */
  private static double[][] anchoredMean(
      Telemetry telemetry, int attack, Hypothesis hypothesis, Fault edge, long seed) {
    telemetry.attackAt = attack * 1000L;
    List<AnchoredRun> runs =
        telemetry.judgeRuns(
            seed, RUNS, hypothesis, WARMUP, WINDOWS, attack, edge, WINDOWS, AnchoredRun::new);
    double[] sum = new double[WINDOWS];
    double[] sumSq = new double[WINDOWS];
    for (AnchoredRun run : runs) {
      for (int w = 0; w < WINDOWS; w++) {
        double x = w < run.stoppedAt ? run.path[w] : run.last;
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

  /** One run's capped anchored e-process per judged window, until the run stopped. */
  private static final class AnchoredRun implements Telemetry.AfterWindow {
    private double last = 1.0;
    private int stoppedAt = WINDOWS;
    private final double[] path = new double[WINDOWS];

    @Override
    public boolean next(int w, WindowJudge.Monitor m, WindowJudge.Judged j) {
      if (w < 0) {
        return true;
      }
      WindowJudge.Track t = m.tracks.get(0);
      EDetector detector =
          new EDetector(
                  Direction.INCREASE, t.alpha, WINDOWS, t.theta0, t.phi, WindowJudge.CONFIDENCE)
              .anchored(m.anchorWeight);
      if (m.denseScaleFree && t.lag1Series.length == WindowJudge.SERIES_SLOTS) {
        // the factor the judge used: the series learns nothing from the attack's start on
        double factor = WindowJudge.seriesParts(t, m.denseEffectiveDf, m.denseCalmMargin)[1];
        if (factor > 0) {
          detector.scaleFree(factor);
        }
      } else if (WindowJudge.pooledScaleFree(m, t)) {
        detector.scaleFreeAlone(WindowJudge.pooledResidualFactor(t));
      }
      double log = detector.logAnchored(t.detector);
      if (t.detector.anchor < 0) {
        stoppedAt = w; // reset after an alarm: the run stopped at it
        return false;
      }
      if (Double.isNaN(log)) {
        log = 0.0; // no anchor before the attack's window: its e-process is 1
      }
      last = Math.min(Math.exp(log), CAP);
      path[w] = last;
      if (j.state() == io.faultline.schema.SteadyState.DEVIATING) {
        stoppedAt = w + 1;
        return false;
      }
      return true;
    }
  }

  private static void assertSupermartingaleInMean(Process p, int samples, long seed) {
    assertAtMostOne(anchoredMean(p, samples, 1.1, seed), ATTACK, p + "", samples);
  }

  private static void assertAtMostOne(double[][] mean, int attack, String process, int samples) {
    for (int w = attack; w < WINDOWS; w++) {
      assertThat(mean[0][w])
          .as("%s, %d per window, attack at %d, judged window %d", process, samples, attack, w)
          .isLessThanOrEqualTo(1 + 3 * mean[1][w]);
    }
  }

  /** Window means with their drift learned again before each datapoint (docs/adr/0056). */
  private static void assertSupermartingaleInMeanRelearned(
      Process p, int samples, int attack, long seed) {
    Telemetry telemetry = new Telemetry(p, samples, 0.8);
    telemetry.predictableDriftAll = true;
    assertAtMostOne(anchoredMean(telemetry, attack, 1.1, seed), attack, p + " relearned", samples);
  }

  @Test
  void windowMeansWithTheDriftLearnedBeforeEachDatapointKeepTheAnchoredMeanAtMostOne() {
    // early: 25 datapoints teach the spread; late: 60, and its upper bound is much nearer the
    // variance, which is where a too small plug-in would show
    for (int attack : new int[] {ATTACK, 40}) {
      assertSupermartingaleInMeanRelearned(Process.AR1, 100, attack, 91);
      assertSupermartingaleInMeanRelearned(Process.AR1, 6, attack, 92);
      assertSupermartingaleInMeanRelearned(Process.LOGNORMAL, 6, attack, 93);
      assertSupermartingaleInMeanRelearned(Process.NORMAL, 6, attack, 94);
    }
  }

  /** AR(1) 0.8 samples, {@code samples} per window, with docs/adr/0081's switch on. */
  private static Telemetry controlSeries(int samples) {
    Telemetry telemetry = new Telemetry(Process.AR1, samples, 0.8);
    telemetry.controlSeriesPooled = true;
    telemetry.controlSeriesWithin = false; // the first form: single samples too, the bound always
    return telemetry;
  }

  @Test
  void pooledWindowMeansAtTheControlSeriesVarianceKeepTheAnchoredMeanAtMostOne() {
    // docs/adr/0081 (off): one per 10 s (6 per window, the control pooled over 5 windows), early
    // and late; the control's window series' variance learned before each datapoint, phi from the
    // groups' own lag-1 through the pool's weights
    for (int attack : new int[] {ATTACK, 40}) {
      assertAtMostOne(
          anchoredMean(controlSeries(6), attack, 1.1, 406 + attack),
          attack,
          "AR1 control series",
          6);
    }
  }

  @Test
  void pooledWindowMeansAtTheControlSeriesBeyondTheirOwnSamplingVarianceKeepTheMeanAtMostOne() {
    // docs/adr/0081's second form (off): each window's sampling variance kept, the bound only
    // when the groups show a lag-1; AR(1) early and late, independent samples early
    for (Process p : new Process[] {Process.AR1, Process.NORMAL, Process.LOGNORMAL}) {
      for (int attack : p == Process.AR1 ? new int[] {ATTACK, 40} : new int[] {ATTACK}) {
        Telemetry telemetry = new Telemetry(p, 6, 0.8);
        telemetry.controlSeriesPooled = true;
        telemetry.controlSeriesWithin = true;
        assertAtMostOne(
            anchoredMean(telemetry, attack, 1.1, 420 + p.ordinal() + attack),
            attack,
            p + " control series beyond the window's own",
            6);
      }
    }
  }

  @Test
  void singleSamplesAtTheControlSeriesVarianceAreNoSupermartingale() {
    // docs/adr/0081 (off, and why): one sample per minute (the control pooled over 20 windows,
    // lag-1 0.8 between samples), attack at 5: the capped mean goes over its bound (1.455 against
    // 1.452 at judged window 38 when measured), so the switch is not valid there. With the clip
    // at 4 standard deviations, as measured then: at docs/adr/0088's 2.5 the worst window is 1.74
    // standard errors above 1, within the bound
    Telemetry telemetry = controlSeries(1);
    telemetry.singleSampleClip = 4;
    assertThat(worstStandardErrors(anchoredMean(telemetry, ATTACK, 1.1, 406), ATTACK))
        .as("standard errors above 1 at the worst window")
        .isGreaterThan(3.0);
  }

  /**
   * Prints the capped mean at its worst judged window from the attack on, and its standard error.
   */
  private static void printWorst(String what, double[][] mean, int attack) {
    int worst = attack;
    for (int w = attack; w < WINDOWS; w++) {
      worst = mean[0][w] > mean[0][worst] ? w : worst;
    }
    System.out.printf(
        Locale.ROOT,
        "%s, attack %d: %.3f (se %.3f) at %d%n",
        what,
        attack,
        mean[0][worst],
        mean[1][worst],
        worst);
  }

  /** Standard errors above 1 of the capped mean at its worst judged window from the attack on. */
  private static double worstStandardErrors(double[][] mean, int attack) {
    double worst = Double.NEGATIVE_INFINITY;
    for (int w = attack; w < WINDOWS; w++) {
      worst = Math.max(worst, (mean[0][w] - 1) / mean[1][w]);
    }
    return worst;
  }

  /** Normal samples at 100 per window under an AR(1) level of each group's windows. */
  private static Telemetry wanderingLevel(double levelPhi, double levelSd) {
    Telemetry telemetry = new Telemetry(Process.NORMAL, 100, 0.8);
    telemetry.levelPhi = levelPhi;
    telemetry.levelSd = levelSd;
    return telemetry;
  }

  @Test
  void denseWindowMeansWithARealLag1KeepTheAnchoredMeanAtMostOne() {
    // docs/adr/0080 (the default): an AR(1) level under each group's windows, 4x a window mean's
    // sampling sd, at 0.3 (window means' lag-1 about 0.28) and 0.7 (0.66), early and late. The
    // warm-up's phi of 20 differences, 0 in many warm-ups, kept the old default over its bound
    // here (docs/adr/0077: 2.34 at its worst window, 0.3, early)
    for (double levelPhi : new double[] {0.3, 0.7}) {
      for (int attack : new int[] {ATTACK, 40}) {
        long seed = 375 + attack + (levelPhi > 0.5 ? 1 : 0);
        assertAtMostOne(
            anchoredMean(wanderingLevel(levelPhi, 10), attack, 1.1, seed),
            attack,
            "NORMAL under an AR(1) " + levelPhi + " level",
            100);
      }
    }
  }

  @Test
  void denseWindowMeansWithoutTheLag1MarginWhileTheLevelsAreCalmKeepTheAnchoredMeanAtMostOne() {
    // docs/adr/0110: the margin dropped while the groups' own levels show no lag-1; the levels of
    // docs/adr/0080 (0.3 and 0.7, sd 10) and its ARMA(1,1) case (0.7, sd 2.5: the one that needed
    // the margin, 1.27 without it), early and late
    double[][] levels = {{0.3, 10}, {0.7, 10}, {0.7, 2.5}};
    for (int i = 0; i < levels.length; i++) {
      for (int attack : new int[] {ATTACK, 40}) {
        Telemetry telemetry = wanderingLevel(levels[i][0], levels[i][1]);
        telemetry.denseCalmMargin = true;
        // 0110's switch as it was measured, on the plug-in variance: on the t-type e-value (the
        // default since docs/adr/0114) the ARMA(1,1) level's mean reached 2.0 (se 0.22)
        telemetry.denseScaleFree = false;
        double[][] mean = anchoredMean(telemetry, attack, 1.1, 610 + 10 * i + attack);
        printWorst(
            String.format(
                Locale.ROOT, "calm margin, level %.1f sd %.1f", levels[i][0], levels[i][1]),
            mean,
            attack);
        assertAtMostOne(
            mean,
            attack,
            "NORMAL under an AR(1) " + levels[i][0] + " level of sd " + levels[i][1],
            100);
      }
    }
  }

  @Test
  void denseWindowMeansJudgedWithTheirScaleUnknownKeepTheAnchoredMeanAtMostOne() {
    // docs/adr/0113: the t-type e-value in place of the plug-in's chi-square bound; the levels of
    // docs/adr/0080 and 0110 (0.3 and 0.7 of sd 10, the ARMA(1,1) 0.7 of sd 2.5), AR(1) 0.8 per
    // sample (the bench's +20% row's process) and independent normal windows, early and late
    Telemetry[] cases = {
      wanderingLevel(0.3, 10),
      wanderingLevel(0.7, 10),
      wanderingLevel(0.7, 2.5),
      new Telemetry(Process.AR1, 100, 0.8),
      new Telemetry(Process.NORMAL, 100, 0.8)
    };
    String[] names = {
      "AR(1) 0.3 level sd 10", "AR(1) 0.7 level sd 10", "AR(1) 0.7 level sd 2.5", "AR1", "NORMAL"
    };
    for (int i = 0; i < cases.length; i++) {
      for (int attack : new int[] {ATTACK, 40}) {
        cases[i].denseScaleFree = true;
        double[][] mean = anchoredMean(cases[i], attack, 1.1, 1130 + 10 * i + attack);
        printWorst("scale unknown, " + names[i], mean, attack);
        assertAtMostOne(mean, attack, names[i], 100);
      }
    }
  }

  @Test
  void denseWindowMeansWithARealLag1WithoutTheirLongRunVarianceAreNoSupermartingale() {
    // why docs/adr/0080's long-run variance is the default: without it (the warm-up's phi of the
    // differences, the old default) the 0.3 level's anchored mean is far over 1 (paying that phi
    // by its evidence, docs/adr/0077's switch retired by docs/adr/0098, went further over)
    Telemetry whole = wanderingLevel(0.3, 10);
    whole.denseLongRun = false;
    double wholeWorst = worstStandardErrors(anchoredMean(whole, ATTACK, 1.1, 375), ATTACK);
    assertThat(wholeWorst).as("the old default's standard errors above 1").isGreaterThan(3.0);
  }

  /** The spread track at its edge: the experimental group's sd x1.1 from the attack on. */
  private static double[][] spreadAtTheEdge(Process p, int attack, long seed) {
    Telemetry telemetry = new Telemetry(p, 6, 0.8);
    return anchoredMean(telemetry, attack, Telemetry.spreadHypothesis(), new Fault(1, 1.1), seed);
  }

  @Test
  void theSparseSpreadTrackOfIndependentWindowsKeepsTheAnchoredMeanAtMostOne() {
    // docs/adr/0082: six samples a window, the experimental group's sd x1.1 from the attack on,
    // early and late; the default's floor (docs/adr/0076) (measured: worst capped means at the
    // window nearest the bound 0.60 / 0.49)
    for (int attack : new int[] {ATTACK, 40}) {
      assertAtMostOne(spreadAtTheEdge(Process.NORMAL, attack, 400 + attack), attack, "spread", 6);
    }
  }

  /**
   * As {@link #spreadAtTheEdge}, GARCH(1,1) per window, with the level series or without (dropped
   * after every window, as in a track stored before docs/adr/0108), with the wander floor
   * (docs/adr/0076) or without.
   */
  private static double[][] clusteredSpreadAtTheEdge(
      int attack, boolean levelSeries, boolean wanderFloor) {
    Telemetry telemetry = new Telemetry(Process.GARCH, 6, 0.8);
    telemetry.spreadLevels = levelSeries;
    telemetry.spreadWanderFloor = wanderFloor;
    return anchoredMean(telemetry, attack, Telemetry.spreadHypothesis(), new Fault(1, 1.1), 441);
  }

  @Test
  void theSparseSpreadTrackOnClusteredVolatilityKeepsTheAnchoredBound() {
    // docs/adr/0108: GARCH(1,1) per window, each group its own path, six samples a window; the
    // groups' own log spreads put their long-run variance under each datapoint's (measured: worst
    // window 2.70 / 2.46 standard errors over 1, attack early / late; 5.3 / 4.8 before, ADR 0082)
    for (int attack : new int[] {ATTACK, 40}) {
      assertAtMostOne(clusteredSpreadAtTheEdge(attack, true, true), attack, "GARCH spread", 6);
    }
  }

  @Test
  void theSparseSpreadTrackOnClusteredVolatilityWithoutItsLevelSeriesIsNoSupermartingale() {
    // the check above can fail: a track without the level series (stored before docs/adr/0108)
    // is judged at the datapoint's variance with the wander's floor alone, far over 1
    double shut = worstStandardErrors(clusteredSpreadAtTheEdge(40, false, true), 40);
    assertThat(shut).as("standard errors above 1 without the level series").isGreaterThan(3.0);
  }

  @Test
  void theSparseSpreadTrackOnClusteredVolatilityWithoutTheWanderFloorIsNoSupermartingale() {
    // the level series alone do not keep the bound: docs/adr/0076's floor is still needed beside
    // docs/adr/0108's long-run variance (docs/adr/0111, measured: 4.16 standard errors over 1,
    // attack early; 2.70 with the floor, the same draws)
    double[][] mean = clusteredSpreadAtTheEdge(ATTACK, true, false);
    assertThat(worstStandardErrors(mean, ATTACK))
        .as("standard errors above 1 without the wander floor")
        .isGreaterThan(3.0);
  }

  @Test
  void pooledWindowMeansAtTheControlSeriesVarianceAloneAreNoSupermartingaleOnNormalSamples() {
    // docs/adr/0115's budget part `seriesOnly` (a bench switch, off): each one per 10 s datapoint
    // at the control series' variance alone, without its own window's sampling variance and the
    // positive part of the series' excess over the warm-up's typical one. On normal samples,
    // attack at 5, the capped mean goes over its bound (1.493 against 1.488 at judged window 49);
    // the default on the same draws stays under it: the positive parts are what keeps it valid
    double[][] alone;
    WindowJudge.powerBudget(new WindowJudge.PowerBudget(false, true, false, 0.0, false));
    try {
      alone = anchoredMean(pooledWithin(Process.NORMAL), ATTACK, 1.1, 1155);
    } finally {
      WindowJudge.powerBudget(WindowJudge.PowerBudget.NONE);
    }
    assertThat(worstStandardErrors(alone, ATTACK))
        .as("standard errors above 1 at the control series' variance alone")
        .isGreaterThan(3.0);
    assertAtMostOne(
        anchoredMean(pooledWithin(Process.NORMAL), ATTACK, 1.1, 1155),
        ATTACK,
        "NORMAL control series beyond the window's own",
        6);
  }

  @Test
  void pooledWindowMeansAtTheLargerOfTheirOwnAndTheControlSeriesVarianceKeepTheMeanAtMostOne() {
    // docs/adr/0115's budget part `seriesMax` (a bench switch, off): each one per 10 s datapoint
    // at the larger of its own window's sampling variance and the control series' (the dense
    // track's rule), on the draws where `seriesOnly` is no supermartingale and on the others'
    WindowJudge.powerBudget(new WindowJudge.PowerBudget(false, false, false, 0.0, true));
    try {
      for (Process p : new Process[] {Process.NORMAL, Process.LOGNORMAL, Process.AR1}) {
        for (int attack : new int[] {ATTACK, 40}) {
          assertAtMostOne(
              anchoredMean(pooledWithin(p), attack, 1.1, 1150 + p.ordinal() + attack),
              attack,
              p + " the larger of its own and the control series'",
              6);
        }
      }
    } finally {
      WindowJudge.powerBudget(WindowJudge.PowerBudget.NONE);
    }
  }

  @Test
  void pooledWindowMeansJudgedWithTheirScaleUnknownKeepTheAnchoredMeanAtMostOne() {
    // docs/adr/0118 (off): one per 10 s window means against the pool by the t-type e-value, the
    // control series' variance without its chi-square bound as weights, what the pool's overlap
    // leaves beyond the AR(1) as the long-run factor; independent, lognormal, heavy-tailed and
    // AR(1) 0.8 and 0.9 samples, early and late
    Telemetry[] cases = {
      pooledWithin(Process.NORMAL),
      pooledWithin(Process.LOGNORMAL),
      pooledWithin(Process.STUDENT_T3),
      pooledWithin(Process.AR1),
      pooledWithin(Process.AR1, 0.9)
    };
    String[] names = {"NORMAL", "LOGNORMAL", "STUDENT_T3", "AR1 0.8", "AR1 0.9"};
    for (int i = 0; i < cases.length; i++) {
      for (int attack : new int[] {ATTACK, 40}) {
        cases[i].sparseScaleFree = true;
        double[][] mean = anchoredMean(cases[i], attack, 1.1, 1200 + 10 * i + attack);
        printWorst("sparse scale unknown, " + names[i], mean, attack);
        assertAtMostOne(mean, attack, names[i] + " scale unknown", 6);
      }
    }
  }

  /** Six samples a window against the pooled control, docs/adr/0081's default (second form). */
  private static Telemetry pooledWithin(Process p) {
    return pooledWithin(p, 0.8);
  }

  /** As above, an AR(1) process's lag-1 between samples {@code phi}. */
  private static Telemetry pooledWithin(Process p, double phi) {
    Telemetry telemetry = new Telemetry(p, 6, phi);
    telemetry.controlSeriesPooled = true;
    telemetry.controlSeriesWithin = true;
    return telemetry;
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
  void oneSamplePerMinuteAgainstThePooledControlsShortRunVarianceIsNoSupermartingale() {
    // why docs/adr/0051 measured a long-run switch (retired by docs/adr/0098): consecutive
    // datapoints share most of their
    // pooled control, and its variance over a contrast of many datapoints is far above the one
    // datapoint's that the default assumes. Lognormal latency (normal on the log scale, no skew to
    // hide it) passes 1 by more than three standard errors at the last window, the default's
    // predictable drift (on here) notwithstanding
    double[][] mean = anchoredMean(Process.LOGNORMAL, 1, 1.1, 84);
    int last = WINDOWS - 1;
    assertThat(mean[0][last]).isGreaterThan(1 + 3 * mean[1][last]);
  }

  @Test
  void aShiftBeyondTheEdgeMakesTheAnchoredMeanGrow() {
    // the check above can fail: beyond the hypothesis the mean rises far above 1
    double[][] mean = anchoredMean(Process.NORMAL, 6, 1.3, 86);
    assertThat(mean[0][WINDOWS - 1]).isGreaterThan(1 + 3 * mean[1][WINDOWS - 1]);
  }
}
