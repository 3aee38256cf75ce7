package io.faultline.analyzer;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Simulated telemetry of both groups for the judgement's tests: a process per group (normal,
 * lognormal, AR(1), Poisson, GARCH, Student-t 3 ...), a number of samples per window, and a fault
 * from a given judged window on. Runs the real {@link WindowJudge} and returns the first deviating
 * judged window.
 */
final class Telemetry {

  enum Process {
    NORMAL,
    LOGNORMAL,
    AR1,
    POISSON,
    /** Normal, 1.5% of each group's samples 5-10x (docs/adr/0068's spikes). */
    SPIKES,
    /** A queue depth: Poisson(0.6) capped at 3 (docs/adr/0068). */
    QUEUE_DEPTH,
    /**
     * Normal, each group's variance x h per window, h = 0.05 + 0.15 u^2 + 0.8 h with u the group's
     * previous window's shock (GARCH(1,1) per window, long-run 1, from 1: docs/adr/0068's bench).
     */
    GARCH,
    /** Student-t with 3 degrees of freedom, scale 25 (sd 43), at least 1 (docs/adr/0104). */
    STUDENT_T3,
    /** Lognormal with sigma 1 (docs/adr/0104). */
    LOGNORMAL_1,
    /** Student's t with 3 degrees of freedom, scaled to sd 25, unfloored (docs/adr/0105). */
    STUDENT_T3_SD25
  }

  /** A fault: the experimental group's level times {@code level}, its spread times {@code sd}. */
  record Fault(double level, double sd) {
    static final Fault NONE = new Fault(1, 1);
  }

  private final Process process;
  private final int samples;
  private final double phi;
  private double stateC;
  private double stateE;
  private final double[] garchH = {1, 1};
  private final double[] garchShock = {0, 0};

  /**
   * Epoch ms of the attack's start told to the judge (window w spans w s .. w s + 1 s); 0 = none.
   */
  long attackAt;

  /** Single samples learn their drift before each datapoint (docs/adr/0051): the default. */
  boolean predictableDrift = new WindowJudge.Monitor().predictableDrift;

  /** Window means learn their drift before each datapoint too (docs/adr/0056). */
  boolean predictableDriftAll = new WindowJudge.Monitor().predictableDriftAll;

  /** The mean against a pooled control at the control series' variance (docs/adr/0081). */
  boolean controlSeriesPooled = new WindowJudge.Monitor().controlSeriesPooled;

  /** ... window means only, their own sampling variance kept (docs/adr/0081's second form). */
  boolean controlSeriesWithin = new WindowJudge.Monitor().controlSeriesWithin;

  /** Dense window means at the differences' long-run variance, no prewhitening (ADR 0080). */
  boolean denseLongRun = new WindowJudge.Monitor().denseLongRun;

  /** ... its chi-square bound at the series' effective degrees of freedom (docs/adr/0091). */
  boolean denseEffectiveDf = new WindowJudge.Monitor().denseEffectiveDf;

  /** ... its lag-1 without the margin while the groups' levels are calm (docs/adr/0110). */
  boolean denseCalmMargin = new WindowJudge.Monitor().denseCalmMargin;

  /** ... its datapoints judged with their scale unknown (docs/adr/0113, the default by 0114). */
  boolean denseScaleFree = new WindowJudge.Monitor().denseScaleFree;

  /**
   * Each group's window level also moves as an AR(1) across windows (this phi, sd {@code levelSd}),
   * under independent samples: window means with a real lag-1 (0 = none).
   */
  double levelPhi;

  double levelSd;

  /** Whether the control's windows carry that level too; false: the experimental group's only. */
  boolean levelInControl = true;

  /** Single samples pay phi's variance bound by its evidence (docs/adr/0067). */
  boolean phiByEvidence = new WindowJudge.Monitor().phiByEvidence;

  /** Single samples of a count judged with at least a Poisson variance (docs/adr/0071). */
  boolean countVariance = new WindowJudge.Monitor().countVariance;

  /** Each window's extreme samples held within 6 sd of its others (docs/adr/0071). */
  boolean extremesHeld = new WindowJudge.Monitor().extremesHeld;

  /**
   * A sparse spread track keeps the groups' window log spreads (docs/adr/0108); false drops them
   * after every window, as a track stored before 0108 is judged.
   */
  boolean spreadLevels = true;

  /** The sparse spread's wander floor (docs/adr/0076), read at the warm-up's end. */
  boolean spreadWanderFloor = new WindowJudge.Monitor().spreadWanderFloor;

  /** One per 10 s window means against the pool judged with their scale unknown (docs/adr/0120). */
  boolean sparseScaleFree = new WindowJudge.Monitor().sparseScaleFree;

  /** Alpha split over the statistics the warm-up measured only (docs/adr/0088). */
  boolean alphaOverMeasured = new WindowJudge.Monitor().alphaOverMeasured;

  /** Single samples' clip in standard deviations, 0 = the default (docs/adr/0088). */
  double singleSampleClip = new WindowJudge.Monitor().singleSampleClip;

  /** The fault applies to both groups (a shared cause: load, a shared dependency). */
  boolean shared;

  /** The mean alone, watched for an increase beyond 10%, alpha 0.05, from one sample a group. */
  static Hypothesis meanHypothesis() {
    return increase(List.of(Statistic.MEAN));
  }

  /** The spread alone, watched for an increase beyond 10%, alpha 0.05. */
  static Hypothesis spreadHypothesis() {
    return increase(List.of(Statistic.SPREAD));
  }

  /** The bench's hypothesis: an increase beyond 10%, alpha 0.05, mean and spread watched. */
  static Hypothesis benchHypothesis() {
    return increase(List.of(Statistic.MEAN, Statistic.SPREAD));
  }

  private static Hypothesis increase(List<Statistic> statistics) {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, 0.1, 0.0, 0.05, 1),
        false,
        false,
        Double.NaN,
        statistics);
  }

  Telemetry(Process process, int samples, double phi) {
    this.process = process;
    this.samples = samples;
    this.phi = phi;
  }

  /** One sample around level 100 with a 25% spread (Poisson: mean 20). */
  private double sample(Random r, boolean experimental, Fault f) {
    double z = r.nextGaussian();
    return switch (process) {
      case NORMAL -> 100 * f.level() + 25 * f.sd() * z;
      case GARCH -> 100 * f.level() + 25 * f.sd() * Math.sqrt(garchH[experimental ? 1 : 0]) * z;
      case LOGNORMAL -> 100 * f.level() * Math.exp(0.25 * f.sd() * z);
      case AR1 -> {
        double s = experimental ? stateE : stateC;
        s = phi * s + Math.sqrt(1 - phi * phi) * z;
        if (experimental) {
          stateE = s;
        } else {
          stateC = s;
        }
        yield 100 * f.level() + 25 * f.sd() * s;
      }
      case POISSON -> poisson(r, 20 * f.level());
      case SPIKES -> {
        double x = 100 * f.level() + 25 * f.sd() * z;
        yield r.nextDouble() < 0.015 ? x * (5 + 5 * r.nextDouble()) : x;
      }
      case QUEUE_DEPTH -> Math.min(3, poisson(r, 0.6 * f.level()));
      case STUDENT_T3 -> {
        double chi2 = 0;
        for (int k = 0; k < 3; k++) {
          double g = r.nextGaussian();
          chi2 += g * g;
        }
        yield Math.max(1, 100 * f.level() + 25 * f.sd() * z / Math.sqrt(chi2 / 3));
      }
      case LOGNORMAL_1 -> 100 * f.level() * Math.exp(f.sd() * z);
      case STUDENT_T3_SD25 -> {
        double chi = 0;
        for (int k = 0; k < 3; k++) {
          double g = r.nextGaussian();
          chi += g * g;
        }
        // t3's variance is 3
        yield 100 * f.level() + 25 * f.sd() * z / Math.sqrt(chi / 3) / Math.sqrt(3);
      }
    };
  }

  private static double poisson(Random r, double lambda) {
    double l = Math.exp(-lambda);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > l);
    return k - 1;
  }

  /**
   * Runs warm-up plus {@code windows} judged windows; the fault applies from judged window {@code
   * faultAt}; returns the first deviating judged window or -1.
   */
  int firstAlarm(
      Random r, Hypothesis h, int warmup, int windows, int faultAt, Fault fault, long horizon) {
    int[] first = {-1};
    judgeEach(
        r,
        h,
        warmup,
        windows,
        faultAt,
        fault,
        horizon,
        (w, m, j) -> {
          if (w >= 0 && j.state() == SteadyState.DEVIATING) {
            first[0] = w;
            return false;
          }
          return true;
        });
    return first[0];
  }

  /** What a test looks at after each window: false stops the run. */
  interface AfterWindow {
    boolean next(int window, WindowJudge.Monitor monitor, WindowJudge.Judged judged);
  }

  /**
   * Runs warm-up plus {@code windows} judged windows as {@link #firstAlarm} does, handing the
   * monitor to {@code after} after every window (warm-up windows are numbered below 0).
   */
  void judgeEach(
      Random r,
      Hypothesis h,
      int warmup,
      int windows,
      int faultAt,
      Fault fault,
      long horizon,
      AfterWindow after) {
    stateC = r.nextGaussian();
    stateE = r.nextGaussian();
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = warmup;
    m.horizon = horizon;
    m.attackAt = attackAt;
    m.predictableDrift = predictableDrift;
    m.predictableDriftAll = predictableDriftAll;
    m.controlSeriesPooled = controlSeriesPooled;
    m.controlSeriesWithin = controlSeriesWithin;
    m.denseLongRun = denseLongRun;
    m.denseEffectiveDf = denseEffectiveDf;
    m.denseCalmMargin = denseCalmMargin;
    m.spreadWanderFloor = spreadWanderFloor;
    m.denseScaleFree = denseScaleFree;
    m.sparseScaleFree = sparseScaleFree;
    m.phiByEvidence = phiByEvidence;
    m.countVariance = countVariance;
    m.extremesHeld = extremesHeld;
    m.alphaOverMeasured = alphaOverMeasured;
    m.singleSampleClip = singleSampleClip;
    garchH[0] = 1;
    garchH[1] = 1;
    garchShock[0] = 0;
    garchShock[1] = 0;
    double[] c = new double[samples];
    double[] e = new double[samples];
    double levelC = levelPhi > 0 ? r.nextGaussian() : 0;
    double levelE = levelPhi > 0 ? r.nextGaussian() : 0;
    double innovation = Math.sqrt(1 - levelPhi * levelPhi);
    for (int w = -warmup; w < windows; w++) {
      Fault f = w >= faultAt ? fault : Fault.NONE;
      if (process == Process.GARCH) {
        for (int g = 0; g < 2; g++) {
          garchH[g] = 0.05 + 0.15 * garchShock[g] * garchShock[g] + 0.8 * garchH[g];
          garchShock[g] = Math.sqrt(garchH[g]) * r.nextGaussian();
        }
      }
      if (levelPhi > 0) {
        levelC = levelPhi * levelC + innovation * r.nextGaussian();
        levelE = levelPhi * levelE + innovation * r.nextGaussian();
      }
      for (int i = 0; i < samples; i++) {
        c[i] = sample(r, false, shared ? f : Fault.NONE) + (levelInControl ? levelSd * levelC : 0);
        e[i] = sample(r, true, f) + levelSd * levelE;
      }
      WindowJudge.Judged j =
          WindowJudge.judge(
              m, Summary.of(c), Summary.of(e), p99(c), p99(e), h, w * 1000L, w * 1000L + 1000);
      if (!spreadLevels) {
        m.tracks.stream()
            .filter(t -> t.statistic == Statistic.SPREAD)
            .forEach(t -> t.levelSeries = new double[0]);
      }
      if (!after.next(w, m, j)) {
        return;
      }
    }
  }

  static double p99(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(0.99 * s.length) - 1)];
  }
}
