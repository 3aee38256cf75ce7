package io.faultline.bench;

import io.faultline.analyzer.WindowJudge;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Detection delay and false alarms on simulated telemetry, six judges on the same data in the same
 * run: the analyzer's e-detector ({@link WindowJudge}, docs/adr/0010, 0014, 0020, 0031), the
 * detector it replaced ({@link Adr0006Judge}: a fresh test per window), a CloudWatch-style
 * static-threshold alarm (control warm-up mean + 3 sigma of its datapoints, 3 of 5 datapoints
 * above), the same alarm with its threshold calibrated to at most 5% false alarms on the
 * within-tolerance row ({@link #calibration}), a 3-sigma rule on single datapoints (sigma from the
 * experimental group's warm-up datapoints) and the end-of-run Mann-Whitney classification (Kayenta
 * style: it speaks at the end only, its delay is the rest of the run). A last column, per fault
 * row, is the oracle bound ({@link #oracle}, docs/adr/0031). After the table: the rows of a process
 * with a warm-up transient ({@link #transientRows}) and the bounds of a detector that must learn
 * the groups' offset ({@link #offsetLearnedTable}, docs/adr/0057).
 *
 * <p>Each run: 20 warm-up windows, then 60 judged windows; a fault starts at judged window 5
 * (early) or 40 (late) and lasts to the end. Regimes: dense (100 samples per group and window),
 * sparse (6 per window: one per 10 s in 1-minute windows; 1 per window: one per minute). Processes
 * per group: normal (100, sd 25), lognormal (median 100, sigma 0.25), AR(1) (phi 0.8 per sample, sd
 * 25) and Poisson counts (mean 20). Hypothesis: increase, tolerance 10%, alpha 0.05 over the 60
 * judged windows, watching the mean and the spread. Errors: 0/1 outcomes at 1%, 100 requests per
 * window, tolerance 0.5 points. Rows in which every alarm is false: clean, +5% (within the
 * tolerance), errors and the level rising in both groups (a shared cause, docs/adr/0041).
 *
 * <pre>
 * java -cp "bench/target/faultline-bench.jar:bench/target/lib/*" io.faultline.bench.DetectionBench [runs]
 * </pre>
 */
public final class DetectionBench {

  /**
   * Warm-up windows, by default the analyzer's {@link WindowJudge#SHARP_WARMUP_WINDOWS} (the one
   * fact: the figures are measured where the dense detector is sharp); {@code
   * -Dfaultline.bench.warmup=60} measures what a longer one buys.
   */
  static final int WARMUP =
      Integer.getInteger("faultline.bench.warmup", WindowJudge.SHARP_WARMUP_WINDOWS);

  /**
   * Only rows whose regime, process or fault contains this text ({@code -Dfaultline.bench.only}).
   */
  static final String ONLY = System.getProperty("faultline.bench.only", "");

  /**
   * {@code -Dfaultline.bench.noAttackTime=true}: the e-detector is not told when the attack starts
   * (no anchored e-process, docs/adr/0037), as before round 7.
   */
  static final boolean NO_ATTACK_TIME = Boolean.getBoolean("faultline.bench.noAttackTime");

  /**
   * {@code -Dfaultline.bench.pooledControl=N}: the e-detector compares the experimental mean with
   * the control pooled over N samples' worth of windows (0 = the analyzer's default, {@code
   * WindowJudge.POOLED_CONTROL_SAMPLES}; docs/adr/0041).
   */
  static final int POOLED_CONTROL = Integer.getInteger("faultline.bench.pooledControl", 0);

  /**
   * {@code -Dfaultline.bench.noiselessControl=true}: the e-detector is given a control group
   * without noise (its true mean, spread and p99, as if measured from a million samples): what
   * removing the control's noise from the comparison could gain at most (docs/adr/0041). The other
   * judges see the sampled control as always.
   */
  static final boolean NOISELESS_CONTROL = Boolean.getBoolean("faultline.bench.noiselessControl");

  /**
   * {@code -Dfaultline.bench.twoGroupOracle=true}: the oracle column is the bound of a detector
   * that must also hold when a shared cause moves both groups after the warm-up: it sees the
   * control's post-change samples too and its statistic is the experimental group's minus the
   * control's (docs/adr/0041).
   */
  static final boolean TWO_GROUP_ORACLE = Boolean.getBoolean("faultline.bench.twoGroupOracle");

  /** How much slower the transient warm-up window of {@link Process#NORMAL_TRANSIENT} is. */
  static final double TRANSIENT_FACTOR = 3;

  /**
   * {@code -Dfaultline.bench.transientGroup=control|experimental}: the warm-up transient always in
   * that group (the draw still happens, so the window is the same run for run); default: either,
   * drawn per run.
   */
  static final String TRANSIENT_GROUP = transientGroup();

  private static String transientGroup() {
    String group = System.getProperty("faultline.bench.transientGroup", "either");
    if (!List.of("either", "control", "experimental").contains(group)) {
      throw new IllegalArgumentException(
          "faultline.bench.transientGroup " + group + ": must be either, control or experimental");
    }
    return group;
  }

  /** Regimes of the warm-up transient's rows: dense and one sample per 10 s (ADR 0055's demo). */
  static final int[] TRANSIENT_SAMPLES = {100, 6};

  static final int WINDOWS = 60;
  static final int EARLY = 5;
  static final int LATE = 40;
  static final double ALPHA = 0.05;

  /**
   * The hypothesis's tolerance, 10%; {@code -Dfaultline.bench.tolerance=0} measures what judging at
   * the tolerance's edge costs a fault (a power budget's switch, docs/adr/0110: every rise is then
   * a deviation, so the clean and within-tolerance cells lose their meaning).
   */
  static final double TOLERANCE =
      Double.parseDouble(System.getProperty("faultline.bench.tolerance", "0.1"));

  private DetectionBench() {}

  enum Process {
    NORMAL("normal"),
    LOGNORMAL("lognormal 0.25"),
    AR1("AR(1) 0.8"),
    POISSON("Poisson 20"),
    /**
     * Normal, with one of the warm-up windows of one group {@link #TRANSIENT_FACTOR} times slower
     * (a cold cache, a JIT, a pause; docs/adr/0055): the window and the group are drawn per run.
     * Its rows come after the main table ({@link #TRANSIENT_FAULTS}), so the main table's rows and
     * seeds do not change.
     */
    NORMAL_TRANSIENT("normal + warm-up transient"),
    /**
     * The processes of real telemetry (docs/adr/0068), after the main table ({@link #realRows}):
     * Student-t with 3 degrees of freedom, sd 25.
     */
    STUDENT_T3("Student-t 3"),
    /** Normal, with 1.5% of each group's samples (independently) 5-10x (spikes). */
    SPIKES("normal + 1.5% spikes 5-10x"),
    /**
     * Normal whose variance clusters in time: per window, h = 0.05 + 0.15 u^2 + 0.8 h before (u the
     * previous window's shock), each group its own path; long-run sd 25.
     */
    GARCH("GARCH(1,1) per window"),
    /**
     * Normal, both groups x (1 + 0.2 sin) of a daily cycle 2-4x the run's length, phase and period
     * drawn per run (a shared slow drift).
     */
    DIURNAL("normal + shared diurnal 20%"),
    /** Normal, both groups x 1.2 from judged window {@link #SHARED_STEP_AT} (a deploy, traffic). */
    SHARED_STEP("normal + shared step +20% mid-run"),
    /**
     * Normal, one group's (drawn per run) windows missing at a rate drawn from 10-30%, and 5 in a
     * row at a judged window drawn per run.
     */
    GAPS("normal + one group's gaps"),
    /** A queue depth: Poisson(0.6), capped at 3 (integers, mostly zeros). */
    QUEUE_DEPTH("queue depth 0-3");

    final String label;

    Process(String label) {
      this.label = label;
    }
  }

  /** A fault: level factor, spread factor; or an error rate (NaN for continuous metrics). */
  record Fault(String name, double level, double sd, double errorRate) {}

  static final Fault CLEAN = new Fault("none", 1, 1, Double.NaN);

  static final Fault ERRORS_CLEAN = new Fault("none (errors 1%)", 1, 1, 0.01);

  /** A rise inside the 10% tolerance from the early start: any alarm is a false alarm. */
  static final String IN_TOLERANCE = "+5% (within tolerance)";

  static final Fault IN_TOLERANCE_FAULT = new Fault(IN_TOLERANCE, 1.05, 1, Double.NaN);

  static final Fault PLUS_50 = new Fault("+50%", 1.5, 1, Double.NaN);

  static final Fault PLUS_100 = new Fault("+100%", 2.0, 1, Double.NaN);

  static final Fault VARIANCE_X2 = new Fault("variance x2", 1, Math.sqrt(2), Double.NaN);

  /**
   * Errors 1% -> 3% in both groups at once (a shared cause, e.g. a dependency): the difference does
   * not move, so any alarm is a false alarm.
   */
  static final String BOTH_GROUPS = "errors 1% -> 3% in both groups";

  /**
   * The level +20% in both groups at once, after the warm-up (a shared cause: load, a shared
   * dependency): the difference does not move, so any alarm is a false alarm (docs/adr/0041).
   */
  static final String LEVEL_BOTH_GROUPS = "+20% in both groups";

  /**
   * +50% whose effect lags the attack: the attack's STARTED is at judged window {@link #EARLY} (the
   * anchor), the telemetry moves at window {@link #LAG_STARTS} (a slow leak, a cache that drains;
   * docs/adr/0048). Delays count from the move.
   */
  static final String LAGGING = "+50% lagging the attack";

  static final Fault LAGGING_FAULT = new Fault(LAGGING, 1.5, 1, Double.NaN);

  /** Judged windows at which a lagging fault's effect begins. */
  static final int[] LAG_STARTS = {10, 40};

  /**
   * {@code -Dfaultline.bench.anchorAtFault=true}: a lagging fault's anchor is where its effect
   * begins, as if the agent's STARTED came then: what anchoring at the attack instead costs.
   */
  static final boolean ANCHOR_AT_FAULT = Boolean.getBoolean("faultline.bench.anchorAtFault");

  /**
   * {@code -Dfaultline.bench.predictableDrift=false}: single samples keep the warm-up's drift
   * variance instead of learning it again before each datapoint ({@code
   * WindowJudge.Monitor.predictableDrift}, the default since docs/adr/0051).
   */
  static final boolean PREDICTABLE_DRIFT =
      monitorSwitch("predictableDrift", new WindowJudge.Monitor().predictableDrift);

  /**
   * {@code -Dfaultline.bench.predictableDriftAll=false}: window means (dense, one per 10 s) keep
   * the warm-up's drift variance instead of learning it again before each datapoint from the
   * datapoints before the attack ({@code WindowJudge.Monitor.predictableDriftAll}, the default
   * since docs/adr/0056).
   */
  static final boolean PREDICTABLE_DRIFT_ALL =
      monitorSwitch("predictableDriftAll", new WindowJudge.Monitor().predictableDriftAll);

  /**
   * {@code -Dfaultline.bench.phiFromGroups=false}: single samples learn phi from the warm-up's
   * differences against the growing control pool, as before docs/adr/0065, instead of from the two
   * groups' own series ({@code WindowJudge.Monitor.phiFromGroups}, the default).
   */
  static final boolean PHI_FROM_GROUPS =
      monitorSwitch("phiFromGroups", new WindowJudge.Monitor().phiFromGroups);

  /**
   * {@code -Dfaultline.bench.phiByEvidence=false}: single samples pay the whole phi and its
   * variance bound for any phi above the significance cut, as before docs/adr/0067, instead of in
   * proportion to the evidence for phi ({@code WindowJudge.Monitor.phiByEvidence}, the default).
   */
  static final boolean PHI_BY_EVIDENCE =
      monitorSwitch("phiByEvidence", new WindowJudge.Monitor().phiByEvidence);

  /**
   * {@code -Dfaultline.bench.denseLongRun=false} turns off the default (docs/adr/0080): window
   * means against one control window at the differences' long-run variance learned before each
   * datapoint, no prewhitening ({@code WindowJudge.Monitor.denseLongRun}).
   */
  static final boolean DENSE_LONG_RUN =
      monitorSwitch("denseLongRun", new WindowJudge.Monitor().denseLongRun);

  /**
   * {@code -Dfaultline.bench.denseEffectiveDf=true}: with {@link #DENSE_LONG_RUN}, the chi-square
   * bound on the differences' variance at their effective degrees of freedom (docs/adr/0091; {@code
   * WindowJudge.Monitor.denseEffectiveDf}).
   */
  static final boolean DENSE_EFFECTIVE_DF =
      monitorSwitch("denseEffectiveDf", new WindowJudge.Monitor().denseEffectiveDf);

  /**
   * {@code -Dfaultline.bench.anchorWeight=0.75}: the anchored e-process's share of the statistic
   * ({@code WindowJudge.Monitor.anchorWeight}; 0 = the default, docs/adr/0066).
   */
  static final double ANCHOR_WEIGHT =
      Double.parseDouble(System.getProperty("faultline.bench.anchorWeight", "0"));

  /**
   * {@code -Dfaultline.bench.countLevels=false}: without small counts' tolerance level and log
   * floor ({@code WindowJudge.Monitor.countLevels}, the default since docs/adr/0068).
   */
  static final boolean COUNT_LEVELS =
      monitorSwitch("countLevels", new WindowJudge.Monitor().countLevels);

  /**
   * {@code -Dfaultline.bench.spreadClip=false}: the spread track's datapoints not clipped ({@code
   * WindowJudge.Monitor.spreadClip}, the default since docs/adr/0068).
   */
  static final boolean SPREAD_CLIP =
      monitorSwitch("spreadClip", new WindowJudge.Monitor().spreadClip);

  /**
   * {@code -Dfaultline.bench.spreadWander=false}: the spread track's datapoints not at the groups'
   * log spread wander's long-run variance ({@code WindowJudge.Monitor.spreadWander}, docs/adr/0070,
   * the default since docs/adr/0076).
   */
  static final boolean SPREAD_WANDER =
      monitorSwitch("spreadWander", new WindowJudge.Monitor().spreadWander);

  /**
   * {@code -Dfaultline.bench.spreadWanderFloor=false}: without the floor under the spread track's
   * drift below dense windows, 1.5 times a window's log spread ratio's sampling variance ({@code
   * WindowJudge.Monitor.spreadWanderFloor}, the default since docs/adr/0076).
   */
  static final boolean SPREAD_WANDER_FLOOR =
      monitorSwitch("spreadWanderFloor", new WindowJudge.Monitor().spreadWanderFloor);

  /**
   * {@code -Dfaultline.bench.countVariance=false}: single samples of a count not held to at least a
   * Poisson count's variance at the warm-up's level ({@code WindowJudge.Monitor.countVariance},
   * docs/adr/0071, the default since docs/adr/0076).
   */
  static final boolean COUNT_VARIANCE =
      monitorSwitch("countVariance", new WindowJudge.Monitor().countVariance);

  /**
   * {@code -Dfaultline.bench.controlSeriesPooled=false}: the mean track against a pooled control
   * without the control's window series' variance and the pool's phi ({@code
   * WindowJudge.Monitor.controlSeriesPooled}, the default since docs/adr/0081).
   */
  static final boolean CONTROL_SERIES_POOLED =
      monitorSwitch("controlSeriesPooled", new WindowJudge.Monitor().controlSeriesPooled);

  /**
   * {@code -Dfaultline.bench.controlSeriesWithin=false}: the above in its first form, single
   * samples too and the bound always (measured, not valid; {@code
   * WindowJudge.Monitor.controlSeriesWithin}, the default since docs/adr/0081: window means only,
   * each window's own sampling variance kept, the bound only when the groups show a lag-1).
   */
  static final boolean CONTROL_SERIES_WITHIN =
      monitorSwitch("controlSeriesWithin", new WindowJudge.Monitor().controlSeriesWithin);

  /**
   * {@code -Dfaultline.bench.denseCalmMargin=true|false}: a dense track's lag-1 without its margin
   * while the groups' own levels show none ({@code WindowJudge.Monitor.denseCalmMargin},
   * docs/adr/0110).
   */
  static final boolean DENSE_CALM_MARGIN =
      monitorSwitch("denseCalmMargin", new WindowJudge.Monitor().denseCalmMargin);

  /**
   * {@code -Dfaultline.bench.denseScaleFree=true|false}: a dense track's datapoints judged by a
   * t-type e-value, their scale unknown ({@code WindowJudge.Monitor.denseScaleFree},
   * docs/adr/0113).
   */
  static final boolean DENSE_SCALE_FREE =
      monitorSwitch("denseScaleFree", new WindowJudge.Monitor().denseScaleFree);

  /**
   * {@code -Dfaultline.bench.sparseScaleFree=true|false}: one per 10 s window means against the
   * pool judged by a t-type e-value, their scale unknown ({@code
   * WindowJudge.Monitor.sparseScaleFree}, docs/adr/0118).
   */
  static final boolean SPARSE_SCALE_FREE =
      monitorSwitch("sparseScaleFree", new WindowJudge.Monitor().sparseScaleFree);

  /** {@code -Dfaultline.bench.<name>=true|false}, else the monitor's default. */
  static boolean monitorSwitch(String name, boolean monitorDefault) {
    return Boolean.parseBoolean(System.getProperty("faultline.bench." + name, "" + monitorDefault));
  }

  /**
   * {@code -Dfaultline.bench.extremesHeld=false} turns off the default (docs/adr/0075): each
   * window's largest and smallest sample held within 6 standard deviations of its other samples
   * ({@code WindowJudge.Monitor.extremesHeld}, docs/adr/0071).
   */
  static final boolean EXTREMES_HELD =
      monitorSwitch("extremesHeld", new WindowJudge.Monitor().extremesHeld);

  /**
   * {@code -Dfaultline.bench.alphaOverMeasured=true|false}: alpha split over the statistics the
   * warm-up measured only, so single samples' mean gets the spread's half ({@code
   * WindowJudge.Monitor.alphaOverMeasured}, docs/adr/0088).
   */
  static final boolean ALPHA_OVER_MEASURED =
      monitorSwitch("alphaOverMeasured", new WindowJudge.Monitor().alphaOverMeasured);

  /**
   * {@code -Dfaultline.bench.singleSampleClip=3}: single samples' datapoints clipped at theta0 + 3
   * standard deviations ({@code WindowJudge.Monitor.singleSampleClip}; 0 = the default 4,
   * docs/adr/0088).
   */
  static final double SINGLE_SAMPLE_CLIP =
      Double.parseDouble(
          System.getProperty(
              "faultline.bench.singleSampleClip", "" + new WindowJudge.Monitor().singleSampleClip));

  /**
   * {@code -Dfaultline.bench.spreadAlone=true}: every row asks the spread alone instead of the mean
   * and the spread, as {@code faultline analyze --statistic spread} does; at one sample a window
   * its spread is then judged from the groups' successive differences (docs/adr/0099, 0105).
   */
  static final boolean SPREAD_ALONE = Boolean.getBoolean("faultline.bench.spreadAlone");

  /**
   * {@code -Dfaultline.bench.meanAlone=true}: every row asks the mean alone, which then gets the
   * whole alpha instead of the half it shares with the spread (a power budget's switch,
   * docs/adr/0110).
   */
  static final boolean MEAN_ALONE = Boolean.getBoolean("faultline.bench.meanAlone");

  /**
   * A power budget's parts of the one per 10 s mean track (docs/adr/0115), all off by default:
   * {@code -Dfaultline.bench.noBound=true} (no chi-square bound on the control series' variance),
   * {@code -Dfaultline.bench.seriesOnly=true} (each datapoint at the control series' variance
   * alone), {@code -Dfaultline.bench.phiZero=true} (no long-run factor), {@code
   * -Dfaultline.bench.trueVariance=V} (every datapoint at V, judged scale: the true variance),
   * {@code -Dfaultline.bench.seriesMax=true} (the larger of its own and the control series').
   */
  static final WindowJudge.PowerBudget POWER_BUDGET =
      new WindowJudge.PowerBudget(
          Boolean.getBoolean("faultline.bench.noBound"),
          Boolean.getBoolean("faultline.bench.seriesOnly"),
          Boolean.getBoolean("faultline.bench.phiZero"),
          Double.parseDouble(System.getProperty("faultline.bench.trueVariance", "0")),
          Boolean.getBoolean("faultline.bench.seriesMax"));

  /** One group's sample source; AR(1) state per group. */
  static final class Source {
    private final Process process;
    private double state;

    /** {@link Process#GARCH}: this window's variance factor and the last shock. */
    private double garchH = 1;

    private double garchShock;

    Source(Process process, Random r) {
      this.process = process;
      this.state = r.nextGaussian();
    }

    /** A new window begins: the GARCH variance moves (no draw for the other processes). */
    void nextWindow(Random r) {
      if (process == Process.GARCH) {
        garchH = 0.05 + 0.15 * garchShock * garchShock + 0.8 * garchH;
        garchShock = Math.sqrt(garchH) * r.nextGaussian();
      }
    }

    double sample(Random r, Fault f) {
      double z = r.nextGaussian();
      return switch (process) {
        case STUDENT_T3 -> {
          // t3 / sqrt(3) has variance 1
          double chi2 = 0;
          for (int k = 0; k < 3; k++) {
            double g = r.nextGaussian();
            chi2 += g * g;
          }
          yield 100 * f.level() + 25 * f.sd() * z / Math.sqrt(chi2);
        }
        case SPIKES -> {
          double x = 100 * f.level() + 25 * f.sd() * z;
          yield r.nextDouble() < 0.015 ? x * (5 + 5 * r.nextDouble()) : x;
        }
        case GARCH -> 100 * f.level() + 25 * f.sd() * Math.sqrt(garchH) * z;
        case DIURNAL, SHARED_STEP, GAPS -> 100 * f.level() + 25 * f.sd() * z;
        case QUEUE_DEPTH -> Math.min(3, poisson(r, 0.6 * f.level() * f.sd()));
        case NORMAL, NORMAL_TRANSIENT -> 100 * f.level() + 25 * f.sd() * z;
        case LOGNORMAL -> 100 * f.level() * Math.exp(0.25 * f.sd() * z);
        case AR1 -> {
          state = 0.8 * state + 0.6 * z;
          yield 100 * f.level() + 25 * f.sd() * state;
        }
        case POISSON -> poisson(r, 20 * f.level() * f.sd());
      };
    }
  }

  /**
   * The warm-up window (judged-window index, negative) and group that {@link
   * Process#NORMAL_TRANSIENT} slows down in one run; none for the other processes (no draw, so
   * their rows keep their seeds' sequences).
   */
  record Transient(int window, boolean control) {
    static final Transient NONE = new Transient(Integer.MIN_VALUE, false);

    static Transient draw(Random r, Process p) {
      if (p != Process.NORMAL_TRANSIENT) {
        return NONE;
      }
      int window = r.nextInt(WARMUP) - WARMUP;
      boolean control = r.nextBoolean();
      return new Transient(
          window,
          switch (TRANSIENT_GROUP) {
            case "control" -> true;
            case "experimental" -> false;
            default -> control;
          });
    }

    /** Window w's samples, the slowed group's x {@link #TRANSIENT_FACTOR} when w is the one. */
    void apply(int w, double[] c, double[] e) {
      if (w != window) {
        return;
      }
      double[] slowed = control ? c : e;
      for (int i = 0; i < slowed.length; i++) {
        slowed[i] *= TRANSIENT_FACTOR;
      }
    }
  }

  /** Judged window at which {@link Process#SHARED_STEP} moves both groups. */
  static final int SHARED_STEP_AT = 30;

  static final EnumSet<Process> REAL =
      EnumSet.of(
          Process.STUDENT_T3,
          Process.SPIKES,
          Process.GARCH,
          Process.DIURNAL,
          Process.SHARED_STEP,
          Process.GAPS,
          Process.QUEUE_DEPTH);

  /**
   * One run's shared drift and gaps (docs/adr/0068): drawn only for their processes, after {@link
   * Transient#draw}, so every other row keeps its seed's sequence.
   */
  record Realism(Process process, double phase, double period, boolean[] missing, boolean control) {
    static final Realism NONE = new Realism(null, 0, 1, new boolean[0], false);

    static Realism draw(Random r, Process p) {
      return switch (p) {
        case DIURNAL ->
            new Realism(
                p,
                2 * Math.PI * r.nextDouble(),
                (2 + 2 * r.nextDouble()) * (WARMUP + WINDOWS),
                new boolean[0],
                false);
        case GAPS -> {
          boolean control = r.nextBoolean();
          double rate = 0.1 + 0.2 * r.nextDouble();
          boolean[] missing = new boolean[WARMUP + WINDOWS];
          for (int i = 0; i < missing.length; i++) {
            missing[i] = r.nextDouble() < rate;
          }
          int run = WARMUP + r.nextInt(WINDOWS - 5);
          Arrays.fill(missing, run, run + 5, true);
          yield new Realism(p, 0, 1, missing, control);
        }
        default -> new Realism(p, 0, 1, new boolean[0], false);
      };
    }

    /** Window w's samples with the drift shared by both groups. */
    void apply(int w, double[] c, double[] e) {
      double factor =
          process == Process.DIURNAL
              ? 1 + 0.2 * Math.sin(phase + 2 * Math.PI * (w + WARMUP) / period)
              : process == Process.SHARED_STEP && w >= SHARED_STEP_AT ? 1.2 : 1;
      if (factor == 1) {
        return;
      }
      for (int i = 0; i < c.length; i++) {
        c[i] *= factor;
        e[i] *= factor;
      }
    }

    /** Whether the group's datapoints of window w are missing. */
    boolean missing(int w, boolean ofControl) {
      return missing.length > 0 && ofControl == control && missing[w + WARMUP];
    }
  }

  /**
   * The real processes' monitors are given the warm-up's end as the stream's experiments are
   * ({@code learnUntil}), so a window missing in the warm-up does not stretch it into the judged
   * windows: every time of theirs is shifted by this much (the warm-up ends at a positive time).
   */
  static long timeBase(Process p) {
    return p != null && REAL.contains(p) ? (WARMUP + 1) * 60_000L : 0;
  }

  static double poisson(Random r, double lambda) {
    double l = Math.exp(-lambda);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= r.nextDouble();
    } while (p > l);
    return k - 1;
  }

  /** First alarm (judged window) per judge, -1 = none; Mann-Whitney: WINDOWS when HIGH at end. */
  record Alarms(
      int eDetector, int adr0006, int cloudWatch, int calibrated, int threeSigma, int mannWhitney) {
    int of(int judge) {
      return switch (judge) {
        case 0 -> eDetector;
        case 1 -> adr0006;
        case 2 -> cloudWatch;
        case 3 -> calibrated;
        case 4 -> threeSigma;
        default -> mannWhitney;
      };
    }
  }

  /**
   * The calibrated CloudWatch-style alarm's thresholds, in control warm-up standard deviations: for
   * the mean datapoint and for the p99 datapoint (spread faults).
   */
  record Calibration(double mean, double p99) {}

  /** Simulated runs per hypothesis of the oracle bound. */
  static final int ORACLE_RUNS = Integer.getInteger("faultline.bench.oracleRuns", 2000);

  static final String[] JUDGES = {
    "e-detector (ADR 0014, 0020)",
    "per-window tests (ADR 0006)",
    "CloudWatch 3/5 static",
    "CloudWatch 3/5 calibrated",
    "3-sigma",
    "Mann-Whitney end"
  };

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    WindowJudge.powerBudget(POWER_BUDGET);
    System.out.print(header(runs, continuous().statistics()));
    if (REAL_ONLY) {
      realRows(runs);
      return;
    }
    printHeader();
    List<Row> rows = new ArrayList<>();
    List<Fault> faults =
        List.of(
            CLEAN,
            IN_TOLERANCE_FAULT,
            new Fault("+20%", 1.2, 1, Double.NaN),
            PLUS_50,
            PLUS_100,
            VARIANCE_X2,
            new Fault(LEVEL_BOTH_GROUPS, 1.2, 1, Double.NaN),
            LAGGING_FAULT);
    for (int g = 0; g < REGIME_SAMPLES.length; g++) {
      int samples = REGIME_SAMPLES[g];
      for (Process p : Process.values()) {
        if (p == Process.NORMAL_TRANSIENT || REAL.contains(p)) {
          continue; // their rows come after the main table
        }
        for (Fault f : faults) {
          if (p == Process.POISSON && f.sd() != 1) {
            continue; // a Poisson count's variance is its mean
          }
          int[] starts =
              f == CLEAN
                  ? new int[] {-1}
                  : f.name() == IN_TOLERANCE
                      ? new int[] {EARLY}
                      : f == LAGGING_FAULT ? LAG_STARTS : new int[] {EARLY, LATE};
          for (int start : starts) {
            row(REGIME_NAMES[g], samples, p, f, start, runs).ifPresent(rows::add);
          }
        }
      }
    }
    List<Fault> errorFaults =
        List.of(
            ERRORS_CLEAN,
            new Fault("errors 1% -> 3%", 1, 1, 0.03),
            new Fault(BOTH_GROUPS, 1, 1, 0.03),
            new Fault("outage (errors 100%)", 1, 1, 1.0));
    for (Fault f : errorFaults) {
      for (int start : f.errorRate() == 0.01 ? new int[] {-1} : new int[] {EARLY, LATE}) {
        row("dense 100 requests/window", 100, null, f, start, runs).ifPresent(rows::add);
      }
    }
    transientRows(runs);
    realRows(runs);
    if (ORACLE_TABLE) {
      offsetLearnedTable(rows);
    }
  }

  /**
   * {@code -Dfaultline.bench.realOnly=true}: only the real processes' table ({@link #realRows}).
   */
  static final boolean REAL_ONLY = Boolean.getBoolean("faultline.bench.realOnly");

  /** Judged window at which the "last quarter" faults of {@link #realRows} start. */
  static final int LAST_QUARTER = 45;

  /** A fault that grows slowly: +100% reached linearly over {@link #RAMP_WINDOWS} windows. */
  static final String RAMP = "+100% ramping over 20 windows";

  static final int RAMP_WINDOWS = 20;

  static final Fault RAMP_FAULT = new Fault(RAMP, 2.0, 1, Double.NaN);

  /**
   * The rows of real telemetry's processes (docs/adr/0068), after the main table with the same
   * columns (no oracle: its sufficient statistics are the main table's processes'): per process and
   * regime, clean, +5% within the tolerance, +50% and +100% early and late, variance x2 for the
   * volatility clustering; then, on the normal process, +50% in the run's last quarter and +100%
   * ramping up over 20 windows.
   */
  static void realRows(int runs) {
    List<Fault> faults = List.of(CLEAN, IN_TOLERANCE_FAULT, PLUS_50, PLUS_100, VARIANCE_X2);
    boolean header = false;
    for (int g = 0; g < REGIME_SAMPLES.length; g++) {
      for (Process p : REAL) {
        for (Fault f : faults) {
          if (f.sd() != 1 && p != Process.GARCH) {
            continue; // the volatility clustering's fault
          }
          header = realHeader(header, REGIME_NAMES[g] + " | " + p.label + " | " + f.name());
          int[] starts =
              f == CLEAN
                  ? new int[] {-1}
                  : f == IN_TOLERANCE_FAULT ? new int[] {EARLY} : new int[] {EARLY, LATE};
          for (int start : starts) {
            row(REGIME_NAMES[g], REGIME_SAMPLES[g], p, f, start, runs);
          }
        }
      }
      header = realHeader(header, REGIME_NAMES[g] + " | " + Process.NORMAL.label + " | +50%");
      row(REGIME_NAMES[g], REGIME_SAMPLES[g], Process.NORMAL, PLUS_50, LAST_QUARTER, runs);
      header = realHeader(header, REGIME_NAMES[g] + " | " + Process.NORMAL.label + " | " + RAMP);
      row(REGIME_NAMES[g], REGIME_SAMPLES[g], Process.NORMAL, RAMP_FAULT, EARLY, runs);
    }
  }

  /** Prints the real processes' table header once, before its first row that is run. */
  private static boolean realHeader(boolean printed, String label) {
    if (printed || !label.contains(ONLY)) {
      return printed;
    }
    System.out.printf(
        Locale.ROOT,
        "%nReal telemetry (docs/adr/0068): heavy tails, spikes, volatility clustering, a drift and a"
            + " step shared by both groups, one group's gaps, a small integer queue depth; faults"
            + " in the last quarter (from judged window %d) and ramping up over %d windows. Same"
            + " cells and seeds scheme as above; no oracle.%n%n",
        LAST_QUARTER,
        RAMP_WINDOWS);
    printHeader();
    return true;
  }

  /** Samples per group and window of the main table's regimes, and their names. */
  static final int[] REGIME_SAMPLES = {100, 6, 1};

  static final String[] REGIME_NAMES = {
    "dense 100/window", "sparse 1 per 10 s", "sparse 1 per 60 s"
  };

  /**
   * {@code -Dfaultline.bench.oracleTable=false} leaves out the table of the offset-learned oracle
   * (docs/adr/0057), which takes about twice as long as the main table.
   */
  static final boolean ORACLE_TABLE =
      Boolean.parseBoolean(System.getProperty("faultline.bench.oracleTable", "true"));

  private static void printHeader() {
    StringBuilder header = new StringBuilder("| regime | process | fault | start |");
    StringBuilder rule = new StringBuilder("|---|---|---|---|");
    for (String j : JUDGES) {
      header.append(' ').append(j).append(" |");
      rule.append("---|");
    }
    header.append(" oracle |");
    rule.append("---|");
    System.out.println(header);
    System.out.println(rule);
  }

  /** What the offset-learned oracle's table needs of a main-table row. */
  record Row(
      String regime,
      int samples,
      Process process,
      Fault fault,
      int start,
      String startLabel,
      boolean clean,
      double eDetector,
      double calibrated,
      double oracle) {
    String label() {
      return String.format(
          Locale.ROOT,
          "%s | %s | %s | %s",
          regime,
          process == null ? "0/1 outcomes" : process.label,
          fault.name(),
          startLabel);
    }
  }

  /**
   * The warm-up transient's rows (docs/adr/0057), after the main table with the same columns:
   * {@link Process#NORMAL_TRANSIENT}, dense and one sample per 10 s, clean and +50% early and late.
   */
  static void transientRows(int runs) {
    boolean any = false;
    for (int samples : TRANSIENT_SAMPLES) {
      for (Fault f : List.of(CLEAN, PLUS_50)) {
        String label =
            regimeName(samples) + " | " + Process.NORMAL_TRANSIENT.label + " | " + f.name();
        any |= label.contains(ONLY);
      }
    }
    if (!any) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "%nWarm-up transient: normal samples, but in each run one of the %d warm-up windows of one"
            + " group (both drawn per run) is %.0fx slower (docs/adr/0055, 0057). Same cells and"
            + " seeds scheme as above.%n%n",
        WARMUP,
        TRANSIENT_FACTOR);
    printHeader();
    for (int samples : TRANSIENT_SAMPLES) {
      row(regimeName(samples), samples, Process.NORMAL_TRANSIENT, CLEAN, -1, runs);
      for (int start : new int[] {EARLY, LATE}) {
        row(regimeName(samples), samples, Process.NORMAL_TRANSIENT, PLUS_50, start, runs);
      }
    }
  }

  private static String regimeName(int samples) {
    for (int g = 0; g < REGIME_SAMPLES.length; g++) {
      if (REGIME_SAMPLES[g] == samples) {
        return REGIME_NAMES[g];
      }
    }
    throw new IllegalArgumentException("regime of " + samples + " samples per window: none");
  }

  /**
   * The second oracle's table (docs/adr/0057): per fault row of the main table, the oracle, the
   * two-group oracle, the oracle that learns the groups' offset from the warm-up alone and from
   * every window before the change, and the e-detector's and the calibrated alarm's detections of
   * the same run; then the rows below 90% a detector could still win and those out of reach.
   */
  static void offsetLearnedTable(List<Row> rows) {
    List<Row> faults = rows.stream().filter(r -> !r.clean()).toList();
    if (faults.isEmpty()) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "%nOracle bounds (docs/adr/0031, 0041, 0057): the power of the most powerful fixed-sample"
            + " test at alpha %.2f that knows the change time, the effect and the variances;"
            + " \"two-group\": it judges E - C since the change (valid under a shared cause);"
            + " \"offset learned\": E - C since the change minus E - C before it, the groups'"
            + " offset learned from the %d warm-up windows alone, or from every window before the"
            + " change (the warm-up and the judged windows before it, as the e-detector does). %d"
            + " simulations per hypothesis. Detections: this run's.%n%n",
        ALPHA,
        WARMUP,
        ORACLE_RUNS);
    System.out.println(
        "| regime | process | fault | start | oracle | two-group oracle | offset learned,"
            + " warm-up | offset learned, before the change | e-detector | CloudWatch 3/5"
            + " calibrated |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    int below = 0;
    int winnable = 0;
    int winnableWarmUp = 0;
    List<String> outOfReach = new ArrayList<>();
    List<String> outOfReachWarmUp = new ArrayList<>();
    for (Row r : faults) {
      String seed = r.regime() + r.process() + r.fault() + r.start();
      double one = TWO_GROUP_ORACLE ? oracle(seed, r, false) : r.oracle();
      double two = TWO_GROUP_ORACLE ? r.oracle() : oracle(seed, r, true);
      double warmUp = offsetLearnedOracle(seed, r, true);
      double before = offsetLearnedOracle(seed, r, false);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n",
          r.label(),
          100 * one,
          100 * two,
          100 * warmUp,
          100 * before,
          100 * r.eDetector(),
          100 * r.calibrated());
      System.out.flush();
      if (before < 0.9) {
        outOfReach.add(r.label());
      }
      if (warmUp < 0.9) {
        outOfReachWarmUp.add(r.label());
      }
      if (r.eDetector() < 0.9) {
        below++;
        winnable += before >= 0.9 ? 1 : 0;
        winnableWarmUp += warmUp >= 0.9 ? 1 : 0;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%nFault rows: %d; e-detector below 90%%: %d, of which a detector could still win (offset"
            + " learned before the change >= 90%%): %d (from the warm-up alone: %d).%n",
        faults.size(),
        below,
        winnable,
        winnableWarmUp);
    System.out.printf(
        Locale.ROOT,
        "%nOut of reach (offset learned before the change < 90%%), %d rows:%n",
        outOfReach.size());
    outOfReach.forEach(l -> System.out.println("- " + l));
    System.out.printf(
        Locale.ROOT,
        "%nOut of reach with the offset from the warm-up alone, %d rows:%n",
        outOfReachWarmUp.size());
    outOfReachWarmUp.forEach(l -> System.out.println("- " + l));
  }

  /**
   * The offset-learned oracle of one row ({@link OffsetLearnedOracle}): the offset from the warm-up
   * alone ({@code warmUpOnly}), or from every window before the change.
   */
  static double offsetLearnedOracle(String seed, Row row, boolean warmUpOnly) {
    Random r = new Random(("offset-learned oracle " + warmUpOnly + seed).hashCode());
    int start = row.start();
    int preWindows = WARMUP + (warmUpOnly ? 0 : start);
    int gapWindows = warmUpOnly ? start : 0;
    int postWindows = WINDOWS - start;
    Fault f = row.fault();
    if (row.process() == null) {
      RandomGenerator g = OffsetLearnedOracle.generator(r);
      return OffsetLearnedOracle.power(
          ORACLE_RUNS,
          ALPHA,
          OffsetLearnedOracle.rateContrast(g, 0.01 + 0.005, 100 * preWindows, 100 * postWindows),
          OffsetLearnedOracle.rateContrast(g, f.errorRate(), 100 * preWindows, 100 * postWindows));
    }
    int n = row.samples();
    OffsetLearnedOracle.Design d =
        new OffsetLearnedOracle.Design(preWindows * n, gapWindows * n, postWindows * n);
    if (f.sd() != 1) {
      RandomGenerator g = OffsetLearnedOracle.generator(r);
      return OffsetLearnedOracle.power(
          ORACLE_RUNS,
          ALPHA,
          OffsetLearnedOracle.spreadContrast(g, 1 + TOLERANCE, d),
          OffsetLearnedOracle.spreadContrast(g, f.sd(), d));
    }
    double edge = 1 + TOLERANCE;
    return switch (row.process()) {
      case LOGNORMAL ->
          OffsetLearnedOracle.power(
              ORACLE_RUNS,
              ALPHA,
              OffsetLearnedOracle.levelContrast(r, OffsetLearnedOracle.LOG_SD, Math.log(edge), d),
              OffsetLearnedOracle.levelContrast(
                  r, OffsetLearnedOracle.LOG_SD, Math.log(f.level()), d));
      case AR1 ->
          OffsetLearnedOracle.power(
              ORACLE_RUNS,
              ALPHA,
              OffsetLearnedOracle.ar1Contrast(r, 100 * (edge - 1), d),
              OffsetLearnedOracle.ar1Contrast(r, 100 * (f.level() - 1), d));
      case POISSON -> {
        RandomGenerator g = OffsetLearnedOracle.generator(r);
        yield OffsetLearnedOracle.power(
            ORACLE_RUNS,
            ALPHA,
            OffsetLearnedOracle.countContrast(g, edge, d),
            OffsetLearnedOracle.countContrast(g, f.level(), d));
      }
      default ->
          OffsetLearnedOracle.power(
              ORACLE_RUNS,
              ALPHA,
              OffsetLearnedOracle.levelContrast(r, OffsetLearnedOracle.SD, 100 * (edge - 1), d),
              OffsetLearnedOracle.levelContrast(
                  r, OffsetLearnedOracle.SD, 100 * (f.level() - 1), d));
    };
  }

  /** {@link #oracle} of a collected row, one-group or two-group. */
  private static double oracle(String seed, Row r, boolean twoGroup) {
    return oracle(seed, r.samples(), r.process(), r.fault(), WINDOWS - r.start(), twoGroup);
  }

  static Optional<Row> row(String regime, int samples, Process p, Fault f, int start, int runs) {
    if (!(regime + " | " + (p == null ? "" : p.label) + " | " + f.name()).contains(ONLY)) {
      return Optional.empty();
    }
    Calibration k = calibration(regime, samples, p, runs);
    Random random = new Random((regime + p + f + start).hashCode());
    List<List<Integer>> delays = new ArrayList<>();
    int[] falseAlarms = new int[JUDGES.length];
    for (int j = 0; j < JUDGES.length; j++) {
      delays.add(new ArrayList<>());
    }
    for (int run = 0; run < runs; run++) {
      Alarms a = p == null ? errorRun(random, f, start, k) : run(random, samples, p, f, start, k);
      for (int j = 0; j < JUDGES.length; j++) {
        int at = a.of(j);
        if (at < 0) {
          continue;
        }
        if (start < 0 || at < start || falseAlarmRow(f)) {
          falseAlarms[j]++;
        } else {
          delays.get(j).add(at - start + 1);
        }
      }
    }
    String startLabel =
        start < 0 || f.name() == IN_TOLERANCE
            ? "-"
            : f == LAGGING_FAULT
                ? "effect " + start + ", attack " + EARLY
                : start == EARLY ? "early" : start == LAST_QUARTER ? "last quarter" : "late";
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s |",
                regime,
                p == null ? "0/1 outcomes" : p.label,
                f.name(),
                startLabel));
    for (int j = 0; j < JUDGES.length; j++) {
      boolean clean = start < 0 || falseAlarmRow(f);
      line.append(' ').append(cell(delays.get(j), falseAlarms[j], runs, clean)).append(" |");
    }
    boolean clean = start < 0 || falseAlarmRow(f);
    // the oracle's sufficient statistic is that of the main table's processes and steps only
    boolean noOracle = (p != null && REAL.contains(p)) || f == RAMP_FAULT;
    double oracle =
        clean || noOracle
            ? Double.NaN
            : oracle(regime + p + f + start, samples, p, f, WINDOWS - start, TWO_GROUP_ORACLE);
    line.append(' ')
        .append(clean || noOracle ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * oracle))
        .append(" |");
    System.out.println(line);
    System.out.flush();
    return Optional.of(
        new Row(
            regime,
            samples,
            p,
            f,
            start,
            startLabel,
            clean,
            (double) delays.get(0).size() / runs,
            (double) delays.get(3).size() / runs,
            oracle));
  }

  /** Rows in which every alarm is false: within tolerance, or a change in both groups. */
  static boolean falseAlarmRow(Fault f) {
    return f.name() == IN_TOLERANCE || f.name() == BOTH_GROUPS || f.name() == LEVEL_BOTH_GROUPS;
  }

  static Hypothesis continuous() {
    return new Hypothesis(
        new MetricPolicy(Direction.INCREASE, TOLERANCE, 0.0, ALPHA, 1),
        false,
        false,
        Double.NaN,
        SPREAD_ALONE
            ? List.of(Statistic.SPREAD)
            : MEAN_ALONE ? List.of(Statistic.MEAN) : List.of(Statistic.MEAN, Statistic.SPREAD));
  }

  /** The run's first lines: its shape, the hypothesis with the statistics it watches, the cells. */
  static String header(int runs, List<Statistic> statistics) {
    return String.format(
        Locale.ROOT,
        "%d runs per row; %d warm-up + %d judged windows; faults from judged window %d (early) or"
            + " %d (late) to the end. Hypothesis: increase, tolerance 10%%, alpha %.2f over the %d"
            + " judged windows, %s; errors: tolerance 0.5 points. Cell: detected"
            + " %% of runs, median and p90 delay in windows (1 = the fault's first window), false"
            + " alarms per run (before the fault; the whole run when clean or within"
            + " tolerance).%n%n",
        runs,
        WARMUP,
        WINDOWS,
        EARLY,
        LATE,
        ALPHA,
        WINDOWS,
        watched(statistics));
  }

  /**
   * What the header says the rows watch: "mean and spread watched" by default, "spread alone
   * watched" under {@link #SPREAD_ALONE}, "mean alone watched" under {@link #MEAN_ALONE}.
   */
  static String watched(List<Statistic> statistics) {
    String names =
        String.join(
            " and ", statistics.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
    return names + (statistics.size() == 1 ? " alone" : "") + " watched";
  }

  static Alarms run(Random r, int samples, Process p, Fault fault, int start, Calibration k) {
    Source control = new Source(p, r);
    Source experimental = new Source(p, r);
    Transient slow = Transient.draw(r, p);
    Realism real = REAL.contains(p) ? Realism.draw(r, p) : Realism.NONE;
    long t0 = timeBase(p);
    Hypothesis h = continuous();
    Hypothesis old =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, TOLERANCE, 0.0, ALPHA, 2),
            false,
            false,
            Double.NaN);
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.horizon = WINDOWS;
    m.attackAt = t0 + attackAt(fault == LAGGING_FAULT && !ANCHOR_AT_FAULT ? EARLY : start);
    m.learnUntil = t0;
    m.pooledControlSamples = POOLED_CONTROL;
    m.predictableDrift = PREDICTABLE_DRIFT;
    m.predictableDriftAll = PREDICTABLE_DRIFT_ALL;
    m.phiFromGroups = PHI_FROM_GROUPS;
    m.phiByEvidence = PHI_BY_EVIDENCE;
    m.controlSeriesPooled = CONTROL_SERIES_POOLED;
    m.controlSeriesWithin = CONTROL_SERIES_WITHIN;
    m.denseLongRun = DENSE_LONG_RUN;
    m.denseEffectiveDf = DENSE_EFFECTIVE_DF;
    m.denseCalmMargin = DENSE_CALM_MARGIN;
    m.denseScaleFree = DENSE_SCALE_FREE;
    m.sparseScaleFree = SPARSE_SCALE_FREE;
    m.anchorWeight = ANCHOR_WEIGHT;
    m.countLevels = COUNT_LEVELS;
    m.spreadClip = SPREAD_CLIP;
    m.spreadWander = SPREAD_WANDER;
    m.spreadWanderFloor = SPREAD_WANDER_FLOOR;
    m.countVariance = COUNT_VARIANCE;
    m.extremesHeld = EXTREMES_HELD;
    m.alphaOverMeasured = ALPHA_OVER_MEASURED;
    m.singleSampleClip = SINGLE_SAMPLE_CLIP;
    Adr0006Judge.Monitor o = new Adr0006Judge.Monitor();
    o.warmupWindows = WARMUP;
    boolean spread = fault.sd() != 1;
    double[] warmControl = new double[WARMUP];
    double[] warmExperimental = new double[WARMUP];
    double[] judgedControl = new double[WINDOWS];
    double[] judgedExperimental = new double[WINDOWS];
    int eAt = -1;
    int oAt = -1;
    int cwAt = -1;
    int kAt = -1;
    int sAt = -1;
    boolean[] above = new boolean[WINDOWS];
    double[] score = new double[WINDOWS];
    double[] c = new double[samples];
    double[] e = new double[samples];
    for (int w = -WARMUP; w < WINDOWS; w++) {
      Fault f = start >= 0 && w >= start ? shaped(fault, w - start) : CLEAN;
      control.nextWindow(r);
      experimental.nextWindow(r);
      for (int i = 0; i < samples; i++) {
        c[i] = control.sample(r, fault.name() == LEVEL_BOTH_GROUPS ? f : CLEAN);
        e[i] = experimental.sample(r, f);
      }
      slow.apply(w, c, e);
      real.apply(w, c, e);
      boolean cGone = real.missing(w, true);
      boolean eGone = real.missing(w, false);
      Summary cs = cGone ? new Summary() : Summary.of(c);
      Summary es = eGone ? new Summary() : Summary.of(e);
      // the datapoint the threshold alarms watch: the mean, or (for spread faults) the p99
      double cPoint = cGone ? Double.NaN : spread ? p99(c) : cs.mean();
      double ePoint = eGone ? Double.NaN : spread ? p99(e) : es.mean();
      Fault shared = fault.name() == LEVEL_BOTH_GROUPS ? f : CLEAN;
      SteadyState now =
          NOISELESS_CONTROL
              ? WindowJudge.judge(
                      m,
                      noiseless(p, shared),
                      es,
                      noiselessP99(p, shared),
                      p99(e),
                      h,
                      w * 60_000L,
                      (w + 1) * 60_000L)
                  .state()
              : WindowJudge.judge(
                      m,
                      cs,
                      es,
                      cGone ? Double.NaN : p99(c),
                      eGone ? Double.NaN : p99(e),
                      h,
                      t0 + w * 60_000L,
                      t0 + (w + 1) * 60_000L)
                  .state();
      SteadyState before = Adr0006Judge.judge(o, cs, es, old).state();
      if (w < 0) {
        warmControl[w + WARMUP] = cPoint;
        warmExperimental[w + WARMUP] = ePoint;
        continue;
      }
      judgedControl[w] = cPoint;
      judgedExperimental[w] = ePoint;
      if (eAt < 0 && now == SteadyState.DEVIATING) {
        eAt = w;
      }
      if (oAt < 0 && before == SteadyState.DEVIATING) {
        oAt = w;
      }
      Summary wc = Summary.of(present(warmControl));
      Summary we = Summary.of(present(warmExperimental));
      above[w] = ePoint > wc.mean() + 3 * Math.sqrt(wc.variance());
      if (cwAt < 0 && threeOfFive(above, w)) {
        cwAt = w;
      }
      // a missing datapoint does not breach (CloudWatch's default)
      score[w] = eGone ? Double.NEGATIVE_INFINITY : (ePoint - wc.mean()) / Math.sqrt(wc.variance());
      if (kAt < 0 && thirdOfFive(score, w) > (spread ? k.p99() : k.mean())) {
        kAt = w;
      }
      if (sAt < 0 && ePoint > we.mean() + 3 * Math.sqrt(we.variance())) {
        sAt = w;
      }
    }
    return new Alarms(
        eAt,
        oAt,
        cwAt,
        kAt,
        sAt,
        mannWhitney(present(judgedControl), present(judgedExperimental)) ? WINDOWS : -1);
  }

  /** The values that are not NaN (a missing datapoint), in order; the array itself when all are. */
  static double[] present(double[] values) {
    for (double v : values) {
      if (Double.isNaN(v)) {
        return Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
      }
    }
    return values;
  }

  /**
   * The fault's effect {@code since} windows after its start: a {@link #RAMP} fault's level grows
   * linearly to its full size over {@link #RAMP_WINDOWS} windows; any other fault is itself.
   */
  static Fault shaped(Fault f, int since) {
    if (f.name() != RAMP) {
      return f;
    }
    double reached = Math.min(1, (since + 1) / (double) RAMP_WINDOWS);
    return new Fault(RAMP, 1 + (f.level() - 1) * reached, f.sd(), f.errorRate());
  }

  /** A control window without noise: the process's true mean and variance, a million samples. */
  static Summary noiseless(Process p, Fault f) {
    long n = 1_000_000;
    double mean;
    double variance;
    switch (p) {
      case LOGNORMAL -> {
        double s2 = 0.0625;
        mean = 100 * f.level() * Math.exp(s2 / 2);
        variance = mean * mean * Math.expm1(s2);
      }
      case POISSON -> {
        mean = 20 * f.level();
        variance = mean;
      }
      default -> {
        mean = 100 * f.level();
        variance = 625;
      }
    }
    return new Summary(n, mean, variance * (n - 1), mean, mean, mean * n);
  }

  /** The true 99th percentile of a control sample (Poisson: of a normal with its moments). */
  static double noiselessP99(Process p, Fault f) {
    double z = 2.3263;
    return switch (p) {
      case LOGNORMAL -> 100 * f.level() * Math.exp(0.25 * z);
      case POISSON -> 20 * f.level() + Math.sqrt(20 * f.level()) * z;
      default -> 100 * f.level() + 25 * z;
    };
  }

  /**
   * The attack's start the e-detector is told (epoch ms of the bench's minute windows): the fault's
   * start; a clean row's attack starts where an early fault would, so its false alarms cover it.
   */
  static long attackAt(int start) {
    return NO_ATTACK_TIME ? 0 : (start >= 0 ? start : EARLY) * 60_000L;
  }

  static Alarms errorRun(Random r, Fault fault, int start, Calibration k) {
    Hypothesis h =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.0, 0.005, ALPHA, 1), true, false, Double.NaN);
    Hypothesis old =
        new Hypothesis(
            new MetricPolicy(Direction.INCREASE, 0.0, 0.005, ALPHA, 2), true, false, Double.NaN);
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.warmupWindows = WARMUP;
    m.horizon = WINDOWS;
    m.attackAt = attackAt(start);
    Adr0006Judge.Monitor o = new Adr0006Judge.Monitor();
    o.warmupWindows = WARMUP;
    double[] warmControl = new double[WARMUP];
    double[] warmExperimental = new double[WARMUP];
    double[] judgedControl = new double[WINDOWS];
    double[] judgedExperimental = new double[WINDOWS];
    boolean[] above = new boolean[WINDOWS];
    double[] score = new double[WINDOWS];
    int eAt = -1;
    int oAt = -1;
    int cwAt = -1;
    int kAt = -1;
    int sAt = -1;
    for (int w = -WARMUP; w < WINDOWS; w++) {
      double pe = start >= 0 && w >= start ? fault.errorRate() : 0.01;
      double pc = fault.name() == BOTH_GROUPS ? pe : 0.01;
      Summary cs = new Summary();
      Summary es = new Summary();
      for (int i = 0; i < 100; i++) {
        cs.add(r.nextDouble() < pc ? 1 : 0);
        es.add(r.nextDouble() < pe ? 1 : 0);
      }
      SteadyState now =
          WindowJudge.judge(m, cs, es, Double.NaN, Double.NaN, h, w * 60_000L, (w + 1) * 60_000L)
              .state();
      SteadyState before = Adr0006Judge.judge(o, cs, es, old).state();
      if (w < 0) {
        warmControl[w + WARMUP] = cs.mean();
        warmExperimental[w + WARMUP] = es.mean();
        continue;
      }
      judgedControl[w] = cs.mean();
      judgedExperimental[w] = es.mean();
      if (eAt < 0 && now == SteadyState.DEVIATING) {
        eAt = w;
      }
      if (oAt < 0 && before == SteadyState.DEVIATING) {
        oAt = w;
      }
      Summary wc = Summary.of(warmControl);
      Summary we = Summary.of(warmExperimental);
      above[w] = es.mean() > wc.mean() + 3 * Math.sqrt(wc.variance());
      if (cwAt < 0 && threeOfFive(above, w)) {
        cwAt = w;
      }
      score[w] = (es.mean() - wc.mean()) / Math.sqrt(wc.variance());
      if (kAt < 0 && thirdOfFive(score, w) > k.mean()) {
        kAt = w;
      }
      if (sAt < 0 && es.mean() > we.mean() + 3 * Math.sqrt(we.variance())) {
        sAt = w;
      }
    }
    boolean mw =
        MannWhitney.classify(judgedControl, judgedExperimental, Direction.INCREASE, 0.5, 0.98)
                .classification()
            == MannWhitney.Classification.HIGH;
    return new Alarms(eAt, oAt, cwAt, kAt, sAt, mw ? WINDOWS : -1);
  }

  /**
   * The third largest of the last five scores up to judged window w (-infinity before three): the
   * 3-of-5 alarm fires at w exactly when this is above its threshold.
   */
  static double thirdOfFive(double[] score, int w) {
    int from = Math.max(0, w - 4);
    if (w - from + 1 < 3) {
      return Double.NEGATIVE_INFINITY;
    }
    double[] last = Arrays.copyOfRange(score, from, w + 1);
    Arrays.sort(last);
    return last[last.length - 3];
  }

  private static final java.util.Map<String, Calibration> CALIBRATIONS = new java.util.HashMap<>();

  /**
   * The CloudWatch-style alarm's thresholds calibrated on the row of its regime and process whose
   * every alarm is false and that is nearest a fault: the +5% rise inside the tolerance
   * (continuous), the clean 1% error rate (errors). In-sample, the most favourable calibration for
   * that alarm: the row's own seeds and runs are replayed, and per threshold the 95th percentile of
   * the runs' largest 3-of-5 score is taken, so at most 5% of that row's runs alarm.
   */
  static Calibration calibration(String regime, int samples, Process p, int runs) {
    return CALIBRATIONS.computeIfAbsent(
        regime + p,
        key -> {
          Fault row = p == null ? ERRORS_CLEAN : IN_TOLERANCE_FAULT;
          int start = p == null ? -1 : EARLY;
          Random r = new Random((regime + p + row + start).hashCode());
          double[] mean = new double[runs];
          double[] p99 = new double[runs];
          for (int run = 0; run < runs; run++) {
            double[] largest = p == null ? errorScores(r) : scores(r, samples, p, row, start);
            mean[run] = largest[0];
            p99[run] = largest[1];
          }
          return new Calibration(quantile(mean, 0.95), quantile(p99, 0.95));
        });
  }

  private static double quantile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
  }

  /**
   * One run of the data {@link #run} generates (the same draws in the same order; no judges): the
   * largest 3-of-5 score of the mean datapoint and of the p99 datapoint.
   */
  static double[] scores(Random r, int samples, Process p, Fault fault, int start) {
    Source control = new Source(p, r);
    Source experimental = new Source(p, r);
    Transient slow = Transient.draw(r, p);
    Realism real = REAL.contains(p) ? Realism.draw(r, p) : Realism.NONE;
    Summary warmMean = new Summary();
    Summary warmP99 = new Summary();
    double[] mean = new double[WINDOWS];
    double[] p99 = new double[WINDOWS];
    double largestMean = Double.NEGATIVE_INFINITY;
    double largestP99 = Double.NEGATIVE_INFINITY;
    double[] c = new double[samples];
    double[] e = new double[samples];
    for (int w = -WARMUP; w < WINDOWS; w++) {
      Fault f = start >= 0 && w >= start ? shaped(fault, w - start) : CLEAN;
      control.nextWindow(r);
      experimental.nextWindow(r);
      for (int i = 0; i < samples; i++) {
        c[i] = control.sample(r, CLEAN);
        e[i] = experimental.sample(r, f);
      }
      slow.apply(w, c, e);
      real.apply(w, c, e);
      if (w < 0) {
        if (!real.missing(w, true)) {
          warmMean.add(Summary.of(c).mean());
          warmP99.add(p99(c));
        }
        continue;
      }
      if (real.missing(w, false)) {
        mean[w] = Double.NEGATIVE_INFINITY;
        p99[w] = Double.NEGATIVE_INFINITY;
        continue;
      }
      mean[w] = (Summary.of(e).mean() - warmMean.mean()) / Math.sqrt(warmMean.variance());
      p99[w] = (p99(e) - warmP99.mean()) / Math.sqrt(warmP99.variance());
      largestMean = Math.max(largestMean, thirdOfFive(mean, w));
      largestP99 = Math.max(largestP99, thirdOfFive(p99, w));
    }
    return new double[] {largestMean, largestP99};
  }

  /** {@link #scores} for 0/1 outcomes at 1%, 100 requests per window. */
  static double[] errorScores(Random r) {
    Summary warm = new Summary();
    double[] score = new double[WINDOWS];
    double largest = Double.NEGATIVE_INFINITY;
    for (int w = -WARMUP; w < WINDOWS; w++) {
      double control = 0;
      double experimental = 0;
      for (int i = 0; i < 100; i++) {
        control += r.nextDouble() < 0.01 ? 1 : 0;
        experimental += r.nextDouble() < 0.01 ? 1 : 0;
      }
      if (w < 0) {
        warm.add(control / 100);
        continue;
      }
      score[w] = (experimental / 100 - warm.mean()) / Math.sqrt(warm.variance());
      largest = Math.max(largest, thirdOfFive(score, w));
    }
    return new double[] {largest, largest};
  }

  /**
   * The oracle bound: the power of the most powerful test at alpha 0.05 of a detector that knows
   * the change time, the effect and the baseline exactly, with every post-change sample of the
   * experimental group ({@code judged} windows of them). It tests the edge of the hypothesis (the
   * level, or the spread, 10% above the baseline; errors 1.5%) against the fault. Its statistic is
   * the sum of the samples (of their logs for lognormal; of their squared deviations from the known
   * level for spread faults; of the errors), the likelihood ratio's sufficient statistic (for
   * AR(1), the sum stands in for the GLS estimate: the same to first order over many samples); its
   * critical value the 95th percentile of {@link #ORACLE_RUNS} simulations at the edge, its power
   * the share of as many simulations of the fault above it.
   */
  static double oracle(String seed, int samples, Process p, Fault f, int judged, boolean twoGroup) {
    Random r = new Random(("oracle " + seed).hashCode());
    boolean spread = f.sd() != 1;
    double[] edge = new double[ORACLE_RUNS];
    double[] fault = new double[ORACLE_RUNS];
    for (int run = 0; run < ORACLE_RUNS; run++) {
      if (p == null) {
        edge[run] = errors(r, 0.01 + 0.005, 100 * judged);
        fault[run] = errors(r, f.errorRate(), 100 * judged);
      } else {
        Fault atEdge =
            spread ? new Fault("edge", 1, 1.1, Double.NaN) : new Fault("edge", 1.1, 1, Double.NaN);
        edge[run] = oracleStatistic(r, samples * judged, p, atEdge, spread);
        fault[run] = oracleStatistic(r, samples * judged, p, f, spread);
        if (twoGroup) {
          // the control's level since the change is unknown too: its samples are subtracted
          edge[run] -= oracleStatistic(r, samples * judged, p, CLEAN, spread);
          fault[run] -= oracleStatistic(r, samples * judged, p, CLEAN, spread);
        }
      }
    }
    double critical = quantile(edge, 0.95);
    int above = 0;
    for (double t : fault) {
      above += t > critical ? 1 : 0;
    }
    return (double) above / ORACLE_RUNS;
  }

  private static double errors(Random r, double rate, int requests) {
    double count = 0;
    for (int i = 0; i < requests; i++) {
      count += r.nextDouble() < rate ? 1 : 0;
    }
    return count;
  }

  private static double oracleStatistic(Random r, int n, Process p, Fault f, boolean spread) {
    Source source = new Source(p, r);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double x = source.sample(r, f);
      double y = p == Process.LOGNORMAL ? Math.log(x) - Math.log(100) : x - 100;
      sum += spread ? y * y : y;
    }
    return sum;
  }

  static boolean threeOfFive(boolean[] above, int w) {
    int count = 0;
    for (int i = Math.max(0, w - 4); i <= w; i++) {
      count += above[i] ? 1 : 0;
    }
    return count >= 3;
  }

  static boolean mannWhitney(double[] control, double[] experimental) {
    return MannWhitney.classify(control, experimental, Direction.INCREASE, TOLERANCE, 0.98)
            .classification()
        == MannWhitney.Classification.HIGH;
  }

  static double p99(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(0.99 * s.length) - 1)];
  }

  static String cell(List<Integer> delays, int falseAlarms, int runs, boolean clean) {
    String fa = String.format(Locale.ROOT, "FA %.3f", (double) falseAlarms / runs);
    if (clean) {
      return fa;
    }
    if (delays.isEmpty()) {
      return "0% - - " + fa;
    }
    int[] d = delays.stream().mapToInt(Integer::intValue).sorted().toArray();
    return String.format(
        Locale.ROOT,
        "%.0f%% %d %d %s",
        100.0 * d.length / runs,
        d[d.length / 2],
        d[Math.min(d.length - 1, (int) Math.ceil(0.9 * d.length) - 1)],
        fa);
  }
}
