package io.faultline.analyzer;

import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.special.Gamma;

/**
 * The streaming judgement of one metric, datapoint after datapoint (a window of both groups), as a
 * pure function over a {@link Monitor} (what the topology keeps per experiment+metric in the store
 * {@code metric-monitors}); {@code faultline analyze} runs the same function over recorded rows.
 *
 * <p>The first {@code warmupWindows} windows in which both groups have a sample, and which end by
 * {@code learnUntil} (the end of the experiment's warm-up, when it declares one), are the warm-up
 * (INSUFFICIENT_DATA): a metric that reported late learns from the windows it had before the first
 * attack (at least {@link #MIN_WARMUP_WINDOWS}), never from the attack itself. Per watched {@link
 * Statistic} the warm-up fixes (docs/adr/0003, 0010): the scale (log of the ratio for positive
 * metrics with a relative tolerance, else the difference), the baseline offset between the groups,
 * the per-sample variance, the window-to-window drift of the difference beyond its sampling noise
 * (learned again before each judged datapoint from the ones before it, docs/adr/0051, 0056), its
 * lag-1 autocorrelation and the tolerated difference theta0 (the tolerance). The warm-up's
 * differences also prime the detector: the offset is not taken as known but compared with them and
 * with the judged windows before each candidate change point (docs/adr/0014). Every later window
 * feeds one {@link EDetector} per statistic: DEVIATING from the window at which one alarms until a
 * window is back within theta0, STEADY otherwise, INSUFFICIENT_DATA while a group has no sample.
 */
public final class WindowJudge {

  /** Fewest warm-up windows a baseline is learned from when the warm-up ends early. */
  public static final int MIN_WARMUP_WINDOWS = 2;

  /**
   * Fewest warm-up windows from which the autocorrelation is estimated (else taken as 0): below it
   * no lag-1 is learned and dense window means keep the warm-up's plug-in variance, not their
   * differences' long-run one ({@link Monitor#denseLongRun} does not act, docs/adr/0086).
   */
  public static final int MIN_WINDOWS_FOR_PHI = 8;

  /**
   * Warm-up windows from which the dense detector ({@link Monitor#denseLongRun}) is sharp: the
   * bench's warm-up, at which docs/performance.md's figures are measured. Its long-run variance
   * pays for the lag-1 and the variance that n differences cannot rule out: on independent windows
   * a median 3.0 times their variance at 20, 7.1 at 8, 2.1 at 40 (docs/adr/0086).
   */
  public static final int SHARP_WARMUP_WINDOWS = 20;

  /**
   * A power budget's parts of the mean track against a pooled control (one sample per 10 s;
   * docs/adr/0115), for the detection bench only: each switches off or replaces one part of the
   * variance a datapoint is judged at, to measure what that part costs a fault. {@code noBound}:
   * the control series' chi-square bound never paid (0081 pays it when the groups show a lag-1);
   * {@code seriesOnly}: a datapoint at the control series' variance alone, not its own window's
   * sampling variance plus what the series lies beyond the warm-up's typical one; {@code phiZero}:
   * no long-run factor (the pool's and the groups' lag-1 not prewhitened); {@code variance} above
   * 0: every datapoint at that variance (judged scale), the true one when the bench gives it;
   * {@code seriesMax}: the larger of its own window's sampling variance and the control series'
   * (the dense track's rule). Never part of a monitor's state: {@link #NONE} outside a bench run.
   */
  public record PowerBudget(
      boolean noBound, boolean seriesOnly, boolean phiZero, double variance, boolean seriesMax) {
    public static final PowerBudget NONE = new PowerBudget(false, false, false, 0.0, false);
  }

  private static volatile PowerBudget budget = PowerBudget.NONE;

  /** Sets the power budget's parts for every judge of this process (the detection bench only). */
  public static void powerBudget(PowerBudget parts) {
    budget = parts;
  }

  /** Samples per group and window from which window means count as normal (else: log scale). */
  static final double DENSE = 30;

  /** Control samples the mean is compared with when windows are sparse. */
  static final int POOLED_CONTROL_SAMPLES = 30;

  /** Latest control windows compared with the earlier pooled ones for a shift of the control. */
  static final int SHIFT_WINDOWS = 3;

  /** Standard errors at which the pooled control forgets the windows before a shift. */
  static final double SHIFT_Z = 2.5;

  /** Standard deviations beyond theta0 at which a single sample's difference is clipped. */
  static final double CLIP = 4.0;

  /** {@link Monitor#singleSampleClip}'s default (docs/adr/0088). */
  static final double SINGLE_SAMPLE_CLIP = 2.5;

  /** Confidence of the effect's interval. */
  static final double CONFIDENCE = 0.95;

  private WindowJudge() {}

  /** Everything one experiment+metric carries from window to window (StateSerde in the store). */
  public static final class Monitor {
    /** Warm-up windows this metric needs (set when the monitor is created). */
    public int warmupWindows;

    /** Epoch ms after which no window is learned from (the first attack may start); 0 = none. */
    public long learnUntil;

    /**
     * Epoch ms at which the attack starts, when known (the anchored e-process, docs/adr/0037); 0 =
     * {@link #learnUntil}, the planned start of the first attack, when the experiment has one. With
     * {@link #startFromEvents}: the first STARTED event's time, 0 while none is known.
     */
    public long attackAt;

    /**
     * The stream (docs/adr/0042): the anchor is the window that contains the first attack's STARTED
     * event ({@link #attackAt}, at the earliest the warm-up's end), not the planned start; until
     * the event is known the anchor waits (its e-process is 1), and an event that comes after its
     * window was judged anchors that window's candidate while the detector still keeps it.
     */
    public boolean startFromEvents;

    /** Judged windows the false-alarm guarantee covers (the planned length; 0 = the default). */
    public long horizon;

    /** The warm-up ended with too few windows; logged once. */
    public boolean unlearned;

    /** How many windows the baseline was learned from. */
    public int learnedFrom;

    /** Per warm-up window: c mean, c var, c n, e mean, e var, e n, c p99, e p99. */
    public List<double[]> warmup = new ArrayList<>();

    public boolean ready;
    public double controlCount; // rate metrics: control outcomes since the warm-up began
    public double controlErrors;
    public boolean deviating;

    /**
     * Sparse data: the mean is compared with the control pooled over this many recent windows (at
     * least {@link #POOLED_CONTROL_SAMPLES} samples), so one control sample's noise does not count
     * as much as the experimental group's.
     */
    public int controlSpan = 1;

    /**
     * Control samples the mean is compared with ({@link #controlSpan} is set from it at the end of
     * the warm-up); 0 = {@link #POOLED_CONTROL_SAMPLES}.
     */
    public int pooledControlSamples;

    /**
     * Single samples: the drift variance learned again before each datapoint from every difference
     * before it ({@link Track#spreadCount}). On by default (docs/adr/0051): at one sample per
     * minute a quarter of the AR(1) false alarms, for up to 6 points fewer detections there. A
     * monitor restored from state written before the field gets it too, at its warm-up's end.
     */
    public boolean predictableDrift = true;

    /**
     * Window means (more than one sample per group and window, every density above one per minute):
     * the drift variance learned again before each datapoint as {@link #predictableDrift} does for
     * single samples, from the warm-up's differences and the judged ones before the attack started
     * (the anchor, docs/adr/0037; none while no start is known): a fault from the attack on never
     * teaches it. On by default (docs/adr/0056); a monitor restored from state written before the
     * field gets it at its warm-up's end, a track past it keeps the warm-up's drift.
     */
    public boolean predictableDriftAll = true;

    /**
     * The mean track against a pooled control (one per 10 s, one per minute): a datapoint counts at
     * the variance of one window's difference from the pool, gamma0 (1 + the pool's share), gamma0
     * learned before each datapoint from every control window before it (the warm-up's, held, and
     * every judged one, also after the attack: the control is never attacked), short-series
     * corrected and at its chi-square upper bound; phi is the lag-1 that the groups' own window
     * series' lag-1 (both groups' warm-up, as {@link #phiFromGroups}) implies for the difference
     * through the pool's known weights, so the pool's sharing is paid exactly and no phi is read
     * from 20 differences (docs/adr/0081). On by default with {@link #controlSeriesWithin}; alone
     * (its first form, single samples too and the bound always) it is no supermartingale at one
     * sample per minute and raised one per 10 s spikes' false alarms: {@code
     * -Dfaultline.bench.controlSeriesWithin=false} measures it.
     */
    public boolean controlSeriesPooled = true;

    /**
     * With {@link #controlSeriesPooled}: window means only (not single samples), each datapoint
     * keeps its own window's sampling variance and the control series adds what lies beyond the
     * warm-up's typical one, and the chi-square bound is paid only when the groups show a lag-1
     * (docs/adr/0081's second form). On by default: one per 10 s AR(1) +50% 22/21% -> 27/23%, +100%
     * 69/86% -> 78/89%, no clean row over alpha. A monitor restored from state written before the
     * field gets it at its warm-up's end; a track learned before keeps its variance.
     */
    public boolean controlSeriesWithin = true;

    /**
     * Window means against one control window (at least {@link #POOLED_CONTROL_SAMPLES} samples per
     * window): no prewhitening (phi 0) and each datapoint at the long-run variance of the
     * differences ({@link Track#lag1Series}), learned again before each datapoint from the
     * warm-up's and the judged ones before the attack's start (as {@link #predictableDriftAll}),
     * with an upper bound for their lag-1 and the chi-square one for their variance
     * (docs/adr/0080). A level that wanders under the windows (window means with a real lag-1) made
     * the warm-up's phi of 20 differences, 0 in many of them, pay too little: the anchored
     * e-process was no supermartingale there (docs/adr/0077). Where the groups' own window means
     * show a level that wanders ({@link Track#levelSeries}), the long-run factor is at least an
     * ARMA(1,1)'s (docs/adr/0093, 0102). On by default; a monitor restored from state written
     * before the field gets it at its warm-up's end (a track past it keeps its warm-up's phi and
     * variance).
     */
    public boolean denseLongRun = true;

    /**
     * With {@link #denseLongRun}: the chi-square bound on the differences' variance counts the
     * degrees of freedom an autocorrelated series has, n (1 - r^2) / (1 + r^2) at the raised lag-1
     * r (Bartlett's variance of a sample variance), not n. A level that wanders slowly under the
     * windows gives 20-25 differences that look calm about their own mean far more often than n
     * independent ones do. Off: measured, not adopted (docs/adr/0091): at an AR(1) 0.9 level's edge
     * false alarms per run 0.057 -> 0.039 on the same draws, where the default's 0.052 (se 0.0016)
     * is at alpha within noise; at 0.95 the default's 0.082 only falls to 0.072, so it is no fix
     * where one is needed; {@code -Dfaultline.bench.denseEffectiveDf=true}.
     */
    public boolean denseEffectiveDf;

    /**
     * With {@link #denseLongRun}: while the groups' own window means show no lag-1 (docs/adr/0102's
     * gate closed), the differences' lag-1 is taken without {@link #LAG1_MARGIN}'s standard error
     * (its bias correction kept); with the gate open, or a track without level series, as before
     * (docs/adr/0110); {@code -Dfaultline.bench.denseCalmMargin=true}.
     */
    public boolean denseCalmMargin;

    /**
     * With {@link #denseLongRun}: a dense track's datapoints judged with their scale unknown, a
     * t-type e-value whose scale is learned from the warm-up's and the judged differences ({@link
     * EDetector#scaleFree}), times the long-run factor of {@link #seriesLongRun(Track, boolean,
     * boolean)}'s lag-1 as before, in place of the plug-in variance's chi-square bound
     * (docs/adr/0113). On by default (docs/adr/0114); a monitor restored from state written before
     * the default keeps it off, as its detectors hold no sums of squares; {@code
     * -Dfaultline.bench.denseScaleFree=false} measures it off.
     */
    public boolean denseScaleFree = true;

    /**
     * With {@link #controlSeriesPooled} and {@link #controlSeriesWithin}: the mean track against a
     * pooled control (one per 10 s) judged with its scale unknown, a t-type e-value ({@link
     * EDetector#scaleFree}) on the prewhitened datapoints, their variances (the control series'
     * without its chi-square bound) as weights only, times what the pool's overlap and the groups'
     * lag-1 leave beyond the AR(1) ({@link #pooledResidualFactor}); in place of the bound
     * (docs/adr/0118); {@code -Dfaultline.bench.sparseScaleFree=true}.
     */
    public boolean sparseScaleFree;

    /**
     * Single samples against a pooled control: phi learned from the two groups' own warm-up series
     * (each about its mean, their lag-1 products and squares summed), not from the warm-up's
     * differences. The pool grows window by window through the warm-up, so consecutive differences
     * share most of their control samples and look autocorrelated when neither group is; a spurious
     * phi raises the datapoints' variance about threefold (docs/adr/0065). On by default; a monitor
     * restored from state written before the field gets it.
     */
    public boolean phiFromGroups = true;

    /**
     * Single samples against a pooled control: the learned phi and the warm-up variance's
     * chi-square upper bound ({@link #varianceBound}) in proportion to the evidence for phi ({@link
     * Track#phiBoundShare}), none of either at the significance cut and all of both from twice the
     * cut on, instead of all of both for any phi above the cut (docs/adr/0067: one sample per
     * minute +50% 82/78% -> 87/83% found, no clean row over alpha). On by default; a monitor
     * restored from state written before the field gets it at its warm-up's end (a learned track
     * keeps its share, 1 when stored before).
     */
    public boolean phiByEvidence = true;

    /**
     * The anchored e-process's share of the statistic (0 = {@code EDetector.ANCHOR_WEIGHT}, 0.5;
     * docs/adr/0066 measured 0.67 and 0.75: {@code -Dfaultline.bench.anchorWeight=0.75}).
     */
    public double anchorWeight;

    /**
     * The spread track's datapoints of window summaries clipped at theta0 + {@link #CLIP} standard
     * deviations, as single samples' are (not the drift bound docs/adr/0068 measured): one window
     * whose spread a heavy-tailed sample set is not many windows' evidence (docs/adr/0068). On by
     * default.
     */
    public boolean spreadClip = true;

    /**
     * Small counts (a queue depth of 0-3, mostly zeros; docs/adr/0068): the tolerance's level is
     * the warm-up levels' mean when their median is 0 (else a relative tolerance is no tolerance at
     * all), and on the log scale a window mean is floored at half the warm-up's smallest ({@link
     * Track#logFloor}), so a window of zeros is a low datapoint, not log(1e-12). On by default.
     */
    public boolean countLevels = true;

    /**
     * The spread track of window summaries: the groups' log spreads wander from window to window
     * beyond the sampling noise of a window's variance (volatility that clusters in time), so its
     * datapoints count at the wander's long-run variance ({@link Track#wander}) when the groups'
     * own log spread series show it: at the warm-up's end from both groups' series, then before
     * each judged datapoint from the control's, never attacked (docs/adr/0070). On by default
     * (docs/adr/0076).
     */
    public boolean spreadWander = true;

    /**
     * With {@link #spreadWander}, windows of fewer than {@link #DENSE} samples a group: the spread
     * track's drift variance at least {@link #WANDER_FLOOR} (1.5) times the sampling variance of a
     * window's log spread ratio, from the warm-up's end on (the floor of every later learned one).
     * A wander that persists longer than the warm-up shows little of its variance within it, and
     * under the sampling noise of a few samples per window (one per 10 s: six) the warm-up's series
     * cannot tell it from none; the control's series later often stays calm while the experimental
     * group's wanders (docs/adr/0076). On by default ({@code
     * -Dfaultline.bench.spreadWanderFloor=false} measures it off).
     */
    public boolean spreadWanderFloor = true;

    /**
     * Single samples of a count (every warm-up sample a non-negative integer): a datapoint's
     * variance at least a Poisson count's at the warm-up's level, both groups pooled ({@link
     * Track#countVariance}). Twenty samples of a count that is 0 most of the time learn its
     * variance low exactly when they learn its level low (a count's variance grows with its mean),
     * so the level's return looked like a rise (docs/adr/0071). On by default (docs/adr/0076).
     */
    public boolean countVariance = true;

    /**
     * Windows of 3 or more samples per group: each group's largest and smallest sample held within
     * {@link #EXTREME} standard deviations of the window's other samples before anything is learned
     * or judged ({@link #winsorised}). One spike (a sample 5-10x) set a window's spread and moved
     * its mean by many standard deviations, and 20 warm-up windows with few spikes learned too calm
     * a variance (docs/adr/0071). On by default (docs/adr/0075); a monitor restored from state
     * written before the field gets it, one written with it off keeps it off.
     */
    public boolean extremesHeld = true;

    /**
     * Alpha is split over the statistics the warm-up measured only: a spread needs two samples of
     * each group in one window, a 99th percentile both groups' percentiles. A statistic with no
     * warm-up datapoint has no learned level to be judged against, and at one sample per window it
     * never gets a datapoint at all, yet it held half of alpha (docs/adr/0088). Such a statistic is
     * not watched; the others share its alpha. On by default, with {@link #singleSampleClip} at
     * 2.5: alone it took one per minute spikes and queue depth over alpha.
     */
    public boolean alphaOverMeasured = true;

    /**
     * Standard deviations beyond theta0 at which a single sample's datapoint is clipped ({@link
     * Track#clipSd}); 0 = {@link #CLIP}. One sample of a heavy tail, clipped at 4, is still enough
     * for the anchored e-process to alarm when it is the attack's first datapoint: 2.5 by default
     * (docs/adr/0088); a monitor restored from state written before the field gets it.
     */
    public double singleSampleClip = SINGLE_SAMPLE_CLIP;

    /** The latest {@code controlSpan} control windows: mean, variance, count. */
    public List<double[]> recentControl = new ArrayList<>();

    /** A failure counter's state instead of the detector's (docs/adr/0035); null otherwise. */
    public FailureCounters.State counter;

    /** One per watched statistic, in the hypothesis' order. */
    public List<Track> tracks = new ArrayList<>();

    /** The mean track's expected level as control x scale + offset (for logs and reports). */
    public double scale = 1.0;

    public double offset;
    public double theta0;
  }

  /** The learned steady state and the detector of one statistic of one metric. */
  public static final class Track {
    public Statistic statistic = Statistic.MEAN;

    /** Judged on the log scale (a ratio): positive metrics with a relative tolerance. */
    public boolean log;

    /** Linear scale only: the control's multiplier (the ratio of the warm-up means, ADR 0003). */
    public double scale = 1.0;

    /** Experimental minus (scaled) control in the judged scale during the warm-up. */
    public double offset;

    /** Tolerated difference in the judged scale (the tolerance; no margin, docs/adr/0014). */
    public double theta0;

    /**
     * Rates: both groups' pooled warm-up rate (the control's windows have variance level (1 -
     * level) over their requests) and the Bernoulli variance p (1 - p) at the edge of the
     * hypothesis, p = level + theta0, of the experimental group's (docs/adr/0020).
     */
    public double level;

    public double rateVariance;

    /** Per-sample variances in the judged scale (0 = unknown: single samples). */
    public double sampleVarianceC;

    public double sampleVarianceE;

    /** Window-to-window variance of the difference beyond its sampling noise. */
    public double driftVariance;

    /**
     * Datapoints of single samples (no averaging at all) are clipped to theta0 + {@link #CLIP}
     * standard deviations from the warm-up's level: one heavy-tailed sample is no fault.
     */
    public boolean clipped;

    /** With {@link #clipped}: its standard deviations, 0 = {@link WindowJudge#CLIP}. */
    public double clipSd;

    /** Lag-1 autocorrelation of the difference. */
    public double phi;

    /**
     * Single samples ({@link #clipped}): every difference seen so far, as clipped when judged
     * (docs/adr/0104), warm-up and judged windows alike (count, mean, sum of squared deviations;
     * window means: the raw differences), from which {@link #driftVariance} is learned again before
     * each datapoint is judged, so a datapoint's variance comes from the ones before it only (a
     * predictable plug-in, docs/adr/0051). Count 0: the warm-up's drift stays (a monitor stored
     * before).
     */
    public double spreadCount;

    public double spreadMean;
    public double spreadSquares;

    /** The warm-up's typical sampling variance of a difference (the spread beyond it is drift). */
    public double withinVariance;

    /**
     * The datapoint's long-run variance (0 = off; {@link Monitor#controlSeriesPooled}, {@link
     * Monitor#denseLongRun}), learned again before each datapoint; the control's window means seen
     * so far: their count, the first one (every other is kept relative to it), the sum, the sum of
     * squares and of lag-1 products, the last.
     */
    public double longRunVariance;

    public double longRunCount;
    public double longRunFirst;
    public double longRunSum;
    public double longRunSquares;
    public double longRunLag;
    public double longRunLast;

    /**
     * The share of {@link #varianceBound}'s excess over 1 the drift pays for phi (docs/adr/0067): 1
     * (the default, and a track stored before the field) whenever phi is above 0; with {@link
     * Monitor#phiByEvidence} it grows from 0 at phi's significance cut to 1 at twice it, and phi is
     * the estimate times it.
     */
    public double phiBoundShare = 1.0;

    /** {@link Monitor#spreadClip} at the warm-up's end: the spread's datapoints are clipped. */
    public boolean spreadClipped;

    /** {@link Monitor#countLevels}: the log scale's floor (0 = 1e-12, as before). */
    public double logFloor;

    /**
     * {@link Monitor#spreadWander} at the warm-up's end (empty otherwise): the control's series of
     * window log spreads so far ({@link #WANDER_COUNT} ...) and the drift variance learned at the
     * warm-up's end ({@link #WANDER_WARM_UP}), the floor of every later one.
     */
    public double[] wander = new double[0];

    /**
     * {@link Monitor#countVariance}: a count's per-sample variance in the judged scale at the
     * warm-up's level (the level on the linear scale, its inverse on the log), under every
     * datapoint's variance; 0 = none.
     */
    public double countVariance;

    /**
     * {@link Monitor#controlSeriesPooled} at the warm-up's end: the pool's variance over one window
     * mean's, (1/S^2) sum rho^|i-j| over its S windows (0 = off), with {@link #groupsPhi} the
     * groups' own lag-1 rho; the control's window series is kept in the long-run sums ({@link
     * #longRunCount} ...).
     */
    public double poolShare;

    public double groupsPhi;

    /** {@link Monitor#controlSeriesWithin} at the warm-up's end. */
    public boolean poolWithin;

    /**
     * {@link Monitor#denseLongRun} at the warm-up's end (empty otherwise): the series of
     * differences, the warm-up's with the judged ones before the attack's start, in stretch 0 of
     * two ({@link #SERIES_COUNT} ... per stretch; stretch 1, about its own mean, was the attacked
     * windows' in a variant measured and not adopted, docs/adr/0080); {@link #longRunVariance} is
     * learned from them.
     */
    public double[] lag1Series = new double[0];

    /**
     * With {@link #lag1Series} (empty otherwise): its lag-2 sums per stretch ({@link
     * #LAG2_PRODUCTS} ...), learned with it, for the ARMA factor behind {@link #levelSeries}' gate;
     * empty, the AR(1) factor of the lag-1 alone (a track restored from state written before
     * docs/adr/0102).
     */
    public double[] lag2Series = new double[0];

    /**
     * The spread of single samples, asked alone ({@link WindowJudge#singleSampleSpread}), fixed at
     * the warm-up's end (empty otherwise): each group's last value in the judged scale (NaN before
     * the first) and the floor under each group's difference magnitude ({@link #SINGLE_LAST_C}
     * ...).
     */
    public double[] singleSpread = new double[0];

    /**
     * With {@link #lag1Series} (empty otherwise, as in state written before docs/adr/0102): the
     * groups' own window means (judged scale) in its layout, the control's from the warm-up on
     * through the run (never attacked; learned after each window is judged) in stretch 0, the
     * experimental group's warm-up ones in stretch 1. A pooled lag-1 of at least {@link
     * #SLOW_DECAY_Z} standard errors (a level wandering under the windows) opens the ARMA factor,
     * and their decay is a floor under its phi. A spread track of fewer than {@link #DENSE} samples
     * a group with {@link #wander} keeps the groups' window log spreads here alike, their long-run
     * variance a floor under each datapoint's ({@link WindowJudge#spreadLongRun}, docs/adr/0108).
     */
    public double[] levelSeries = new double[0];

    /** {@link #levelSeries}' lag-2 sums per stretch, as {@link #lag2Series}' of its series. */
    public double[] levelLag2 = new double[0];

    public double alpha;
    public boolean deviating;
    public EDetector.State detector = new EDetector.State();
  }

  /**
   * The outcome of one window.
   *
   * @param changePointMs when the deviation began (the start of the window the strongest evidence
   *     begins at), null while steady
   * @param changeEffect the relative effect since the change point (NaN when none)
   * @param effectLow lower end of its 95% interval
   */
  public record Judged(
      SteadyState state,
      double effect,
      double statistic,
      Double pValue,
      Long changePointMs,
      double changeEffect,
      double effectLow,
      double effectHigh,
      Statistic deviatingStatistic) {

    Judged(SteadyState state, double effect, double statistic, Double pValue) {
      this(state, effect, statistic, pValue, null, Double.NaN, Double.NaN, Double.NaN, null);
    }
  }

  /** As {@link #judge(Monitor, Summary, Summary, Hypothesis, long)} with no learning deadline. */
  public static Judged judge(
      Monitor m, Summary control, Summary experimental, Hypothesis hypothesis) {
    return judge(m, control, experimental, hypothesis, Long.MIN_VALUE);
  }

  /** As {@link #judge(Monitor, Summary, Summary, double, double, Hypothesis, long, long)}. */
  public static Judged judge(
      Monitor m, Summary control, Summary experimental, Hypothesis hypothesis, long windowEnd) {
    return judge(
        m, control, experimental, Double.NaN, Double.NaN, hypothesis, windowEnd, windowEnd);
  }

  /**
   * Updates the monitor with the window [windowStart, windowEnd) and judges it: a pure function of
   * its arguments. {@code p99c} / {@code p99e} are the groups' 99th percentiles (NaN = unknown).
   */
  public static Judged judge(
      Monitor m,
      Summary control,
      Summary experimental,
      double p99c,
      double p99e,
      Hypothesis hypothesis,
      long windowStart,
      long windowEnd) {
    MetricPolicy policy = hypothesis.policy();
    if (m.extremesHeld && !hypothesis.rate()) {
      control = winsorised(control);
      experimental = winsorised(experimental);
    }
    boolean usable =
        control.count() >= policy.minCount() && experimental.count() >= policy.minCount();
    if (hypothesis.rate() && usable) {
      m.controlCount += control.count();
      m.controlErrors += control.sum();
    }
    boolean pastWarmUp = m.learnUntil > 0 && windowEnd > m.learnUntil;
    if (!m.ready && pastWarmUp) {
      if (m.warmup.size() >= MIN_WARMUP_WINDOWS) {
        finishWarmUp(m, hypothesis); // early, with what it had: this window is judged below
      } else {
        m.unlearned = true;
        return new Judged(
            SteadyState.INSUFFICIENT_DATA, effect(control.mean(), experimental.mean()), 0.0, null);
      }
    }
    if (!m.ready) {
      if (usable) {
        m.warmup.add(
            new double[] {
              control.mean(),
              control.variance(),
              control.count(),
              experimental.mean(),
              experimental.variance(),
              experimental.count(),
              p99c,
              p99e
            });
      }
      if (m.warmup.size() >= m.warmupWindows) {
        finishWarmUp(m, hypothesis);
      }
      return new Judged(
          SteadyState.INSUFFICIENT_DATA, effect(control.mean(), experimental.mean()), 0.0, null);
    }
    double expected = control.mean() * m.scale + m.offset;
    double effect = effect(expected, experimental.mean());
    if (!usable) {
      return new Judged(SteadyState.INSUFFICIENT_DATA, effect, 0.0, null);
    }
    long horizon = m.horizon > 0 ? m.horizon : EDetector.DEFAULT_HORIZON;
    // the pooled control is a window mean's reference; a rate is judged against its own rate
    // before the change (finishWarmUp leaves a rate's recentControl empty, docs/adr/0060)
    Summary pooled = hypothesis.rate() ? null : pooledControl(m, control);
    long attackAt = m.attackAt > 0 ? m.attackAt : m.learnUntil;
    boolean attackStarted = attackAt > 0 && windowEnd > attackAt;
    // window means learn their drift from the judged windows before this start only
    boolean beforeTheLearnedStart = attackAt > 0 && !attackStarted;
    if (m.startFromEvents) {
      // a start within the warm-up anchors at the first judged window: the warm-up's windows are
      // the baseline, not candidates
      attackAt = m.attackAt > 0 ? Math.max(m.attackAt, m.learnUntil) : 0;
      attackStarted = attackAt > 0 && windowEnd > attackAt;
      // the planned start, known before any window, not the STARTED event, known at a time that
      // depends on the input's order: what a window teaches must not (docs/adr/0075)
      beforeTheLearnedStart = windowEnd <= m.learnUntil;
    }
    // the differences' series learns until the attack's start, as the drift does: learning the
    // attacked windows too (a second stretch about its own mean) learned ramps and lagging faults
    // as spread (docs/adr/0080)
    int stretch = beforeTheLearnedStart ? 0 : -1;
    double best = Double.NEGATIVE_INFINITY;
    double pValue = 1.0;
    Judged deviation = null;
    boolean anyAlarm = false;
    boolean allWithin = true;
    for (Track t : m.tracks) {
      EDetector detector =
          new EDetector(policy.direction(), t.alpha, horizon, t.theta0, t.phi, CONFIDENCE)
              .anchored(m.anchorWeight);
      if (m.startFromEvents) {
        anchorAtStarted(t.detector, attackStarted, attackAt, windowEnd - windowStart);
      } else if (attackStarted) {
        EDetector.anchorNext(t.detector);
      }
      EDetector.Step step;
      double excess;
      double relative; // how to read the track's scale as a relative effect
      if (hypothesis.rate()) {
        double p = m.controlErrors / Math.max(1.0, m.controlCount);
        if (t.rateVariance <= 0) {
          // a monitor stored before docs/adr/0020: its variances from the control's rate
          double edge = Math.min(0.5, p + t.theta0);
          t.rateVariance = edge * (1 - edge);
          t.level = p;
        }
        expected = p;
        effect = effect(expected, experimental.mean());
        double before =
            (m.controlErrors - control.sum()) / Math.max(1.0, m.controlCount - control.count());
        double[] point = ratePoint(t, experimental, before);
        EDetector.RateWindow counts =
            new EDetector.RateWindow(
                experimental.sum(),
                experimental.count(),
                control.sum(),
                control.count(),
                Math.max(t.level * (1 - t.level), 1e-6));
        step = detector.updateRate(t.detector, windowStart, point[0], point[1], counts);
        excess = experimental.mean() - expected;
        relative = p;
      } else {
        Summary reference = t.statistic == Statistic.MEAN ? pooled : control;
        if (t.spreadCount > 0) {
          t.driftVariance =
              drift(t.spreadCount, t.spreadSquares, t.phi, t.withinVariance, t.phiBoundShare);
        }
        boolean series = t.lag1Series.length == SERIES_SLOTS;
        if (series) {
          double[] learned = seriesParts(t, m.denseEffectiveDf, m.denseCalmMargin);
          if (learned[0] > 0) {
            t.longRunVariance = learned[0];
            if (m.denseScaleFree) {
              detector.scaleFree(learned[1]);
            }
          }
        } else if (t.longRunVariance > 0) {
          t.longRunVariance = longRunVariance(t, m.sparseScaleFree);
          if (pooledScaleFree(m, t)) {
            detector.scaleFreeAlone(pooledResidualFactor(t));
          }
        }
        if (t.wander.length == WANDER_SLOTS) {
          t.driftVariance = controlWander(t);
        }
        double[] point = datapoint(t, reference, experimental, p99c, p99e);
        if (t.singleSpread.length == SINGLE_SLOTS) {
          advanceSingleSpread(
              t.singleSpread, value(t, control.mean()), value(t, experimental.mean()));
        }
        if (series && point != null && !t.deviating && stretch >= 0) {
          // learned after it is judged; a deviation's datapoints are no baseline
          addToSeries(t.lag1Series, t.lag2Series, stretch, point[2]);
        }
        if (series && t.levelSeries.length == SERIES_SLOTS && control.count() > 0) {
          // as the long-run series: after it is judged, always; the control is never attacked
          addToSeries(t.levelSeries, t.levelLag2, 0, value(t, control.mean()));
        }
        if (t.longRunVariance > 0 && !series) {
          // learned after it is judged, always: the control is never the attacked group
          addToLongRun(t, value(t, control.mean()));
        }
        if (t.wander.length == WANDER_SLOTS) {
          addToWander(t, control); // as the long-run series: after it is judged, always
          if (t.levelSeries.length == SERIES_SLOTS) {
            addToSpreadLevels(t, control);
          }
        }
        if (point == null) {
          continue; // e.g. a spread from single samples
        }
        if (t.spreadCount > 0 && !t.deviating && (t.clipped || beforeTheLearnedStart)) {
          // learned after it is judged; a deviation's datapoints are no baseline, and window means
          // learn only before a known attack's start: a fault from it on is never learned, and
          // without a start nothing tells a fault's first datapoints apart (docs/adr/0056)
          // single samples learn their clipped datapoints' spread, the variance the e-process
          // needs (docs/adr/0104); window means their raw differences
          addToSpread(t, huber(t) ? t.offset + point[0] : point[2]);
        }
        step = detector.updateNormal(t.detector, windowStart, point[0], point[1]);
        excess = point[0];
        relative = t.log ? Double.NaN : Math.abs(expected);
      }
      boolean within =
          switch (policy.direction()) {
            case INCREASE -> excess <= t.theta0;
            case DECREASE -> excess >= -t.theta0;
            case EITHER -> Math.abs(excess) <= t.theta0;
          };
      allWithin &= within;
      if (t.deviating && within) {
        t.deviating = false;
        EDetector.reset(t.detector);
      } else if (step.alarm() || t.deviating) {
        t.deviating = true;
        anyAlarm = true;
        if (deviation == null) {
          deviation =
              new Judged(
                  SteadyState.DEVIATING,
                  effect,
                  0.0,
                  null,
                  step.changePoint(),
                  asRelative(t, step.effect(), relative),
                  asRelative(t, step.low(), relative),
                  asRelative(t, step.high(), relative),
                  t.statistic);
        }
      }
      best = Math.max(best, step.logStatistic());
      pValue = Math.min(pValue, Math.min(1.0, step.pValue() * m.tracks.size()));
    }
    double statistic = Double.isInfinite(best) ? 0.0 : best;
    m.deviating = anyAlarm;
    if (deviation != null) {
      return new Judged(
          SteadyState.DEVIATING,
          effect,
          statistic,
          pValue,
          deviation.changePointMs(),
          deviation.changeEffect(),
          deviation.effectLow(),
          deviation.effectHigh(),
          deviation.deviatingStatistic());
    }
    return new Judged(SteadyState.STEADY, effect, statistic, pValue);
  }

  /** The recent control windows with this one, pooled: a window mean's reference. */
  private static Summary pooledControl(Monitor m, Summary control) {
    m.recentControl.add(new double[] {control.mean(), control.variance(), control.count()});
    while (m.recentControl.size() > m.controlSpan) {
      m.recentControl.remove(0);
    }
    forgetControlBeforeAShift(m.recentControl);
    return pool(m.recentControl, m.recentControl.size());
  }

  /**
   * The anchor from the STARTED event (docs/adr/0042), before this window's update: awaited while
   * the start is unknown or still ahead; once this window or an earlier one contains it, the
   * earlier window's candidate when the detector still keeps it (the event came after that window
   * was judged: same anchor as in time), else this window's (no earlier judged window contains it:
   * a gap, or this is the window).
   */
  static void anchorAtStarted(
      EDetector.State detector, boolean started, long attackAt, long windowMs) {
    EDetector.anchorPending(detector);
    if (!started || detector.anchor != EDetector.PENDING) {
      return;
    }
    long from = attackAt - Math.max(1, windowMs) + 1; // the start of the window containing it
    if (EDetector.anchorSince(detector, from)) {
      return;
    }
    boolean earlierContains = false;
    for (long at : detector.candidateAt) {
      earlierContains |= at >= from;
    }
    if (!earlierContains) {
      EDetector.anchorNext(detector);
    }
  }

  private static double asRelative(Track t, double value, double rateLevel) {
    if (!Double.isNaN(rateLevel)) {
      return rateLevel == 0 ? value : value / rateLevel;
    }
    return t.log ? Math.expm1(value) : value;
  }

  /**
   * The track's difference (experimental minus expected, judged scale), its variance and the
   * difference before the offset and clipping for one window; null when the window does not give
   * one.
   */
  static double[] datapoint(
      Track t, Summary control, Summary experimental, double p99c, double p99e) {
    double[] raw = raw(t, control, experimental, p99c, p99e);
    return raw == null ? null : datapoint(t, raw, control, experimental);
  }

  /** As above from the window's raw difference and its sampling variance ({@link #raw}). */
  private static double[] datapoint(Track t, double[] raw, Summary control, Summary experimental) {
    // a metric that was constant in the warm-up has no variance: a tenth of theta0 stands in,
    // so a change is overwhelming evidence but still a number
    double floor = Math.max(1e-12, 0.01 * t.theta0 * t.theta0);
    PowerBudget parts = budget;
    double v =
        Math.max(
            floor,
            parts.variance() > 0 && t.poolShare > 0
                ? parts.variance()
                : t.longRunVariance > 0
                    ? t.poolWithin && !parts.seriesOnly()
                        ? parts.seriesMax()
                            ? Math.max(raw[1], t.longRunVariance)
                            : raw[1] + Math.max(0.0, t.longRunVariance - t.withinVariance)
                        : t.lag1Series.length == SERIES_SLOTS
                            ? Math.max(raw[1], t.longRunVariance)
                            : t.longRunVariance
                    : raw[1] + t.driftVariance);
    if (t.wander.length == WANDER_SLOTS && t.levelSeries.length == SERIES_SLOTS) {
      v = Math.max(v, spreadLongRun(t));
    }
    if (t.countVariance > 0) {
      // a count's variance is at least its mean (Poisson), the pooled control's over its samples
      double k = t.log ? 1.0 : t.scale;
      double controlSamples = Math.max(1.0, control.count());
      v = Math.max(v, t.countVariance * (1.0 / experimental.count() + k * k / controlSamples));
    }
    double d = raw[0] - t.offset;
    if (t.clipped || t.spreadClipped) {
      double bound = t.theta0 + (t.clipSd > 0 ? t.clipSd : CLIP) * Math.sqrt(v);
      d = Math.max(-bound, Math.min(bound, d));
    }
    return new double[] {d, v, raw[0]};
  }

  /**
   * The experimental group's level over the control's in the warm-up: the median of the windows'
   * ratios (of windows where both groups have a sample and a positive mean) from 5 windows on (one
   * transient window does not set it, docs/adr/0055), the pooled means' ratio below that.
   */
  static double warmUpRatio(List<Double> ratios, Summary c, Summary e) {
    return ratios.size() >= 5 ? median(ratios) : e.mean() / c.mean();
  }

  /** Robust standard deviations from the median beyond which a warm-up difference is held. */
  static final double WINSOR = 5.0;

  /**
   * The range [median - WINSOR s, median + WINSOR s] of the warm-up's differences, s their median
   * absolute deviation scaled to a normal standard deviation; unbounded with fewer than 5 or when s
   * is 0 (a constant warm-up has nothing to hold).
   */
  static double[] winsorBounds(List<Double> differences) {
    if (differences.size() < 5) {
      return new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    }
    double center = median(differences);
    List<Double> deviations = new ArrayList<>(differences.size());
    for (double x : differences) {
      deviations.add(Math.abs(x - center));
    }
    double s = 1.4826 * median(deviations);
    if (!(s > 0)) {
      return new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    }
    return new double[] {center - WINSOR * s, center + WINSOR * s};
  }

  /**
   * The warm-up's control windows (mean, variance, count) as the pooled control sees them: from 5
   * windows on, a window whose mean lies beyond {@link #WINSOR} robust standard deviations of the
   * windows' median is held at that bound, its variance scaled with it (a slow window is slow by a
   * factor). One transient control window would otherwise shift every pooled datapoint it enters (5
   * at one sample per 10 s) by less than the differences' own hold (docs/adr/0055, 0060).
   */
  static List<double[]> heldControls(List<double[]> warmup) {
    List<Double> means = new ArrayList<>();
    for (double[] w : warmup) {
      if (w[2] > 0) {
        means.add(w[0]);
      }
    }
    double[] bounds = winsorBounds(means);
    List<double[]> held = new ArrayList<>(warmup.size());
    for (double[] w : warmup) {
      double mean = w[2] > 0 ? Math.max(bounds[0], Math.min(bounds[1], w[0])) : w[0];
      double factor = mean != w[0] && w[0] > 0 && mean > 0 ? mean / w[0] : 1.0;
      held.add(new double[] {mean, w[1] * factor * factor, w[2]});
    }
    return held;
  }

  static double median(List<Double> values) {
    return MannWhitney.median(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
  }

  /** One more control window mean (judged scale) in the track's long-run series. */
  static void addToLongRun(Track t, double mean) {
    if (t.longRunCount == 0) {
      t.longRunFirst = mean;
    }
    double x = mean - t.longRunFirst;
    if (t.longRunCount > 0) {
      t.longRunLag += x * t.longRunLast;
    }
    t.longRunCount++;
    t.longRunSum += x;
    t.longRunSquares += x * x;
    t.longRunLast = x;
  }

  /**
   * The long-run variance of a window-mean difference from the control's window means so far: their
   * variance raised as {@link #drift} raises it (short-series factor and upper bound for their
   * lag-1 autocorrelation r), times (1 + r) / (1 - r), for both groups (the experimental group's
   * series at the control's scaled by the track's scale); the track's own value below 3 windows.
   */
  static double longRunVariance(Track t) {
    return longRunVariance(t, false);
  }

  /**
   * As above; with {@code scaleFree} ({@link Monitor#sparseScaleFree}) a pooled track's variance
   * without its chi-square bound: the t-type e-value pays for the scale's noise itself.
   */
  static double longRunVariance(Track t, boolean scaleFree) {
    double n = t.longRunCount;
    if (n < 3) {
      return t.longRunVariance;
    }
    double mean = t.longRunSum / n;
    double squares = Math.max(0.0, t.longRunSquares - n * mean * mean);
    if (!(squares > 0)) {
      return t.longRunVariance;
    }
    if (t.poolShare > 0) {
      if (scaleFree && t.poolWithin && t.groupsPhi > 0) {
        double longRun = (1 + t.groupsPhi) / (1 - t.groupsPhi);
        double calm = Math.max(0.34, 1 - (longRun - 1) / Math.max(1, n - 1));
        return squares / (n - 1) / calm * (1 + t.poolShare);
      }
      return controlSeriesVariance(n, squares, t.groupsPhi, t.poolShare, !t.poolWithin);
    }
    double lag = t.longRunLag - mean * (2 * t.longRunSum - t.longRunLast) + (n - 1) * mean * mean;
    double r = lag / squares;
    r = Math.max(0.0, Math.min(0.95, r + (1 + 3 * r) / n));
    double k = t.log ? 1.0 : t.scale;
    return (1 + k * k) * drift(n, squares, r, 0.0) * (1 + r) / (1 - r);
  }

  /**
   * A pooled difference's variance from n control window means (their sum of squared deviations):
   * one window mean's variance gamma0, raised for the series' lag-1 rho as {@link #drift} raises it
   * (short series) and at its chi-square upper bound whatever rho, times 1 + the pool's share
   * (docs/adr/0081).
   */
  static double controlSeriesVariance(double n, double squares, double rho, double poolShare) {
    return controlSeriesVariance(n, squares, rho, poolShare, true);
  }

  /** As above; without {@code boundAlways} the bound only when rho is above 0. */
  static double controlSeriesVariance(
      double n, double squares, double rho, double poolShare, boolean boundAlways) {
    double longRun = (1 + rho) / (1 - rho);
    double calm = Math.max(0.34, 1 - (longRun - 1) / Math.max(1, n - 1));
    double bound =
        (boundAlways || rho > 0) && !budget.noBound()
            ? varianceUpperBound((int) Math.min(n, 1 << 20))
            : 1.0;
    return squares / (n - 1) / calm * bound * (1 + poolShare);
  }

  /**
   * {@link Monitor#sparseScaleFree} acts on this track: the pooled mean track's second form, where
   * it pays the chi-square bound (the groups' lag-1 above 0, fixed at the warm-up's end). Elsewhere
   * the bound is not paid and the t's tails would only cost (docs/adr/0118: lognormal +20% 34/27%
   * -> 27/15% without this gate).
   */
  static boolean pooledScaleFree(Monitor m, Track t) {
    return m.sparseScaleFree
        && t.poolShare > 0
        && t.poolWithin
        && t.groupsPhi > 0
        && t.longRunVariance > 0;
  }

  /**
   * What a pooled difference's long-run variance is beyond the AR(1) that prewhitens it (at least
   * 1): both groups' window series AR(1) of lag-1 rho (the groups', {@link Track#groupsPhi}), the
   * experimental group's window against the pool of S control windows, whose weights sum to one, so
   * the difference's long-run variance is 2 gamma0_w (1 + rho) / (1 - rho), gamma0_w one window
   * mean's variance; the AR(1) of the track's phi pays gamma0_w (1 + the pool's share) (1 + phi) /
   * (1 - phi) of it. Independent windows, S = 5: 1.667 / 1.308 = 1.27 (docs/adr/0115, 0118).
   */
  static double pooledResidualFactor(Track t) {
    double rho = Math.max(0.0, Math.min(0.95, t.groupsPhi));
    double longRun = 2 * (1 + rho) / (1 - rho) / (1 + t.poolShare);
    double paid = (1 + t.phi) / (1 - t.phi);
    return Math.max(1.0, longRun / paid);
  }

  /**
   * A pool of S window means of an AR(1) window series of lag-1 rho: its variance and its lag-1
   * covariance with the next window's pool, both over one window mean's variance.
   */
  static double[] poolShares(double rho, int span) {
    double c0 = 0;
    double c1 = 0;
    for (int i = 0; i < span; i++) {
      for (int j = 0; j < span; j++) {
        c0 += Math.pow(rho, Math.abs(i - j));
        c1 += Math.pow(rho, Math.abs(j - i - 1));
      }
    }
    return new double[] {c0 / span / span, c1 / span / span};
  }

  /**
   * {@link Track#lag1Series}'s slots per stretch: the differences seen (count), the first (every
   * other is kept relative to it), their sum, sum of squares and of lag-1 products, the last.
   */
  static final int SERIES_COUNT = 0;

  static final int SERIES_FIRST = 1;
  static final int SERIES_SUM = 2;
  static final int SERIES_SQUARES = 3;
  static final int SERIES_LAG = 4;
  static final int SERIES_LAST = 5;
  static final int SERIES_STRETCH = 6;
  static final int SERIES_SLOTS = 2 * SERIES_STRETCH;

  /**
   * {@link Track#lag2Series}'s slots per stretch of {@link Track#lag1Series}: the sum of lag-2
   * products, the value before the last and the second (relative to the first, as there).
   */
  static final int LAG2_PRODUCTS = 0;

  static final int LAG2_BEFORE_LAST = 1;
  static final int LAG2_SECOND = 2;
  static final int LAG2_STRETCH = 3;
  static final int LAG2_SLOTS = 2 * LAG2_STRETCH;

  /**
   * Standard errors of the lag-1 estimate added to it before the long-run factor is taken: 20-25
   * differences estimate it with a standard error of about 0.2, so a level's lag-1 of 0.3 read 0 in
   * many warm-ups; with none the ARMA(1,1) null (an AR(1) 0.7 level as large as the sampling noise)
   * stayed at 1.27 in expectation, with one at 0.77 (docs/adr/0080).
   */
  static final double LAG1_MARGIN = 1.0;

  /**
   * Standard errors of a lag-1 over 0 from which the groups' own window means show a level that
   * wanders ({@link Track#levelSeries}): on independent windows a one-sided test at about 2.3% at
   * each datapoint (docs/adr/0102).
   */
  static final double SLOW_DECAY_Z = 2.0;

  private static final double[] NO_SUMS = new double[0];

  /**
   * A dense track's long-run variance ({@link #seriesLongRun(double[], double[], boolean,
   * double)}): with the ARMA factor when its levels' pooled lag-1 is significant ({@link
   * #seriesLag1}), its phi at least theirs ({@link #levelDecay}); else, as for a track without
   * level series, the AR(1) factor.
   */
  static double seriesLongRun(Track t, boolean effectiveDf) {
    return seriesLongRun(t, effectiveDf, false);
  }

  /**
   * As {@link #seriesLongRun(Track, boolean)}; with {@code calmMargin} and level series whose gate
   * is closed, the differences' lag-1 without {@link #LAG1_MARGIN} ({@link
   * Monitor#denseCalmMargin}).
   */
  static double seriesLongRun(Track t, boolean effectiveDf, boolean calmMargin) {
    return seriesParts(t, effectiveDf, calmMargin)[0];
  }

  /**
   * {@link #seriesLongRun(Track, boolean, boolean)} and its long-run factor: {variance, factor},
   * {0, 0} when it has none.
   */
  static double[] seriesParts(Track t, boolean effectiveDf, boolean calmMargin) {
    boolean levels = t.levelSeries.length == SERIES_SLOTS && t.lag2Series.length == LAG2_SLOTS;
    boolean slow = levels && seriesLag1(t.levelSeries) >= 0;
    return slow
        ? seriesParts(
            t.lag1Series,
            t.lag2Series,
            effectiveDf,
            levelDecay(t.levelSeries, t.levelLag2),
            LAG1_MARGIN)
        : seriesParts(
            t.lag1Series, NO_SUMS, effectiveDf, 0.0, calmMargin && levels ? 0.0 : LAG1_MARGIN);
  }

  /**
   * A series' pooled lag-1 (each stretch about its own mean, bias-corrected as {@link
   * #seriesLongRun(double[], double[], boolean)}'s) less {@link #SLOW_DECAY_Z} standard errors 1 /
   * sqrt(n); negative below {@link #MIN_WINDOWS_FOR_PHI} values or without spread.
   */
  static double seriesLag1(double[] a) {
    double[] sums = lagSums(a, NO_SUMS);
    double n = sums[0];
    if (n < MIN_WINDOWS_FOR_PHI || !(sums[2] > 0)) {
      return -1.0;
    }
    double r = sums[3] / sums[2];
    r += sums[1] * (1 + 3 * r) / n;
    return r - SLOW_DECAY_Z / Math.sqrt(n);
  }

  /** One more difference in stretch {@code stretch} (0 or 1) of a series. */
  static void addToSeries(double[] a, int stretch, double x) {
    int at = stretch * SERIES_STRETCH;
    if (a[at + SERIES_COUNT] == 0) {
      a[at + SERIES_FIRST] = x;
    }
    double y = x - a[at + SERIES_FIRST];
    if (a[at + SERIES_COUNT] > 0) {
      a[at + SERIES_LAG] += y * a[at + SERIES_LAST];
    }
    a[at + SERIES_COUNT]++;
    a[at + SERIES_SUM] += y;
    a[at + SERIES_SQUARES] += y * y;
    a[at + SERIES_LAST] = y;
  }

  /**
   * As {@link #addToSeries(double[], int, double)}, and its lag-2 sums when {@code lag2} has any.
   */
  static void addToSeries(double[] a, double[] lag2, int stretch, double x) {
    if (lag2.length == LAG2_SLOTS) {
      int at = stretch * SERIES_STRETCH;
      int b = stretch * LAG2_STRETCH;
      double seen = a[at + SERIES_COUNT];
      double y = seen == 0 ? 0.0 : x - a[at + SERIES_FIRST];
      if (seen >= 2) {
        lag2[b + LAG2_PRODUCTS] += y * lag2[b + LAG2_BEFORE_LAST];
      } else if (seen == 1) {
        lag2[b + LAG2_SECOND] = y;
      }
      lag2[b + LAG2_BEFORE_LAST] = seen == 0 ? 0.0 : a[at + SERIES_LAST];
    }
    addToSeries(a, stretch, x);
  }

  /**
   * The long-run variance of one datapoint from a series' stretches, each about its own mean: their
   * pooled lag-1 autocorrelation r (bias-corrected per stretch as phi's) raised by {@link
   * #LAG1_MARGIN} standard errors, the AR(1) long-run factor f of it, and the pooled variance over
   * n - f per stretch (a short stretch about its own mean looks calmer by about f) at its
   * chi-square upper bound, times f; 0 below {@link #MIN_WINDOWS_FOR_PHI} differences or without
   * spread. With {@code effectiveDf} the bound's degrees of freedom are those of an AR(1) series at
   * the raised r (docs/adr/0091), not n's.
   */
  static double seriesLongRun(double[] a) {
    return seriesLongRun(a, false);
  }

  /** As {@link #seriesLongRun(double[])}, the bound at the effective degrees of freedom or not. */
  static double seriesLongRun(double[] a, boolean effectiveDf) {
    return seriesLongRun(a, new double[0], effectiveDf);
  }

  /**
   * As {@link #seriesLongRun(double[], boolean)}; with {@code lag2}'s sums the long-run factor is
   * at least an ARMA(1,1)'s, 1 + 2 r / (1 - phi) at the raised lag-1 r and phi = r2 / r1 of the
   * bias-corrected lag-2 and lag-1, raised by {@link #LAG1_MARGIN} standard errors, in [0, 0.95]
   * (docs/adr/0093).
   */
  static double seriesLongRun(double[] a, double[] lag2, boolean effectiveDf) {
    return seriesLongRun(a, lag2, effectiveDf, 0.0);
  }

  /**
   * As {@link #seriesLongRun(double[], double[], boolean)}, with the ARMA factor's decay at least
   * {@code decayFloor} (the groups' own levels', docs/adr/0102) when {@code lag2} has sums.
   */
  static double seriesLongRun(double[] a, double[] lag2, boolean effectiveDf, double decayFloor) {
    return seriesLongRun(a, lag2, effectiveDf, decayFloor, LAG1_MARGIN);
  }

  /** As above, the lag-1 raised by {@code margin} standard errors. */
  static double seriesLongRun(
      double[] a, double[] lag2, boolean effectiveDf, double decayFloor, double margin) {
    return seriesParts(a, lag2, effectiveDf, decayFloor, margin)[0];
  }

  /** As above: {variance, its long-run factor}, {0, 0} when it has none. */
  static double[] seriesParts(
      double[] a, double[] lag2, boolean effectiveDf, double decayFloor, double margin) {
    boolean decay = lag2.length == LAG2_SLOTS;
    double[] sums = lagSums(a, lag2);
    double n = sums[0];
    int stretches = (int) sums[1];
    double squares = sums[2];
    if (n < MIN_WINDOWS_FOR_PHI || !(squares > 0)) {
      return new double[2];
    }
    double r = sums[3] / squares;
    r += stretches * (1 + 3 * r) / n;
    double corrected = r;
    r += margin * Math.sqrt(Math.max(0.0, 1 - r * r) / n);
    r = Math.max(0.0, Math.min(0.95, r));
    double f = (1 + r) / (1 - r);
    if (decay) {
      // a level under sampling noise: ARMA(1,1) differences, whose lag-k decays as phi^(k-1) r1
      double phi = Math.max(decayFloor, decay(sums, corrected));
      f = Math.max(f, 1 + 2 * r / (1 - phi));
    }
    double calm = 0;
    for (int at = 0; at < SERIES_SLOTS; at += SERIES_STRETCH) {
      double c = a[at + SERIES_COUNT];
      calm += Math.max(0.34 * Math.max(0, c - 1), c - Math.min(c, f));
    }
    if (!(calm > 0)) {
      return new double[2];
    }
    double values = n - stretches + 1;
    if (effectiveDf) {
      // a sample variance of an AR(1) series varies as one of n (1 - r^2) / (1 + r^2) values
      values = Math.max(3.0, 2 + (values - 2) * (1 - r * r) / (1 + r * r));
    }
    double bound = varianceUpperBound((int) Math.min(Math.round(values), 1 << 20));
    return new double[] {squares / calm * bound * f, f};
  }

  /**
   * A series' stretches pooled, each about its own mean: values, stretches, squares, lag-1 and
   * (with {@code lag2}'s sums) lag-2 products.
   */
  static double[] lagSums(double[] a, double[] lag2) {
    boolean decay = lag2.length == LAG2_SLOTS;
    double n = 0;
    double squares = 0;
    double lag = 0;
    double lagTwo = 0;
    int stretches = 0;
    for (int at = 0; at < SERIES_SLOTS; at += SERIES_STRETCH) {
      double c = a[at + SERIES_COUNT];
      if (c < 1) {
        continue;
      }
      double sum = a[at + SERIES_SUM];
      double mean = sum / c;
      n += c;
      stretches++;
      squares += Math.max(0.0, a[at + SERIES_SQUARES] - c * mean * mean);
      lag += a[at + SERIES_LAG] - mean * (2 * sum - a[at + SERIES_LAST]) + (c - 1) * mean * mean;
      int b = at / SERIES_STRETCH * LAG2_STRETCH;
      if (decay && c >= 3) {
        // sum over t >= 3 of (y_t - mean)(y_{t-2} - mean), y_1 = 0
        double ends = lag2[b + LAG2_SECOND] + lag2[b + LAG2_BEFORE_LAST] + a[at + SERIES_LAST];
        lagTwo += lag2[b + LAG2_PRODUCTS] - mean * (2 * sum - ends) + (c - 2) * mean * mean;
      }
    }
    return new double[] {n, stretches, squares, lag, lagTwo};
  }

  /**
   * phi = r2 / r1 of {@link #lagSums}' bias-corrected lag-2 and the lag-1 {@code corrected}, raised
   * by {@link #LAG1_MARGIN} standard errors, in [0, 0.95].
   */
  private static double decay(double[] sums, double corrected) {
    double n = sums[0];
    double r2 = sums[4] / sums[2];
    r2 += sums[1] * (1 + 3 * Math.max(0.0, r2)) / n;
    double phi = corrected > 0 ? Math.max(0.0, Math.min(0.95, r2 / corrected)) : 0.0;
    return Math.min(0.95, phi + LAG1_MARGIN * Math.sqrt((1 - phi * phi) / n));
  }

  /**
   * The decay of a level that wanders under the groups' own window means ({@link Track#levelSeries}
   * with its lag-2 sums): {@link #decay}'s phi of their pooled lags; 0 below {@link
   * #MIN_WINDOWS_FOR_PHI} values, without spread or without a positive lag-1.
   */
  static double levelDecay(double[] a, double[] lag2) {
    double[] sums = lagSums(a, lag2);
    if (sums[0] < MIN_WINDOWS_FOR_PHI || !(sums[2] > 0) || lag2.length != LAG2_SLOTS) {
      return 0.0;
    }
    double r = sums[3] / sums[2];
    r += sums[1] * (1 + 3 * r) / sums[0];
    return r > 0 ? decay(sums, r) : 0.0;
  }

  /**
   * Whether the track's running spread is its clipped datapoints' (a Huber-type scale,
   * docs/adr/0104): single samples' mean, whose datapoints are clipped and whose drift is learned
   * again before each one.
   */
  static boolean huber(Track t) {
    return t.clipped && t.statistic == Statistic.MEAN;
  }

  /**
   * The warm-up's running spread again from its held differences clipped at the bound judged
   * datapoints use (from the held differences' variance: one step of the Huber iteration), and the
   * drift from it: a clipped datapoint's variance is its own, not the raw tail's it never carries.
   */
  private static void clipWarmUpSpread(
      Track t, List<Double> differences, List<double[]> raws, List<WarmupPoint> points) {
    double[] clippedDifferences = new double[differences.size()];
    for (int i = 0; i < differences.size(); i++) {
      double[] held = {differences.get(i), raws.get(i)[1]};
      WarmupPoint w = points.get(i);
      clippedDifferences[i] = t.offset + datapoint(t, held, w.control(), w.experimental())[0];
    }
    t.spreadCount = 0;
    t.spreadMean = 0;
    t.spreadSquares = 0;
    for (double x : clippedDifferences) {
      addToSpread(t, x);
    }
    t.driftVariance =
        drift(t.spreadCount, t.spreadSquares, t.phi, t.withinVariance, t.phiBoundShare);
  }

  /** One more difference in the track's running spread (Welford). */
  static void addToSpread(Track t, double difference) {
    t.spreadCount++;
    double delta = difference - t.spreadMean;
    t.spreadMean += delta / t.spreadCount;
    t.spreadSquares += delta * (difference - t.spreadMean);
  }

  /**
   * The window-to-window variance of the difference beyond its sampling noise, from the spread of n
   * differences (their sum of squared deviations): their variance, raised for an autocorrelated
   * series (a short one looks calmer than it is, by about (long-run factor - 1) / (n - 1), and its
   * variance is itself uncertain: its upper confidence bound stands in, an underestimate would
   * count noise as evidence), less the typical sampling variance {@code within}.
   */
  static double drift(double n, double squares, double phi, double within) {
    return drift(n, squares, phi, within, 1.0);
  }

  /** As above, paying {@code boundShare} of the upper bound's excess over 1 (docs/adr/0067). */
  static double drift(double n, double squares, double phi, double within, double boundShare) {
    if (n < 2) {
      return 0.0;
    }
    double longRun = (1 + phi) / (1 - phi);
    double calm = Math.max(0.34, 1 - (longRun - 1) / Math.max(1, n - 1));
    double bound = varianceBound((int) Math.min(n, 1 << 20), phi);
    if (boundShare < 1) {
      bound = 1 + boundShare * (bound - 1);
    }
    double spread = squares / (n - 1) / calm * bound;
    return Math.max(0.0, spread - within);
  }

  /**
   * The evidence for a learned phi of n warm-up datapoints as a share in [0, 1]: 0 at the
   * significance cut 1 / sqrt(n) (and for phi 0), 1 from 2 / sqrt(n) on (where independent data
   * stay in 95% of warm-ups), linear in between (docs/adr/0067).
   */
  static double phiEvidence(double phi, int n) {
    if (!(phi > 0) || n < 1) {
      return 0.0;
    }
    return Math.max(0.0, Math.min(1.0, phi * Math.sqrt(n) - 1));
  }

  /**
   * A rate's experimental datapoint: its rate, clipped at {@code level} + theta0 + {@link #CLIP}
   * standard deviations (a window of a few expected errors is a skewed count, docs/adr/0020), and
   * its variance at the edge of the hypothesis over the window's requests.
   */
  static double[] ratePoint(Track t, Summary experimental, double level) {
    double n = Math.max(1.0, experimental.count());
    double v = Math.max(1e-12, t.rateVariance / n);
    double bound = level + t.theta0 + CLIP * Math.sqrt(v);
    return new double[] {Math.min(bound, experimental.mean()), v};
  }

  /** Experimental minus control in the judged scale and its sampling variance; null if none. */
  private static double[] raw(
      Track t, Summary control, Summary experimental, double p99c, double p99e) {
    double nc = control.count();
    double ne = experimental.count();
    switch (t.statistic) {
      case MEAN -> {
        double vc = Math.max(t.sampleVarianceC, control.variance() / scaleSquare(t, control));
        double ve =
            Math.max(t.sampleVarianceE, experimental.variance() / scaleSquare(t, experimental));
        double k = t.log ? 1.0 : t.scale;
        // single samples against a pooled control: consecutive datapoints share most of their
        // control samples, so over the many datapoints of a contrast each control sample counts
        // about once, as one datapoint's own would (its long-run variance; docs/adr/0051)
        return new double[] {
          value(t, experimental.mean()) - k * value(t, control.mean()), ve / ne + k * k * vc / nc
        };
      }
      case P99 -> {
        if (Double.isNaN(p99c) || Double.isNaN(p99e)) {
          return null;
        }
        return new double[] {value(t, p99e) - value(t, p99c), 0.0};
      }
      case SPREAD -> {
        if (t.singleSpread.length == SINGLE_SLOTS) {
          return singleSpread(
              t.singleSpread, value(t, control.mean()), value(t, experimental.mean()));
        }
        if (nc < 2 || ne < 2 || control.variance() <= 0 || experimental.variance() <= 0) {
          return null;
        }
        // log of the ratio of standard deviations; var(log s) ~ 1 / (2 (n - 1))
        return new double[] {
          0.5 * Math.log(experimental.variance() / control.variance()),
          0.5 / (ne - 1) + 0.5 / (nc - 1)
        };
      }
      default -> throw new IllegalStateException("statistic " + t.statistic);
    }
  }

  private static double value(Track t, double x) {
    return t.log ? Math.log(Math.max(x, t.logFloor > 0 ? t.logFloor : 1e-12)) : x;
  }

  /** {@link Track#singleSpread}'s slots: the groups' last values, then their floors. */
  static final int SINGLE_LAST_C = 0;

  static final int SINGLE_LAST_E = 1;
  static final int SINGLE_FLOOR_C = 2;
  static final int SINGLE_FLOOR_E = 3;
  static final int SINGLE_SLOTS = 4;

  /**
   * {@link #singleSampleSpread}'s floor under a group's difference magnitude, as a share of the
   * warm-up's median one: log |d| of a normal difference has a long left tail (a difference near
   * 0), which would make a calm control window a large datapoint.
   */
  static final double SINGLE_SPREAD_FLOOR = 0.25;

  /**
   * A window of single samples' spread datapoint (docs/adr/0099): log |xe - last e| - log |xc -
   * last c|, each magnitude at least its group's floor, with no sampling variance of its own (the
   * warm-up's datapoints carry all of it, as the drift); null before both groups have a last value.
   */
  static double[] singleSpread(double[] a, double xc, double xe) {
    if (Double.isNaN(a[SINGLE_LAST_C]) || Double.isNaN(a[SINGLE_LAST_E])) {
      return null;
    }
    double dc = Math.max(a[SINGLE_FLOOR_C], Math.abs(xc - a[SINGLE_LAST_C]));
    double de = Math.max(a[SINGLE_FLOOR_E], Math.abs(xe - a[SINGLE_LAST_E]));
    return new double[] {Math.log(de) - Math.log(dc), 0.0};
  }

  /** The window's values become the groups' last ones. */
  static void advanceSingleSpread(double[] a, double xc, double xe) {
    a[SINGLE_LAST_C] = xc;
    a[SINGLE_LAST_E] = xe;
  }

  /**
   * A group's floor from its warm-up values (judged scale): {@link #SINGLE_SPREAD_FLOOR} of the
   * median magnitude of their successive differences (of the mean one when most are 0, a count;
   * 1e-12 when every one is).
   */
  static double singleSpreadFloor(List<Double> values) {
    List<Double> magnitudes = new ArrayList<>();
    double sum = 0;
    for (int i = 1; i < values.size(); i++) {
      double d = Math.abs(values.get(i) - values.get(i - 1));
      magnitudes.add(d);
      sum += d;
    }
    if (magnitudes.isEmpty()) {
      return 1e-12;
    }
    double typical = median(magnitudes);
    if (!(typical > 0)) {
      typical = sum / magnitudes.size();
    }
    return Math.max(1e-12, SINGLE_SPREAD_FLOOR * typical);
  }

  /**
   * {@link Track#wander}'s slots: the control's window log spreads seen (count), the first (every
   * other is kept relative to it), their sum, sum of squares and of lag-1 products, the last, the
   * sum of their sampling variances, and the warm-up's drift variance.
   */
  static final int WANDER_COUNT = 0;

  static final int WANDER_FIRST = 1;
  static final int WANDER_SUM = 2;
  static final int WANDER_SQUARES = 3;
  static final int WANDER_LAG = 4;
  static final int WANDER_LAST = 5;
  static final int WANDER_SAMPLING = 6;
  static final int WANDER_WARM_UP = 7;
  static final int WANDER_SLOTS = 8;

  /**
   * {@link Monitor#spreadWanderFloor}'s floor on the spread track's drift variance, in sampling
   * variances of a window's log spread ratio: GARCH(1,1) at one sample per 10 s raised 0.055 false
   * alarms per clean run with 1, 0.035 with 1.5, 0.030 with 2 (docs/adr/0076).
   */
  static final double WANDER_FLOOR = 1.5;

  /** Significance cuts of r (1 / sqrt(n) each) from which a wander is paid (docs/adr/0076). */
  static final double WANDER_CUTS = 2.0;

  /** One more control window's log spread in the track's wander series (its count >= 2). */
  static void addToWander(Track t, Summary control) {
    if (control.count() < 2 || !(control.variance() > 0)) {
      return;
    }
    double[] a = t.wander;
    double y = 0.5 * Math.log(control.variance());
    if (a[WANDER_COUNT] == 0) {
      a[WANDER_FIRST] = y;
    }
    double x = y - a[WANDER_FIRST];
    if (a[WANDER_COUNT] > 0) {
      a[WANDER_LAG] += x * a[WANDER_LAST];
    }
    a[WANDER_COUNT]++;
    a[WANDER_SUM] += x;
    a[WANDER_SQUARES] += x * x;
    a[WANDER_LAST] = x;
    a[WANDER_SAMPLING] += logSpreadVariance(control.count());
  }

  /**
   * A sparse spread track's long-run variance of one datapoint from the groups' own window log
   * spreads ({@link Track#levelSeries}, docs/adr/0108): twice (two groups) their pooled variance at
   * its upper bound times the AR(1) long-run factor of their raised lag-1, and, when that lag-1 is
   * at least {@link #SLOW_DECAY_Z} standard errors over 0 ({@link #seriesLag1}), at least the ARMA
   * factor of their lag-1 and decay ({@link #seriesLongRun(double[], double[], boolean, double)}).
   * A floor under the datapoint's variance, never a replacement.
   */
  static double spreadLongRun(Track t) {
    boolean slow = seriesLag1(t.levelSeries) >= 0;
    return 2 * seriesLongRun(t.levelSeries, slow ? t.levelLag2 : NO_SUMS, false, 0.0);
  }

  /** One more control window's log spread in the spread track's level series (its count >= 2). */
  static void addToSpreadLevels(Track t, Summary control) {
    if (control.count() < 2 || !(control.variance() > 0)) {
      return;
    }
    addToSeries(t.levelSeries, t.levelLag2, 0, 0.5 * Math.log(control.variance()));
  }

  /** The spread's drift variance from the control's wander so far, at least the warm-up's. */
  static double controlWander(Track t) {
    double[] a = t.wander;
    double n = a[WANDER_COUNT];
    if (n < MIN_WINDOWS_FOR_PHI) {
      return a[WANDER_WARM_UP];
    }
    double mean = a[WANDER_SUM] / n;
    double squares = Math.max(0.0, a[WANDER_SQUARES] - n * mean * mean);
    double lag =
        a[WANDER_LAG] - mean * (2 * a[WANDER_SUM] - a[WANDER_LAST]) + (n - 1) * mean * mean;
    return Math.max(a[WANDER_WARM_UP], wanderVariance(n, 1, squares, lag, a[WANDER_SAMPLING] / n));
  }

  /**
   * The groups' log spread ratio's wander as a long-run variance (docs/adr/0070), from {@code
   * series} series of n window log spreads each (their squares and lag-1 products about their own
   * means, summed) and the sampling variance of one window's log spread: the series' variance at
   * its upper 95% bound times the AR(1) long-run factor of their lag-1 autocorrelation r
   * (bias-corrected as phi's), less the sampling variance, twice (two groups), times the evidence
   * for r (none at {@link #WANDER_CUTS} times its significance cut 1 / sqrt(n), all from twice
   * that, docs/adr/0076; ADR 0070 paid it from the cut on, as {@link #phiEvidence}). Independent
   * windows keep their plug-in variance; a spread that wanders slowly, which no number of warm-up
   * windows shows as a larger variance, shows as persistence.
   */
  static double wanderVariance(double n, int series, double squares, double lag, double sampling) {
    if (n < MIN_WINDOWS_FOR_PHI || !(squares > 0) || !(sampling > 0)) {
      return 0.0;
    }
    double df = series * (n - 1);
    double r = lag / squares;
    r = Math.min(0.95, r + (1 + 3 * r) / n);
    // paid from twice phi's significance cut on, not from the cut: an independent series passes
    // the cut in about one warm-up of six, and paying it there cost the variance x2 rows 1-5
    // points (docs/adr/0076)
    double share = Math.max(0.0, Math.min(1.0, (r * Math.sqrt(n) - WANDER_CUTS) / WANDER_CUTS));
    if (share <= 0) {
      return 0.0;
    }
    double bound = varianceUpperBound((int) Math.min(df + 1, 1 << 20));
    double longRun = squares / df * bound * (1 + r) / (1 - r);
    return share * 2 * Math.max(0.0, longRun - sampling);
  }

  /**
   * The sampling variance of the log standard deviation of n normal samples, trigamma((n - 1) / 2)
   * / 4 (1 / (2 (n - 1)) for large n, a fifth more at 6).
   */
  static double logSpreadVariance(double n) {
    return n < 2 ? 0.0 : Gamma.trigamma((n - 1) / 2) / 4;
  }

  /** Per-sample variances are divided by this to be in the judged scale (mean^2 on the log). */
  private static double scaleSquare(Track t, Summary s) {
    return t.log ? Math.max(s.mean() * s.mean(), 1e-24) : 1.0;
  }

  /** Fixes every track's steady state from the warm-up windows. */
  static void finishWarmUp(Monitor m, Hypothesis hypothesis) {
    MetricPolicy policy = hypothesis.policy();
    List<Statistic> statistics =
        hypothesis.rate()
            ? List.of(Statistic.MEAN)
            : m.alphaOverMeasured
                ? measured(hypothesis.statistics(), m.warmup)
                : hypothesis.statistics();
    // alpha split evenly over the detectors: the baseline's error is carried by the detector
    double alpha = policy.alpha();
    m.tracks = new ArrayList<>();
    // one pass over the warm-up: both groups pooled, and per window the groups' ratio and the
    // experimental level (their medians from 5 windows on, docs/adr/0055)
    Summary c = new Summary();
    Summary e = new Summary();
    List<Double> ratios = new ArrayList<>();
    List<Double> levels = new ArrayList<>();
    for (double[] w : m.warmup) {
      c.merge(summary(w, 0));
      e.merge(summary(w, 3));
      if (w[2] > 0 && w[5] > 0 && w[0] > 0) {
        ratios.add(w[3] / w[0]);
      }
      levels.add(w[3]);
    }
    double toleratedLevel = toleratedLevel(levels);
    if (m.countLevels && toleratedLevel == 0) {
      // most windows are zeros: the median is no level to be relative to
      toleratedLevel =
          Math.abs(levels.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    }
    double perWindow = m.warmup.isEmpty() ? 1 : (double) c.count() / m.warmup.size();
    int pooledSamples =
        m.pooledControlSamples > 0 ? m.pooledControlSamples : POOLED_CONTROL_SAMPLES;
    m.controlSpan =
        (int)
            Math.max(
                1,
                Math.min(
                    Math.min(pooledSamples, m.warmup.size()),
                    Math.ceil(pooledSamples / Math.max(1.0, perWindow))));
    // a rate is judged against its own rate before the change, never against the pooled control:
    // only the other hypotheses pool the warm-up's control windows, held (docs/adr/0060)
    List<double[]> heldControls = hypothesis.rate() ? List.of() : heldControls(m.warmup);
    m.recentControl = new ArrayList<>();
    for (int i = Math.max(0, heldControls.size() - m.controlSpan + 1);
        i < heldControls.size();
        i++) {
      m.recentControl.add(heldControls.get(i));
    }
    boolean positive = c.count() > 0 && c.min() > 0 && e.min() > 0;
    double samples = m.warmup.isEmpty() ? 0 : Math.min(c.count(), e.count()) / m.warmup.size();
    for (Statistic s : statistics) {
      Track t = new Track();
      t.statistic = s;
      t.alpha = alpha / statistics.size();
      if (hypothesis.rate()) {
        learnRate(t, m, policy, c, e);
        m.tracks.add(t);
        continue;
      }
      boolean relative = policy.relativeTolerance() > 0 && positive && m.warmupWindows > 0;
      // window means of many samples are near normal (central limit): their difference is judged
      // as is, against the control scaled by the warm-up ratio; sparse (skewed) samples and the
      // tail and spread on the log scale
      t.log = s != Statistic.MEAN || (relative && samples < DENSE);
      t.clipped = samples < 2;
      if (t.clipped && s == Statistic.MEAN) {
        t.clipSd = m.singleSampleClip;
      }
      if (m.countLevels && t.log && positive) {
        t.logFloor = 0.5 * Math.min(c.min(), e.min());
      }
      if (s == Statistic.MEAN && relative && !t.log) {
        t.scale = Math.max(0.25, Math.min(4.0, warmUpRatio(ratios, c, e)));
      }
      learn(t, m, policy, toleratedLevel, heldControls, hypothesis.statistics());
      m.tracks.add(t);
    }
    Track mean = m.tracks.get(0);
    if (hypothesis.rate()) {
      m.scale = 1.0;
      m.offset = 0.0;
      m.theta0 = mean.theta0;
    } else if (mean.log) {
      m.scale = Math.exp(mean.offset);
      m.offset = 0.0;
      // the rise the test tolerates at the level it is relative to, as on the linear scale
      m.theta0 = Math.expm1(mean.theta0) * toleratedLevel;
    } else {
      m.scale = mean.scale;
      m.offset = mean.offset;
      m.theta0 = mean.theta0;
    }
    m.ready = true;
    m.learnedFrom = m.warmup.size();
    m.warmup = new ArrayList<>();
  }

  /**
   * The statistics of which the warm-up windows (the rows of {@link Monitor#warmup}) hold at least
   * one datapoint, in their order; all of them when none has one (a warm-up without usable windows
   * is judged as before).
   */
  static List<Statistic> measured(List<Statistic> statistics, List<double[]> warmup) {
    List<Statistic> kept = new ArrayList<>();
    for (Statistic s : statistics) {
      if (measurable(s, statistics, warmup)) {
        kept.add(s);
      }
    }
    return kept.isEmpty() ? statistics : kept;
  }

  /**
   * Whether the warm-up's windows (as {@link Monitor#warmup} keeps them: c mean, c var, c n, e
   * mean, e var, e n, c p99, e p99) give {@code s}, one of the statistics {@code asked}, a
   * datapoint: a spread needs a window with two samples or more of each group, or, asked alone, two
   * windows of single samples ({@link #singleSampleSpread}).
   */
  public static boolean measurable(Statistic s, List<Statistic> asked, List<double[]> warmup) {
    return switch (s) {
      case MEAN -> !warmup.isEmpty();
      case SPREAD ->
          warmup.stream().anyMatch(w -> w[2] >= 2 && w[5] >= 2 && w[1] > 0 && w[4] > 0)
              || (singleSampleSpread(asked) && warmup.size() >= MIN_WARMUP_WINDOWS + 1);
      case P99 -> warmup.stream().anyMatch(w -> !Double.isNaN(w[6]) && !Double.isNaN(w[7]));
    };
  }

  /**
   * The spread of single samples is judged from each group's successive differences ({@link
   * #singleSpread}) where the statistics asked are the spread alone: there it takes no alpha from
   * the mean, which paid for it in every one-per-minute row when both were asked (docs/adr/0099,
   * 0105).
   */
  static boolean singleSampleSpread(List<Statistic> asked) {
    return !asked.isEmpty() && asked.stream().allMatch(s -> s == Statistic.SPREAD);
  }

  /**
   * A pooled control lags a level shift of the control, and the experimental group's difference
   * from it would rise with a shift in both groups: when the latest {@link #SHIFT_WINDOWS} windows'
   * mean departs from the earlier pooled ones' by more than {@link #SHIFT_Z} standard errors, the
   * earlier ones go (docs/adr/0020).
   */
  static void forgetControlBeforeAShift(List<double[]> windows) {
    int n = windows.size();
    if (n <= SHIFT_WINDOWS) {
      return;
    }
    Summary earlier = pool(windows.subList(0, n - SHIFT_WINDOWS), n - SHIFT_WINDOWS);
    Summary latest = pool(windows, SHIFT_WINDOWS);
    double variance = earlier.variance();
    if (earlier.count() < 2 || !(variance > 0) || latest.count() < 1) {
      return;
    }
    double se = Math.sqrt(variance / latest.count() + variance / earlier.count());
    if (Math.abs(latest.mean() - earlier.mean()) > SHIFT_Z * se) {
      windows.subList(0, n - SHIFT_WINDOWS).clear();
    }
  }

  /** The last {@code span} of the windows' control summaries (mean, variance, count) merged. */
  private static Summary pool(List<double[]> windows, int span) {
    Summary pooled = new Summary();
    for (int i = Math.max(0, windows.size() - span); i < windows.size(); i++) {
      pooled.merge(summary(windows.get(i), 0));
    }
    return pooled;
  }

  private static Summary summary(double[] w, int at) {
    long n = (long) w[at + 2];
    return new Summary(n, w[at], w[at + 1] * Math.max(0, n - 1), w[at], w[at], w[at] * n);
  }

  private record WarmupPoint(Summary control, Summary experimental, double p99c, double p99e) {}

  /** One track's offset, variances, drift, autocorrelation and theta0 from the warm-up. */
  private static void learn(
      Track t,
      Monitor m,
      MetricPolicy policy,
      double toleratedLevel,
      List<double[]> heldControls,
      List<Statistic> asked) {
    Summary within = new Summary();
    List<Double> differences = new ArrayList<>();
    // the groups' own levels, window by window
    List<Double> levelsC = new ArrayList<>();
    List<Double> levelsE = new ArrayList<>();
    List<Double> controlVariances = new ArrayList<>();
    List<Double> experimentalVariances = new ArrayList<>();
    List<WarmupPoint> points = new ArrayList<>();
    List<double[]> raws = new ArrayList<>();
    List<double[]> controls = new ArrayList<>();
    double[] single = new double[0];
    if (singleSampleSpread(asked) && t.clipped && t.statistic == Statistic.SPREAD) {
      List<Double> valuesC = new ArrayList<>();
      List<Double> valuesE = new ArrayList<>();
      for (double[] w : m.warmup) {
        valuesC.add(value(t, w[0]));
        valuesE.add(value(t, w[3]));
      }
      single =
          new double[] {
            Double.NaN, Double.NaN, singleSpreadFloor(valuesC), singleSpreadFloor(valuesE)
          };
    }
    for (int i = 0; i < m.warmup.size(); i++) {
      double[] w = m.warmup.get(i);
      controls.add(heldControls.get(i));
      while (controls.size() > m.controlSpan) {
        controls.remove(0);
      }
      // as judged windows pool it, so the drift learned here is the one they see
      forgetControlBeforeAShift(controls);
      Summary c = t.statistic == Statistic.MEAN ? pool(controls, m.controlSpan) : summary(w, 0);
      Summary e = summary(w, 3);
      if (t.statistic == Statistic.MEAN) {
        if (w[2] >= 2) {
          controlVariances.add(w[1] / scaleSquare(t, summary(w, 0)));
        }
        if (e.count() >= 2) {
          experimentalVariances.add(w[4] / scaleSquare(t, e));
        }
      }
      Track plain = new Track();
      plain.statistic = t.statistic;
      plain.log = t.log;
      plain.scale = t.scale;
      plain.logFloor = t.logFloor;
      plain.singleSpread = single;
      double[] raw = raw(plain, c, e, w[6], w[7]);
      if (single.length == SINGLE_SLOTS) {
        advanceSingleSpread(single, value(t, c.mean()), value(t, e.mean()));
      }
      if (raw != null) {
        raws.add(raw);
        differences.add(raw[0]);
        levelsC.add(value(plain, heldControls.get(i)[0]));
        levelsE.add(value(plain, e.mean()));
        points.add(new WarmupPoint(c, e, w[6], w[7]));
        within.add(raw[1]);
      }
    }
    // the median window's per-sample variance, not the mean: one window with a few very slow
    // requests would otherwise raise every judged window's variance (each window's own stays in)
    t.sampleVarianceC = controlVariances.isEmpty() ? 0.0 : median(controlVariances);
    t.sampleVarianceE = experimentalVariances.isEmpty() ? 0.0 : median(experimentalVariances);
    // one transient warm-up window (a cold cache, a pause) must not set the level and the spread
    // for the whole experiment: the differences are held within WINSOR robust standard deviations
    // of their median before the offset, drift and phi are learned (docs/adr/0055)
    double[] held = winsorBounds(differences);
    differences.replaceAll(x -> Math.max(held[0], Math.min(held[1], x)));
    Summary d = new Summary();
    differences.forEach(d::add);
    int n = differences.size();
    t.offset = m.warmupWindows == 0 || n == 0 ? 0.0 : d.mean();
    boolean fromGroups =
        m.phiFromGroups && t.clipped && t.statistic == Statistic.MEAN && m.controlSpan > 1;
    t.phi =
        n < MIN_WINDOWS_FOR_PHI
            ? 0.0
            : fromGroups
                ? autocorrelation(List.of(levelsC, levelsE), n)
                : autocorrelation(differences, d.mean(), n);
    // a phi just over its cut is as likely noise as not: phi and its bound grow with its evidence
    t.phiBoundShare = 1.0;
    if (m.phiByEvidence && fromGroups) {
      t.phiBoundShare = phiEvidence(t.phi, n);
      t.phi *= t.phiBoundShare;
    }
    double typicalWithin = within.count() > 0 ? within.mean() : 0.0;
    t.driftVariance =
        drift(n, d.variance() * Math.max(0, n - 1), t.phi, typicalWithin, t.phiBoundShare);
    t.spreadClipped = m.spreadClip && t.statistic == Statistic.SPREAD;
    t.singleSpread = single;
    if (single.length == SINGLE_SLOTS) {
      // single samples' spread: its datapoints' variance is all drift, learned again before each
      // datapoint from the ones before it, as single samples' mean's (docs/adr/0051, 0099)
      t.clipSd = m.singleSampleClip;
      if (m.predictableDrift && n > 0) {
        t.spreadCount = n;
        t.spreadMean = d.mean();
        t.spreadSquares = d.variance() * Math.max(0, n - 1);
        t.withinVariance = typicalWithin;
      }
    } else if (m.spreadWander && t.statistic == Statistic.SPREAD && n > 0) {
      learnWander(t, points, m.spreadWanderFloor);
    }
    boolean relearned = t.clipped ? m.predictableDrift : m.predictableDriftAll;
    if (relearned && t.statistic == Statistic.MEAN && n > 0) {
      t.spreadCount = n;
      t.spreadMean = d.mean();
      t.spreadSquares = d.variance() * Math.max(0, n - 1);
      t.withinVariance = typicalWithin;
    }
    if (m.controlSeriesPooled
        && !(m.controlSeriesWithin && t.clipped)
        && t.statistic == Statistic.MEAN
        && m.controlSpan > 1
        && n >= MIN_WINDOWS_FOR_PHI) {
      // the control's window series carries the variance; the pool's weights carry its sharing
      double rho = autocorrelation(List.of(levelsC, levelsE), n);
      double[] shares = poolShares(rho, m.controlSpan);
      for (double[] w : heldControls) {
        if (w[2] > 0) {
          addToLongRun(t, value(t, w[0]));
        }
      }
      t.groupsPhi = rho;
      t.poolShare = shares[0];
      t.poolWithin = m.controlSeriesWithin;
      t.withinVariance = typicalWithin;
      t.longRunVariance = longRunVariance(t, m.sparseScaleFree);
      if (t.longRunVariance > 0) {
        t.phi = budget.phiZero() ? 0.0 : Math.min(0.95, (rho + shares[1]) / (1 + shares[0]));
        t.phiBoundShare = 1.0;
      } else {
        t.poolShare = 0.0; // a constant control: the default's variance and phi
      }
    }
    if (m.denseLongRun
        && !t.clipped
        && t.statistic == Statistic.MEAN
        && m.controlSpan == 1
        && n >= MIN_WINDOWS_FOR_PHI) {
      double[] series = new double[SERIES_SLOTS];
      double[] lag2 = new double[LAG2_SLOTS];
      for (double x : differences) {
        addToSeries(series, lag2, 0, x);
      }
      double[] levels = new double[SERIES_SLOTS];
      double[] levelLag2 = new double[LAG2_SLOTS];
      levelsC.forEach(x -> addToSeries(levels, levelLag2, 0, x));
      levelsE.forEach(x -> addToSeries(levels, levelLag2, 1, x));
      Track learned = new Track();
      learned.lag1Series = series;
      learned.lag2Series = lag2;
      learned.levelSeries = levels;
      learned.levelLag2 = levelLag2;
      double v = seriesLongRun(learned, m.denseEffectiveDf, m.denseCalmMargin);
      if (v > 0) {
        t.lag1Series = series;
        t.lag2Series = lag2;
        t.levelSeries = levels;
        t.levelLag2 = levelLag2;
        t.longRunVariance = v;
        t.phi = 0.0;
        t.phiBoundShare = 1.0;
      } // else a constant warm-up: the default's variance and phi
    }
    if (m.countVariance && t.clipped && t.statistic == Statistic.MEAN) {
      t.countVariance = countVariance(m.warmup, t.log);
    }
    t.theta0 = tolerance(t, policy, toleratedLevel);
    if (huber(t) && t.spreadCount > 0) {
      clipWarmUpSpread(t, differences, raws, points);
    }
    if (m.warmupWindows > 0 && n > 0) {
      // the warm-up's differences are the first pre-change datapoints of the two-sample detector
      // (as judged windows are: difference from the offset, variance with the warm-up's)
      double[] dw = new double[n];
      double[] vw = new double[n];
      for (int i = 0; i < n; i++) {
        WarmupPoint w = points.get(i);
        // single samples' spread from the differences it was learned from (its raw needs the
        // window before); every other track as judged windows are
        double[] point =
            single.length == SINGLE_SLOTS
                ? datapoint(t, raws.get(i), w.control(), w.experimental())
                : datapoint(t, w.control(), w.experimental(), w.p99c(), w.p99e());
        dw[i] = Math.max(held[0] - t.offset, Math.min(held[1] - t.offset, point[0]));
        vw[i] = point[1];
      }
      EDetector primer = new EDetector(policy.direction(), t.alpha, 1, t.theta0, t.phi, CONFIDENCE);
      if (m.denseScaleFree && t.lag1Series.length == SERIES_SLOTS) {
        primer.scaleFree(seriesParts(t, m.denseEffectiveDf, m.denseCalmMargin)[1]);
      } else if (pooledScaleFree(m, t)) {
        primer.scaleFreeAlone(pooledResidualFactor(t));
      }
      primer.prime(t.detector, dw, vw);
    }
  }

  /** Standard deviations of a window's other samples beyond which its extreme ones are held. */
  static final double EXTREME = 6.0;

  /** The others' share of a window's spread below which they count as equal (rounding). */
  private static final double RELATIVE_SPREAD = 1e-9;

  /**
   * The window's summary with its largest sample held at the other samples' mean + {@link #EXTREME}
   * of their standard deviations, then its smallest at their mean - as many (3 samples or more;
   * else, or when the others have no spread, the window as it is). Equivariant to the window's
   * location and scale, so a shift or a scaling of a group's samples (a fault) moves the held
   * summary as it moves the raw one; min and max are the held values.
   */
  static Summary winsorised(Summary s) {
    if (s.count() < 3) {
      return s;
    }
    Summary held = heldExtreme(s, true);
    return heldExtreme(held, false);
  }

  private static Summary heldExtreme(Summary s, boolean largest) {
    long n = s.count();
    double x = largest ? s.max() : s.min();
    double mean = s.mean();
    double othersMean = (n * mean - x) / (n - 1);
    double othersM2 = Math.max(0.0, s.m2() - (x - mean) * (x - othersMean));
    if (!(othersM2 > RELATIVE_SPREAD * s.m2())) {
      // the others are equal (a count of zeros but one): no scale to hold it within, and
      // rounding would leave a spread of nearly 0
      return s;
    }
    double othersSd = Math.sqrt(othersM2 / (n - 2));
    double bound = othersMean + (largest ? EXTREME : -EXTREME) * othersSd;
    if (largest ? x <= bound : x >= bound) {
      return s;
    }
    double heldMean = mean + (bound - x) / n;
    double heldM2 = othersM2 + (bound - othersMean) * (bound - heldMean);
    double min = largest ? Math.min(s.min(), bound) : bound;
    double max = largest ? bound : s.max();
    return new Summary(n, heldMean, heldM2, min, max, heldMean * n);
  }

  /**
   * A count's per-sample variance in the judged scale from the warm-up's single samples of both
   * groups when every one is a non-negative integer (else 0: not a count): a Poisson count's, its
   * level (half a count added, so a warm-up of zeros is not certain of 0), or on the log scale its
   * inverse (the delta method: var log x = var x / level^2).
   */
  static double countVariance(List<double[]> warmup, boolean log) {
    double samples = 0;
    double total = 0;
    for (double[] w : warmup) {
      for (int at : new int[] {0, 3}) {
        double n = w[at + 2];
        if (n <= 0) {
          continue;
        }
        double x = w[at];
        if (n != 1 || x < 0 || x != Math.rint(x)) {
          return 0.0;
        }
        samples++;
        total += x;
      }
    }
    if (samples == 0) {
      return 0.0;
    }
    double level = (total + 0.5) / samples;
    return log ? 1.0 / level : level;
  }

  /**
   * The spread track's wander from the warm-up (docs/adr/0070): both groups' series of window log
   * spreads give the drift variance now (at least the differences'), the control's starts the
   * series judged windows extend.
   */
  private static void learnWander(Track t, List<WarmupPoint> points, boolean floor) {
    t.wander = new double[WANDER_SLOTS];
    int n = points.size();
    double[] sums = new double[2]; // lag-1 products, squares
    double sampling = 0;
    double samples = 0;
    for (int g = 0; g < 2; g++) {
      List<Double> x = new ArrayList<>(n);
      for (WarmupPoint w : points) {
        Summary s = g == 0 ? w.control() : w.experimental();
        x.add(0.5 * Math.log(s.variance()));
        sampling += logSpreadVariance(s.count()) / (2.0 * n);
        samples += s.count() / (2.0 * n);
        if (g == 0) {
          addToWander(t, s);
        }
      }
      // one transient window is no wander (docs/adr/0055)
      double[] held = winsorBounds(x);
      x.replaceAll(v -> Math.max(held[0], Math.min(held[1], v)));
      addLagProducts(x, x.stream().mapToDouble(Double::doubleValue).average().orElse(0), n, sums);
    }
    t.driftVariance = Math.max(t.driftVariance, wanderVariance(n, 2, sums[1], sums[0], sampling));
    if (floor && samples < DENSE) {
      // dense windows' series show a wander (docs/adr/0070); the ratio's sampling variance is both
      // groups' (docs/adr/0076)
      t.driftVariance = Math.max(t.driftVariance, WANDER_FLOOR * 2 * sampling);
    }
    t.wander[WANDER_WARM_UP] = t.driftVariance;
    if (samples < DENSE) {
      // clustered volatility moves a run of datapoints together: the groups' own log spreads, as
      // a dense mean track's levels (docs/adr/0102), open a long-run factor (docs/adr/0108)
      double[] levels = new double[SERIES_SLOTS];
      double[] lag2 = new double[LAG2_SLOTS];
      for (WarmupPoint w : points) {
        addToSeries(levels, lag2, 0, 0.5 * Math.log(w.control().variance()));
      }
      for (WarmupPoint w : points) {
        addToSeries(levels, lag2, 1, 0.5 * Math.log(w.experimental().variance()));
      }
      t.levelSeries = levels;
      t.levelLag2 = lag2;
    }
  }

  /**
   * A rate's level, variance and offset from the warm-up (docs/adr/0020): the detector compares the
   * experimental group's rate after each candidate change point with its own rate before it (the
   * warm-up's windows prime it), so the control's noise does not enter and no margin on the
   * control's rate is paid.
   */
  private static void learnRate(Track t, Monitor m, MetricPolicy policy, Summary c, Summary e) {
    t.theta0 = policy.absoluteTolerance();
    double outcomes = c.count() + e.count();
    t.level = (c.sum() + e.sum() + 1) / (outcomes + 2);
    double edge = Math.min(0.5, t.level + t.theta0);
    t.rateVariance = edge * (1 - edge);
    double[] errors = new double[m.warmup.size()];
    double[] requests = new double[m.warmup.size()];
    for (int i = 0; i < errors.length; i++) {
      double[] w = m.warmup.get(i);
      errors[i] = w[0] * w[2];
      requests[i] = w[2];
    }
    new EDetector(policy.direction(), t.alpha, 1, t.theta0, 0.0, CONFIDENCE)
        .primeControl(t.detector, errors, requests, Math.max(t.level * (1 - t.level), 1e-6));
  }

  /** One-sided confidence of the bound on an autocorrelated warm-up's variance. */
  static final double VARIANCE_CONFIDENCE = 0.95;

  /**
   * The factor from the variance of n autocorrelated warm-up datapoints to its upper confidence
   * bound, (n - 2) / chi2_{n-2}(1 - confidence); 1 when phi is 0. Twenty AR(1) datapoints at 0.8
   * hold about two independent ones' worth of long-run variance: without the bound the detector
   * raised 0.085 false alarms per run there (docs/adr/0014).
   */
  static double varianceBound(int n, double phi) {
    return phi <= 0 ? 1.0 : varianceUpperBound(n);
  }

  /** (n - 2) / chi2_{n-2}(1 - confidence): {@link #varianceBound} whatever phi; 1 below 3. */
  static double varianceUpperBound(int n) {
    int df = n - 2;
    if (df < 1) {
      return 1.0;
    }
    // no random generator: only the quantile is read (docs/adr/0073)
    ChiSquaredDistribution chi2 = new ChiSquaredDistribution(null, df);
    return df / chi2.inverseCumulativeProbability(1 - VARIANCE_CONFIDENCE);
  }

  /** Lag-1 autocorrelation, bias-corrected (Kendall), when significant; at most 0.95. */
  static double autocorrelation(List<Double> x, double mean, int n) {
    double[] sums = new double[2];
    addLagProducts(x, mean, n, sums);
    return significantAutocorrelation(sums, n);
  }

  /**
   * Lag-1 autocorrelation of several series of n values sharing one phi (the two groups of one
   * experiment: identical deployments), each about its own mean, their lag-1 products and squares
   * pooled; bias-corrected and tested as one series of n is.
   */
  static double autocorrelation(List<List<Double>> series, int n) {
    double[] sums = new double[2];
    for (List<Double> x : series) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += x.get(i) / n;
      }
      addLagProducts(x, mean, n, sums);
    }
    return significantAutocorrelation(sums, n);
  }

  /** Adds the lag-1 products (sums[0]) and squares (sums[1]) of x's first n values about mean. */
  static void addLagProducts(List<Double> x, double mean, int n, double[] sums) {
    for (int i = 0; i < n; i++) {
      double a = x.get(i) - mean;
      sums[1] += a * a;
      if (i > 0) {
        sums[0] += a * (x.get(i - 1) - mean);
      }
    }
  }

  private static double significantAutocorrelation(double[] sums, int n) {
    if (sums[1] <= 0) {
      return 0.0;
    }
    double r = sums[0] / sums[1];
    r = r + (1 + 3 * r) / n;
    // independent data give |r| < 2 / sqrt(n) in 95% of warm-ups: prewhitening them would only
    // cost power
    if (r < 1 / Math.sqrt(n)) {
      return 0.0;
    }
    // no margin on phi itself: the variance bound (varianceBound) carries the warm-up's
    // uncertainty, and a margin here made a fifth of independent warm-ups look autocorrelated
    return Math.min(0.95, r);
  }

  /**
   * The experimental level the tolerance is relative to: the median window's from 5 windows on (a
   * transient window does not widen the tolerance, docs/adr/0055), the windows' mean below that.
   */
  static double toleratedLevel(List<Double> levels) {
    if (levels.size() >= 5) {
      return Math.abs(median(levels));
    }
    double level = 0;
    for (double x : levels) {
      level += x / levels.size();
    }
    return Math.abs(level);
  }

  private static double tolerance(Track t, MetricPolicy policy, double level) {
    if (t.log) {
      double relative =
          policy.relativeTolerance() + (level > 0 ? policy.absoluteTolerance() / level : 0.0);
      return Math.log1p(relative);
    }
    return policy.relativeTolerance() * level + policy.absoluteTolerance();
  }

  static double effect(double expected, double experimental) {
    double diff = experimental - expected;
    return expected == 0.0 ? diff : diff / Math.abs(expected);
  }
}
