package io.faultline.analyzer;

import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.function.Supplier;

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

  /** Threads that judge runs side by side in {@link #judgeRuns}, one per core. */
  private static final ForkJoinPool JUDGES =
      new ForkJoinPool(Runtime.getRuntime().availableProcessors());

  private final Process process;
  private final int samples;
  private final double phi;

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

  /** One per 10 s window means against the pool judged with their scale unknown (docs/adr/0118). */
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
    FirstAlarm first = new FirstAlarm();
    judgeEach(r, h, warmup, windows, faultAt, fault, horizon, first);
    return first.window;
  }

  /**
   * {@link #firstAlarm} of {@code runs} runs one after another on one {@code Random(seed)}, judged
   * side by side ({@link #judgeRuns}), in run order.
   */
  int[] firstAlarms(
      long seed,
      int runs,
      Hypothesis h,
      int warmup,
      int windows,
      int faultAt,
      Fault fault,
      long horizon) {
    return judgeRuns(seed, runs, h, warmup, windows, faultAt, fault, horizon, FirstAlarm::new)
        .stream()
        .mapToInt(first -> first.window)
        .toArray();
  }

  /** Stops a run at its first deviating judged window, kept in {@code window} (-1: none). */
  private static final class FirstAlarm implements AfterWindow {
    private int window = -1;

    @Override
    public boolean next(int w, WindowJudge.Monitor m, WindowJudge.Judged j) {
      if (w >= 0 && j.state() == SteadyState.DEVIATING) {
        window = w;
        return false;
      }
      return true;
    }
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
    Draws draws = new Draws(r);
    WindowJudge.Monitor m = monitor(warmup, horizon);
    double[] c = new double[samples];
    double[] e = new double[samples];
    for (int w = -warmup; w < windows; w++) {
      draws.window(r, w >= faultAt ? fault : Fault.NONE, c, e);
      if (!judge(m, c, e, h, w, after)) {
        return;
      }
    }
  }

  /**
   * {@code runs} runs of {@link #judgeEach} one after another on one {@code Random(seed)}, each
   * handed to its own {@code after} from {@code afters}, judged side by side on {@link #JUDGES}:
   * returns the afters in run order, each having seen exactly what it sees when the runs go one
   * after another. A run stopped early draws less, so where the next run's draws start depends on
   * the judgement: the runs are drawn here one after another, each as if the one before went to its
   * last window, and judged side by side; after a run that stopped early, the next ones are drawn
   * and judged again. {@code afters} must give independent observers (discarded ones are dropped).
   */
  <T extends AfterWindow> List<T> judgeRuns(
      long seed,
      int runs,
      Hypothesis h,
      int warmup,
      int windows,
      int faultAt,
      Fault fault,
      long horizon,
      Supplier<T> afters) {
    List<T> done = new ArrayList<>(runs);
    Random r = new Random(seed);
    // twice the judges: the next runs are drawn while the judges judge the ones before
    int ahead = 2 * JUDGES.getParallelism();
    Deque<Judging<T>> judging = new ArrayDeque<>();
    while (done.size() < runs) {
      while (judging.size() < ahead && done.size() + judging.size() < runs) {
        Random before = copy(r);
        double[][][] drawn = draw(r, warmup, windows - 1, faultAt, fault);
        T after = afters.get();
        judging.add(
            new Judging<>(
                before, after, JUDGES.submit(() -> judge(drawn, h, warmup, horizon, after))));
      }
      Judging<T> next = judging.poll();
      done.add(next.after());
      int stop = stopOf(next.stop());
      if (stop < windows - 1) {
        judging.forEach(j -> j.stop().cancel(false)); // drawn from where this run did not stop
        judging.clear();
        r = next.before();
        draw(r, warmup, stop, faultAt, fault); // what the stopped run drew, no more
      }
    }
    return done;
  }

  /** A run being judged: the Random before its draws, its observer, its stop window to come. */
  private record Judging<T>(Random before, T after, Future<Integer> stop) {}

  /** One run's samples per window from the warm-up's first to {@code last}: [window][group][i]. */
  private double[][][] draw(Random r, int warmup, int last, int faultAt, Fault fault) {
    Draws draws = new Draws(r);
    double[][][] drawn = new double[last + warmup + 1][2][samples];
    for (int w = -warmup; w <= last; w++) {
      double[][] window = drawn[w + warmup];
      draws.window(r, w >= faultAt ? fault : Fault.NONE, window[0], window[1]);
    }
    return drawn;
  }

  /** Judges drawn windows as {@link #judgeEach} does; the window after which it stopped. */
  private int judge(double[][][] drawn, Hypothesis h, int warmup, long horizon, AfterWindow after) {
    WindowJudge.Monitor m = monitor(warmup, horizon);
    for (int i = 0; i < drawn.length; i++) {
      if (!judge(m, drawn[i][0], drawn[i][1], h, i - warmup, after)) {
        return i - warmup;
      }
    }
    return drawn.length - warmup - 1;
  }

  private boolean judge(
      WindowJudge.Monitor m, double[] c, double[] e, Hypothesis h, int w, AfterWindow after) {
    WindowJudge.Judged j =
        WindowJudge.judge(
            m, Summary.of(c), Summary.of(e), p99(c), p99(e), h, w * 1000L, w * 1000L + 1000);
    if (!spreadLevels) {
      m.tracks.stream()
          .filter(t -> t.statistic == Statistic.SPREAD)
          .forEach(t -> t.levelSeries = new double[0]);
    }
    return after.next(w, m, j);
  }

  private WindowJudge.Monitor monitor(int warmup, long horizon) {
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
    return m;
  }

  private static int stopOf(Future<Integer> judged) {
    try {
      return judged.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A copy of {@code r} at its place in its sequence (java.util.Random is serializable). */
  static Random copy(Random r) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(r);
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        return (Random) in.readObject();
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One run's draws: each group's AR(1) state, GARCH variance and level, drawn window by window.
   */
  private final class Draws {
    private double stateC;
    private double stateE;
    private final double[] garchH = {1, 1};
    private final double[] garchShock = {0, 0};
    private double levelC;
    private double levelE;
    private final double innovation = Math.sqrt(1 - levelPhi * levelPhi);

    Draws(Random r) {
      stateC = r.nextGaussian();
      stateE = r.nextGaussian();
      levelC = levelPhi > 0 ? r.nextGaussian() : 0;
      levelE = levelPhi > 0 ? r.nextGaussian() : 0;
    }

    /** The next window's samples of both groups, into {@code c} and {@code e}. */
    void window(Random r, Fault f, double[] c, double[] e) {
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
  }

  static double p99(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(0.99 * s.length) - 1)];
  }
}
