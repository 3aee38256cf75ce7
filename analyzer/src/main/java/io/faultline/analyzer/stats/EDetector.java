package io.faultline.analyzer.stats;

import java.util.Arrays;

/**
 * A change detector that pools the evidence since the change (an e-detector; Shin, Ramdas and
 * Rinaldo, "E-detectors: a nonparametric framework for sequential change detection", 2022): one
 * statistic over every datapoint of a metric, so a fault that began several datapoints ago keeps
 * adding to the same evidence; windows no longer reset it.
 *
 * <p>Two kinds of evidence:
 *
 * <ul>
 *   <li>{@link #updateNormal}: a difference d_i with variance v_i per datapoint (docs/adr/0014).
 *       The pre-change level is not taken as known: the warm-up's datapoints ({@link #prime}) and
 *       every judged datapoint before a candidate change point k form P, those from k on form Q,
 *       and U = mean_Q(d) - mean_P(d) (precision-weighted; generalised least squares in AR(1)
 *       innovation space when phi > 0), Var U = 1/I_k. Per shift lambda beyond theta0 and side,
 *       Lambda_k = exp(lambda (U - theta0) I_k - lambda^2 I_k / 2): the likelihood ratio of the
 *       location-invariant contrasts, so the unknown level cancels exactly, and Lambda_k is at most
 *       a mean-1 martingale while the experimental group's level moves by at most theta0. The
 *       statistic is the generalised Shiryaev–Roberts sum R_t of the mixtures over the kept
 *       candidates (the latest {@link #RECENT} and {@link #PER_OCTAVE} per doubling of age).
 *   <li>{@link #updateCounts}: x events in n trials (errors per request) against the rate p0 it may
 *       have: e(k) = (p1/p0)^x ((1-p1)/(1-p0))^(n-x) with p1 = p0 + f_k (1 - p0), the binomial
 *       likelihood ratio, at most 1 in expectation whenever the true rate is at most p0; per
 *       component R_t(k) = (R_{t-1}(k) + 1) e_t(k) (Shiryaev–Roberts) and a CUSUM for the change
 *       point.
 * </ul>
 *
 * <p>Either way R_t - t is dominated by a martingale under the hypothesis, so stopping at the alarm
 * (R_t >= c = horizon / alpha) or at the horizon, c P(an alarm within n datapoints) <= E[R] <= n:
 * <b>the chance of any false alarm within the first {@code horizon} datapoints is at most
 * alpha</b>, and without a planned length the average run length to a false alarm is at least c.
 * The estimated change point is the candidate (or CUSUM segment) with the most evidence; the effect
 * and its interval are U +- z sqrt(Var U) there.
 *
 * <p>Plain functions over a serializable {@link State}; no I/O.
 */
public final class EDetector {

  /** Shifts, in standard units of one datapoint, the normal mixture spreads its weight over. */
  static final double[] SHIFTS = {0.25, 0.5, 1, 2, 4, 8, 16};

  /**
   * The mixture's weight per shift (sum 1): more on the small ones, where a datapoint says little
   * and every nat counts; a large shift gains tens of nats per datapoint and pays log 20 = 3.0 for
   * its weight at most. Heavier weights on small shifts raised the false alarms of one-sample AR(1)
   * series, whose variance is a plug-in (docs/adr/0031).
   */
  static final double[] SHIFT_WEIGHTS = {0.2, 0.2, 0.2, 0.15, 0.1, 0.1, 0.05};

  /** {@link #SHIFT_WEIGHTS} as logs. */
  private static final double[] LOG_SHIFT_WEIGHTS =
      Arrays.stream(SHIFT_WEIGHTS).map(Math::log).toArray();

  /** Excess fractions p1 = p0 + f (1 - p0) of the count mixture. */
  static final double[] EXCESS = {0.005, 0.01, 0.02, 0.05, 0.2, 0.9};

  /**
   * Odds ratios of the exact count e-value of a rate ({@link #updateRate}): the experimental
   * group's errors in one window against the edge of the hypothesis (docs/adr/0026).
   */
  static final double[] ODDS_RATIOS = {1.5, 2, 3, 5, 8, 13, 21, 34};

  /** Share of a rate's e-process on the exact count evidence (the rest on the pooled one). */
  static final double COUNT_WEIGHT = 0.2;

  /** Standard errors above the control's rate at which the count evidence sets its null. */
  static final double COUNT_BOUND_Z = 2.0;

  /** Odds ratio of the shift the control's own CUSUM looks for (docs/adr/0026). */
  static final double CONTROL_SHIFT_ODDS = 2.0;

  /** Nats at which the control's CUSUM forgets the control windows before its segment. */
  static final double CONTROL_SHIFT_NATS = 5.0;

  /**
   * Nats of the control's own CUSUM above which a rate's alarm is withheld: the control is itself
   * rising, so the experimental group's rise may be a shared cause (docs/adr/0026).
   */
  static final double CONTROL_GUARD_NATS = 1.5;

  /**
   * Share of a statistic on the e-process anchored at the attack's start, when the caller knows it
   * ({@link #anchorNext}; docs/adr/0037): the rest stays on the Shiryaev–Roberts sum over every
   * candidate, so a fault that begins later is still found.
   */
  static final double ANCHOR_WEIGHT = 0.5;

  /** Datapoints the guarantee covers when the experiment's length is unknown (ARL form). */
  public static final long DEFAULT_HORIZON = 720;

  /** Candidate change points kept whatever their age. */
  static final int RECENT = 32;

  /** Older candidates kept per doubling of their age (a geometric thinning). */
  static final int PER_OCTAVE = 8;

  /**
   * {@link State#anchor} while the attack's start is awaited ({@link #anchorPending}): the anchored
   * e-process is 1 (its candidate has not come) until {@link #anchorNext} or {@link #anchorSince}.
   */
  public static final long PENDING = Long.MAX_VALUE;

  /**
   * Everything carried from one datapoint to the next (public fields; a new one needs its line in
   * the analyzer's StateSerde).
   */
  public static final class State {
    /** Datapoints judged since the detector began. */
    public long points;

    /** Counts, per side and component: log Shiryaev–Roberts, log CUSUM and the segment's start. */
    public double[] logR;

    public double[] logM;
    public long[] start;

    /** Counts, per component since its segment's start: sum of differences, of variances, n. */
    public double[] sumD;

    public double[] sumV;
    public double[] count;

    /** Normal: warm-up datapoints were given, so the level is unknown and compared with them. */
    public boolean primed;

    /**
     * Rates ({@link #updateRate}): the level is the control group's, over every datapoint; the
     * level sums are the control's and the candidates' the experimental group's from k on.
     */
    public boolean twoGroups;

    /**
     * Rates: the control's errors and requests the level holds (every window since the last
     * forgotten shift of the control), and the precision of one control request.
     */
    public double controlErrors;

    public double controlRequests;
    public double requestPrecision;

    /** Rates: the control's CUSUM per side (rise, fall) and its segment's errors and requests. */
    public double[] controlCusum;

    public double[] segmentErrors;
    public double[] segmentRequests;

    /** Rates: control shifts forgotten so far (for reports and tests). */
    public long controlShifts;

    /** Normal: the unit of the shift grid, the warm-up's typical datapoint standard deviation. */
    public double sigma;

    /** Normal: the previous datapoint's difference (the AR(1) chain; NaN = none). */
    public double previousD = Double.NaN;

    /** Normal, over every datapoint: sum of p a^2 and of p a w (the level's regressor a). */
    public double levelInfo;

    public double levelScore;

    /** The same sums over the warm-up alone, restored by {@link #reset}. */
    public double primedInfo;

    public double primedScore;

    /** Normal, per kept candidate k: its datapoint number and the caller's time of it. */
    public long[] candidate = new long[0];

    public long[] candidateAt = new long[0];

    /** Per candidate, over datapoints from k on: sum of p a b, of p b^2, of p b w. */
    public double[] cross = new double[0];

    public double[] info = new double[0];
    public double[] score = new double[0];

    /**
     * The anchored candidate's datapoint number (the attack's start, docs/adr/0037); 0 = none
     * known, -1 = spent (the detector was reset after a deviation), {@link #PENDING} = awaited.
     */
    public long anchor;

    /**
     * Rates: the control's precision-weighted sums since the anchor, the level the anchored
     * candidate is compared with (a cause shared by both groups since the attack is no evidence).
     */
    public double anchorLevelInfo;

    public double anchorLevelScore;

    /** The candidate with the most evidence at the last datapoint (never thinned away). */
    public long best;

    /**
     * Rates: the control's precision-weighted sums over every window (never forgotten), and per
     * candidate their value before its window, so an anchor set later ({@link #anchorSince}) finds
     * the control since its candidate (docs/adr/0042). NaN for a candidate of an older state.
     */
    public double controlInfoTotal;

    public double controlScoreTotal;
    public double[] controlInfoBefore = new double[0];
    public double[] controlScoreBefore = new double[0];

    /**
     * Normal, only while the scale is left unknown ({@link #scaleFree}; docs/adr/0113): sum of p
     * d^2 and the number of datapoints over every datapoint, and the same over the warm-up alone.
     */
    public double levelSquares;

    public double levelCount;
    public double primedSquares;
    public double primedCount;
  }

  /**
   * What one datapoint says.
   *
   * @param logStatistic log of the averaged Shiryaev–Roberts statistic
   * @param threshold log c
   * @param pValue horizon / R (capped at 1): below alpha exactly when the detector alarms (a rate's
   *     alarm of pooled evidence may be withheld while the control itself moves)
   * @param changePoint the time (the caller's {@code at}) of the datapoint at which the strongest
   *     CUSUM's segment began: the estimated start of the deviation
   * @param effect mean difference since the change point (the caller's scale)
   * @param low lower end of its interval
   * @param high upper end
   */
  public record Step(
      boolean alarm,
      double logStatistic,
      double threshold,
      double pValue,
      long changePoint,
      double effect,
      double low,
      double high) {}

  private final Direction direction;
  private final double alpha;
  private final long horizon;
  private final double theta0;
  private final double phi;
  private final double z;
  private double anchorWeight = ANCHOR_WEIGHT;
  private double scaleFactor;
  private boolean scaleWithPlugIn = true;

  /**
   * @param alpha the false-alarm bound over {@code horizon} datapoints
   * @param horizon planned number of judged datapoints (e.g. the experiment's length over the
   *     window); {@link #DEFAULT_HORIZON} when unknown
   * @param theta0 tolerated difference from the expected level, in the caller's scale (for counts:
   *     ignored, the caller passes p0 with the tolerance in it)
   * @param phi lag-1 autocorrelation of the datapoints' differences (0 = independent)
   * @param confidence of the effect's interval, e.g. 0.95
   */
  public EDetector(
      Direction direction,
      double alpha,
      long horizon,
      double theta0,
      double phi,
      double confidence) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha " + alpha + ": must be between 0 and 1");
    }
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon " + horizon + ": must be at least 1");
    }
    if (!(phi >= 0 && phi < 1)) {
      throw new IllegalArgumentException("phi " + phi + ": must be in [0, 1)");
    }
    this.direction = direction;
    this.alpha = alpha;
    this.horizon = horizon;
    this.theta0 = Math.abs(theta0);
    this.phi = phi;
    this.z = StandardNormal.twoSidedZ(confidence);
  }

  /**
   * The anchored e-process's share of the statistic (0 = {@link #ANCHOR_WEIGHT}; docs/adr/0066
   * measured 0.67 and 0.75).
   */
  public EDetector anchored(double weight) {
    if (!(weight == 0 || (weight > 0 && weight < 1))) {
      throw new IllegalArgumentException(
          "anchor weight "
              + weight
              + ": must be 0 (the default "
              + ANCHOR_WEIGHT
              + ") or in (0, 1)");
    }
    this.anchorWeight = weight == 0 ? ANCHOR_WEIGHT : weight;
    return this;
  }

  /**
   * Leaves the datapoints' scale unknown (docs/adr/0113): their variances v are taken as known only
   * up to one common unknown multiple c^2, learned from every datapoint (the warm-up's and the
   * judged ones, each side of a candidate about its own mean), and each candidate's contrast is
   * judged by the likelihood ratio of its t statistic (a noncentral over a central t at the
   * candidate's shift in standard units): exact for independent normal datapoints whatever c.
   * {@code longRunFactor} (at least 1) multiplies the contrast's variance, as autocorrelated
   * datapoints' is larger than their spread shows; 0 = off. Only for a primed one-group detector;
   * the prime must be given with it on too. With phi the sums are the prewhitened ones (the
   * innovations' generalised least squares), so the factor pays only what the AR(1) does not
   * (docs/adr/0118). Each candidate's e-value is the average of that t-type one and the plug-in's
   * (the variances taken as known, as off), so the plug-in must be valid too (docs/adr/0114): a
   * change that inflates the learned scale (a ramp) keeps half the plug-in's evidence. {@link
   * #scaleFreeAlone} judges by the t-type one only, for datapoints whose variances are weights
   * only.
   */
  public EDetector scaleFree(double longRunFactor) {
    return scaleFree(longRunFactor, true);
  }

  /**
   * {@link #scaleFree} without the plug-in's half: for datapoints whose variances carry no bound
   * and serve as weights only, where the plug-in would not be valid (docs/adr/0118's pooled track).
   */
  public EDetector scaleFreeAlone(double longRunFactor) {
    return scaleFree(longRunFactor, false);
  }

  private EDetector scaleFree(double longRunFactor, boolean withPlugIn) {
    if (!(longRunFactor == 0 || longRunFactor >= 1)) {
      throw new IllegalArgumentException(
          "long-run factor " + longRunFactor + ": must be 0 (off) or at least 1");
    }
    this.scaleFactor = longRunFactor;
    this.scaleWithPlugIn = withPlugIn;
    return this;
  }

  public double threshold() {
    return Math.log(horizon / alpha);
  }

  public double theta0() {
    return theta0;
  }

  /**
   * Gives the warm-up's datapoints (differences d, variances v): the pre-change level is then
   * unknown and every later difference is compared with these and with the judged datapoints before
   * a candidate change point. Without it the level is taken as 0 in the caller's scale.
   */
  public void prime(State state, double[] d, double[] v) {
    double sumV = 0;
    for (int i = 0; i < d.length; i++) {
      double var = Math.max(v[i], 1e-300);
      sumV += var;
      double[] point = innovation(state, d[i], var);
      state.levelInfo += point[2] * point[0] * point[0];
      state.levelScore += point[2] * point[0] * point[1];
      if (scaleFactor > 0) {
        state.levelSquares += point[2] * point[1] * point[1];
        state.levelCount++;
      }
      state.previousD = d[i];
    }
    if (d.length > 0) {
      state.primed = true;
      state.sigma = Math.sqrt(sumV / d.length);
    }
    state.primedInfo = state.levelInfo;
    state.primedScore = state.levelScore;
    state.primedSquares = state.levelSquares;
    state.primedCount = state.levelCount;
  }

  /** {a, w, p}: the level's regressor, the prewhitened difference and its precision. */
  private double[] innovation(State state, double d, double v) {
    if (Double.isNaN(state.previousD) || phi == 0) {
      return new double[] {1.0, d, 1.0 / v};
    }
    return new double[] {1 - phi, d - phi * state.previousD, 1.0 / (v * (1 - phi * phi))};
  }

  /**
   * One datapoint of a continuous metric at time {@code at}: difference d (experimental minus
   * expected, the caller's scale), its variance v.
   */
  public Step updateNormal(State state, long at, double d, double v) {
    double var = Math.max(v, 1e-300);
    if (state.sigma <= 0) {
      state.sigma = Math.sqrt(var);
    }
    boolean chained = !Double.isNaN(state.previousD) && phi > 0;
    double[] point = innovation(state, d, var);
    double a = point[0];
    double w = point[1];
    double p = point[2];
    // a shift from k on: 1 at k, (1 - phi) after it in innovation space
    double b = chained ? 1 - phi : 1.0;
    int n = state.candidate.length;
    for (int i = 0; i < n; i++) {
      state.cross[i] += p * a * b;
      state.info[i] += p * b * b;
      state.score[i] += p * b * w;
    }
    state.points++;
    state.candidate = append(state.candidate, state.points);
    state.candidateAt = append(state.candidateAt, at);
    state.cross = append(state.cross, p * a);
    state.info = append(state.info, p);
    state.score = append(state.score, p * w);
    state.levelInfo += p * a * a;
    state.levelScore += p * a * w;
    if (scaleFactor > 0) {
      state.levelSquares += p * w * w;
      state.levelCount++;
    }
    state.previousD = d;
    thin(state);
    return judge(state, at, d, var, Double.NaN);
  }

  /**
   * The generalised Shiryaev–Roberts statistic over the kept candidates after an update; with
   * {@code logCount} (not NaN) averaged with the count e-process, weights 1 - {@link #COUNT_WEIGHT}
   * and {@link #COUNT_WEIGHT}.
   */
  private Step judge(State state, long at, double d, double var, double logCount) {
    int sides = (watches(0) ? 1 : 0) + (watches(1) ? 1 : 0);
    double logR = Double.NEGATIVE_INFINITY;
    // the anchored e-process is 1 until its candidate arrives
    double logAnchor = state.anchor > state.points ? 0.0 : Double.NEGATIVE_INFINITY;
    double best = Double.NEGATIVE_INFINITY;
    double bestShift = d;
    double bestInfo = 1.0 / var;
    long bestAt = at;
    for (int i = 0; i < state.candidate.length; i++) {
      double[] contrast = contrast(state, i);
      double info = contrast[0];
      double score = contrast[1];
      double logK = mixture(state, score, info, sides);
      logR = logAddExp(logR, logK);
      if (state.candidate[i] == state.anchor) {
        logAnchor = logK;
      }
      if (logK > best && info > 0) {
        best = logK;
        state.best = state.candidate[i];
        bestShift = score / info;
        bestInfo = info;
        bestAt = state.candidateAt[i];
      }
    }
    if (state.anchor > 0) {
      // w n Lambda_anchor + (1 - w) R: with R + n - t dominated by a martingale, (w n Lambda +
      // (1 - w)(R + n - t)) / n is a nonnegative supermartingale from 1 up to n, so the threshold
      // n / alpha keeps its bound (docs/adr/0037)
      logR =
          logAddExp(
              Math.log1p(-anchorWeight) + logR,
              Math.log(anchorWeight) + Math.log(horizon) + logAnchor);
    }
    if (!Double.isNaN(logCount)) {
      logR = logAddExp(Math.log1p(-COUNT_WEIGHT) + logR, Math.log(COUNT_WEIGHT) + logCount);
    }
    double threshold = threshold();
    double pValue = Math.min(1.0, Math.exp(Math.log(horizon) - logR));
    double se = 1 / Math.sqrt(bestInfo);
    return new Step(
        logR >= threshold,
        logR,
        threshold,
        pValue,
        bestAt,
        bestShift,
        bestShift - z * se,
        bestShift + z * se);
  }

  /**
   * Candidate i's contrast {I_k, S_k}: its information and score beyond the level, so that U = S /
   * I and the likelihood ratio of a shift lambda is exp(lambda (S - theta0 I) - lambda^2 I / 2).
   */
  private static double[] contrast(State state, int i) {
    double info = state.info[i];
    double score = state.score[i];
    if (state.twoGroups) {
      // experimental from k on against the control's level: Var U = 1/A_Q + 1/A_C; the anchored
      // candidate against the control over the same windows
      boolean sinceAnchor = state.candidate[i] == state.anchor && state.anchorLevelInfo > 0;
      double levelInfo = sinceAnchor ? state.anchorLevelInfo : state.levelInfo;
      double levelScore = sinceAnchor ? state.anchorLevelScore : state.levelScore;
      double q = info;
      double mean = score / q;
      info = q * levelInfo / (q + levelInfo);
      score = info * (mean - levelScore / levelInfo);
    } else if (state.primed) {
      // the unknown level profiled out exactly: the contrast orthogonal to the level regressor
      info -= state.cross[i] * state.cross[i] / state.levelInfo;
      score -= state.cross[i] / state.levelInfo * state.levelScore;
    }
    return new double[] {Math.max(info, 0.0), score};
  }

  /**
   * Log of the weighted mixture over {@link #SHIFTS} of one contrast, averaged over the sides; with
   * the scale unknown, the average of the t statistic's mixture and the plug-in's (docs/adr/0114):
   * an average of two e-processes is one, and it keeps at least half the plug-in's evidence where
   * the t statistic's scale is inflated by the change itself (a ramp's own spread).
   */
  private double mixture(State state, double score, double info, int sides) {
    if (!scaleUnknown(state) || info <= 0) {
      return normalMixture(state, score, info, sides);
    }
    double t = tMixture(state, score, info, sides);
    return scaleWithPlugIn ? logAddExp(t, normalMixture(state, score, info, sides)) - LOG_2 : t;
  }

  private static final double LOG_2 = Math.log(2);

  /** {@link #mixture} with the datapoints' variances taken as known (the plug-in's). */
  private double normalMixture(State state, double score, double info, int sides) {
    double logK = Double.NEGATIVE_INFINITY;
    for (int side = 0; side < 2; side++) {
      if (!watches(side)) {
        continue;
      }
      double excess = (side == 0 ? score : -score) - theta0 * info;
      for (int j = 0; j < SHIFTS.length; j++) {
        double lambda = SHIFTS[j] * state.sigma;
        logK = logAddExp(logK, LOG_SHIFT_WEIGHTS[j] + lambda * excess - lambda * lambda * info / 2);
      }
    }
    return logK - Math.log(sides);
  }

  /**
   * {@link #scaleFree} is on and the state has what it needs: a one-group level primed with the
   * scale's sums (a state primed without them has sums of the judged datapoints alone).
   */
  private boolean scaleUnknown(State state) {
    return scaleFactor > 0
        && state.primed
        && state.primedCount > 0
        && !state.twoGroups
        && state.levelCount >= 4
        && state.levelInfo > 0;
  }

  /**
   * {@link #mixture} with the scale unknown: the pooled within-sides sum of squares (the whole
   * level's less the contrast's share) over nu = n - 2 estimates c^2, and each shift's normal
   * likelihood ratio becomes the t statistic's ({@link #logTRatio}).
   */
  private double tMixture(State state, double score, double info, int sides) {
    double total = state.levelSquares - state.levelScore * state.levelScore / state.levelInfo;
    double within = total - score * score / info;
    double nu = state.levelCount - 2;
    double scale = Math.max(within, 1e-300) / nu * scaleFactor;
    double logK = Double.NEGATIVE_INFINITY;
    for (int side = 0; side < 2; side++) {
      if (!watches(side)) {
        continue;
      }
      double excess = (side == 0 ? score : -score) - theta0 * info;
      double t = excess / Math.sqrt(info * scale);
      double logCentral = logScaleIntegral(0.0, t, nu);
      for (int j = 0; j < SHIFTS.length; j++) {
        double eta = SHIFTS[j] * state.sigma * Math.sqrt(info);
        logK = logAddExp(logK, LOG_SHIFT_WEIGHTS[j] + logTRatio(eta, t, nu, logCentral));
      }
    }
    return logK - Math.log(sides);
  }

  /**
   * Log of the noncentral t density (noncentrality eta, nu degrees of freedom) over the central one
   * at t: exp(eta t s / sqrt(nu) - eta^2 / 2) averaged over s^2 ~ Gamma((nu + 1) / 2, rate (1 + t^2
   * / nu) / 2), the normal likelihood ratio at the scale's posterior under the null; tends to eta t
   * - eta^2 / 2 as nu grows. {@code logCentral} is {@link #logScaleIntegral} at eta 0.
   */
  static double logTRatio(double eta, double t, double nu, double logCentral) {
    return logScaleIntegral(eta, t, nu) - logCentral - eta * eta / 2;
  }

  /** Standard deviations of the integrand each side of its mode that the rule covers. */
  private static final int NODES = 8;

  /**
   * log of the integral over s > 0 of exp(nu log s - r s^2 + a s), r = (1 + t^2 / nu) / 2, a = eta
   * t / sqrt(nu): a trapezoid rule of step half a standard deviation about the mode, where the
   * integrand is nearly normal (the rule's error is below e^-30 for a normal one).
   */
  static double logScaleIntegral(double eta, double t, double nu) {
    double r = (1 + t * t / nu) / 2;
    double a = eta * t / Math.sqrt(nu);
    double mode = (a + Math.sqrt(a * a + 8 * r * nu)) / (4 * r);
    double h = 1 / Math.sqrt(nu / (mode * mode) + 2 * r);
    double step = h / 2;
    double top = nu * Math.log(mode) - r * mode * mode + a * mode;
    double sum = 0;
    for (int i = -2 * NODES; i <= 2 * NODES; i++) {
      double s = mode + i * step;
      if (s <= 0) {
        continue;
      }
      sum += Math.exp(nu * Math.log(s) - r * s * s + a * s - top);
    }
    return top + Math.log(sum * step);
  }

  /**
   * Log of the anchored e-process Lambda of a continuous metric at the last datapoint: 0 (it is 1)
   * before its candidate arrives, NaN without an anchor or once it was spent or thinned away.
   */
  public double logAnchored(State state) {
    if (state.anchor <= 0) {
      return Double.NaN;
    }
    if (state.anchor > state.points) {
      return 0.0;
    }
    int sides = (watches(0) ? 1 : 0) + (watches(1) ? 1 : 0);
    for (int i = 0; i < state.candidate.length; i++) {
      if (state.candidate[i] == state.anchor) {
        double[] contrast = contrast(state, i);
        return mixture(state, contrast[1], contrast[0], sides);
      }
    }
    return Double.NaN;
  }

  /**
   * Gives the control group's warm-up windows of a rate (errors and requests per window; {@code
   * variance} the Bernoulli variance of one request): the detector then compares the experimental
   * group's rate from each candidate change point on with the control's over every window since the
   * control last shifted (docs/adr/0020, 0026).
   */
  public void primeControl(State state, double[] errors, double[] requests, double variance) {
    state.requestPrecision = 1 / Math.max(variance, 1e-6);
    state.sigma = 0;
    for (int i = 0; i < errors.length; i++) {
      double n = Math.max(1.0, requests[i]);
      state.levelInfo += n * state.requestPrecision;
      state.levelScore += errors[i] * state.requestPrecision;
      state.controlErrors += errors[i];
      state.controlRequests += requests[i];
      state.sigma = Math.max(state.sigma, Math.sqrt(1 / (n * state.requestPrecision)));
    }
    state.twoGroups = true;
    state.primed = errors.length > 0;
    state.primedInfo = state.levelInfo;
    state.primedScore = state.levelScore;
  }

  /**
   * One window of a rate at time {@code at}. Two kinds of evidence, averaged (docs/adr/0026):
   *
   * <ul>
   *   <li>pooled since each candidate change point (docs/adr/0020): the experimental group's rate e
   *       with variance ve (the caller clips it), U_k = mean_Q(e) - the control's rate over its
   *       level windows, Var U = 1/A_Q + 1/A_C;
   *   <li>exact, per window: the binomial likelihood ratio of the experimental group's errors
   *       against p0 = the control's rate + {@link #COUNT_BOUND_Z} standard errors + theta0, mixed
   *       over {@link #ODDS_RATIOS}, in a Shiryaev–Roberts recursion: no clipping, as the count is
   *       exact, so an outage alarms in its first window.
   * </ul>
   *
   * The control's level is every control window since its own CUSUM last found a shift in a watched
   * direction: a rise in both groups (a shared cause) is no deviation.
   */
  public Step updateRate(State state, long at, double e, double ve, RateWindow window) {
    double pe = 1 / Math.max(ve, 1e-300);
    state.twoGroups = true;
    if (state.requestPrecision <= 0) {
      // a state stored before docs/adr/0026: its level is the control's rate so far
      state.requestPrecision = 1 / Math.max(window.variance(), 1e-6);
      state.controlRequests = state.levelInfo / state.requestPrecision;
      state.controlErrors = state.levelScore / state.requestPrecision;
    }
    if (state.sigma <= 0) {
      state.sigma = Math.sqrt(1 / pe);
    }
    for (int i = 0; i < state.candidate.length; i++) {
      state.info[i] += pe;
      state.score[i] += pe * e;
    }
    if (state.controlInfoBefore.length != state.candidate.length) {
      // a state stored before docs/adr/0042: its candidates' control sums are unknown
      state.controlInfoBefore = nans(state.candidate.length);
      state.controlScoreBefore = nans(state.candidate.length);
    }
    state.points++;
    state.candidate = append(state.candidate, state.points);
    state.candidateAt = append(state.candidateAt, at);
    state.cross = append(state.cross, 0.0);
    state.info = append(state.info, pe);
    state.score = append(state.score, pe * e);
    state.controlInfoBefore = append(state.controlInfoBefore, state.controlInfoTotal);
    state.controlScoreBefore = append(state.controlScoreBefore, state.controlScoreTotal);
    state.controlInfoTotal += Math.max(1.0, window.requestsC()) * state.requestPrecision;
    state.controlScoreTotal += window.errorsC() * state.requestPrecision;
    if (!forgetControlBeforeAShift(state, window.errorsC(), window.requestsC())) {
      addControl(state, window.errorsC(), window.requestsC());
    }
    if (state.anchor > 0 && state.points >= state.anchor) {
      state.anchorLevelInfo += Math.max(1.0, window.requestsC()) * state.requestPrecision;
      state.anchorLevelScore += window.errorsC() * state.requestPrecision;
    }
    thin(state);
    double logCount =
        countEvidence(
            state, window.errorsE(), window.requestsE(), window.errorsC(), window.requestsC());
    Step step = judge(state, at, e - state.levelScore / state.levelInfo, 1 / pe, logCount);
    boolean countAlone = Math.log(COUNT_WEIGHT) + logCount >= threshold();
    if (step.alarm() && !countAlone && controlRising(state)) {
      return new Step(
          false,
          step.logStatistic(),
          step.threshold(),
          step.pValue(),
          step.changePoint(),
          step.effect(),
          step.low(),
          step.high());
    }
    return step;
  }

  /** The control's own CUSUM is above {@link #CONTROL_GUARD_NATS} on a watched side. */
  private boolean controlRising(State state) {
    for (int side = 0; side < 2; side++) {
      if (watches(side) && state.controlCusum[side] > CONTROL_GUARD_NATS) {
        return true;
      }
    }
    return false;
  }

  /**
   * One window of a rate, both groups.
   *
   * @param variance the Bernoulli variance of one control request (the level's precision)
   */
  public record RateWindow(
      double errorsE, double requestsE, double errorsC, double requestsC, double variance) {}

  private static void addControl(State state, double errors, double requests) {
    state.levelInfo += Math.max(1.0, requests) * state.requestPrecision;
    state.levelScore += errors * state.requestPrecision;
    state.controlErrors += errors;
    state.controlRequests += requests;
  }

  /**
   * The control's own CUSUM (a binomial likelihood ratio of odds x{@link #CONTROL_SHIFT_ODDS} per
   * watched side against its level): at {@link #CONTROL_SHIFT_NATS} the control windows before the
   * CUSUM's segment are forgotten and the level is the segment's. Returns whether it forgot (the
   * window is then in the level already).
   */
  private boolean forgetControlBeforeAShift(State state, double errors, double requests) {
    if (state.controlCusum == null) {
      state.controlCusum = new double[2];
      state.segmentErrors = new double[2];
      state.segmentRequests = new double[2];
    }
    double x = Math.max(0.0, Math.min(errors, requests));
    double n = Math.max(0.0, requests);
    double p = (state.controlErrors + 0.5) / (state.controlRequests + 1);
    for (int side = 0; side < 2; side++) {
      if (!watches(side) || n == 0) {
        continue;
      }
      double p1 = withOdds(p, side == 0 ? CONTROL_SHIFT_ODDS : 1 / CONTROL_SHIFT_ODDS);
      double step = x * Math.log(p1 / p) + (n - x) * (Math.log1p(-p1) - Math.log1p(-p));
      if (state.controlCusum[side] <= 0) {
        state.segmentErrors[side] = 0;
        state.segmentRequests[side] = 0;
      }
      state.controlCusum[side] = Math.max(0.0, state.controlCusum[side] + step);
      state.segmentErrors[side] += x;
      state.segmentRequests[side] += n;
      if (state.controlCusum[side] >= CONTROL_SHIFT_NATS) {
        double segmentErrors = state.segmentErrors[side];
        double segmentRequests = state.segmentRequests[side];
        state.levelInfo = 0;
        state.levelScore = 0;
        state.controlErrors = 0;
        state.controlRequests = 0;
        addControl(state, segmentErrors, segmentRequests);
        Arrays.fill(state.controlCusum, 0.0);
        state.controlShifts++;
        return true;
      }
    }
    return false;
  }

  /** The rate whose odds are {@code ratio} times those of p. */
  static double withOdds(double p, double ratio) {
    double odds = p / (1 - p) * ratio;
    return odds / (1 + odds);
  }

  /**
   * The exact count evidence of one window: per odds ratio and watched side a Shiryaev–Roberts
   * recursion of the binomial likelihood ratio against the edge of the hypothesis; the log of their
   * average. The edge is the control level's rate + {@link #COUNT_BOUND_Z} standard errors +
   * theta0, or the control's rate in this very window + theta0 when that is further out (a shared
   * cause: the window's own control moves with it).
   */
  private double countEvidence(
      State state, double errors, double requests, double errorsC, double requestsC) {
    int k = ODDS_RATIOS.length;
    ensure(state, k);
    double x = Math.max(0.0, Math.min(errors, requests));
    double n = Math.max(0.0, requests);
    double p = (state.controlErrors + 1) / (state.controlRequests + 2);
    double bound = COUNT_BOUND_Z * Math.sqrt(p * (1 - p) / (state.controlRequests + 2));
    double now = requestsC > 0 ? Math.max(0.0, Math.min(1.0, errorsC / requestsC)) : p;
    double high = Math.min(0.999, Math.max(p + bound, now) + theta0);
    double low = Math.min(p - bound, now) - theta0;
    int components = 0;
    for (int i = 0; i < 2 * k; i++) {
      int side = i < k ? 0 : 1;
      if (!watches(side)) {
        continue;
      }
      components++;
      double p0 = side == 0 ? high : low;
      double logE;
      if (p0 <= 0) {
        logE = Double.NEGATIVE_INFINITY; // no fall below 0: no evidence
      } else {
        double ratio = side == 0 ? ODDS_RATIOS[i] : 1 / ODDS_RATIOS[i - k];
        double p1 = withOdds(p0, ratio);
        logE = x * Math.log(p1 / p0) + (n - x) * (Math.log1p(-p1) - Math.log1p(-p0));
      }
      state.logR[i] = logAddExp(state.logR[i], 0.0) + logE;
    }
    return logMeanExp(state.logR, components);
  }

  /**
   * Keeps the latest {@link #RECENT} candidates and, older, those whose number is a multiple of a
   * step that doubles with each doubling of age ({@link #PER_OCTAVE} per octave): state of O(log
   * t). Any subset of candidates keeps the false-alarm bound (R only gets smaller).
   */
  static void thin(State state) {
    int n = state.candidate.length;
    boolean rateSums = state.controlInfoBefore.length == n;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      long age = state.points - state.candidate[i];
      boolean keep =
          age < RECENT
              || state.candidate[i] % Long.highestOneBit(age * PER_OCTAVE / RECENT) == 0
              || state.candidate[i] == state.anchor
              || state.candidate[i] == state.best;
      if (keep) {
        state.candidate[kept] = state.candidate[i];
        state.candidateAt[kept] = state.candidateAt[i];
        state.cross[kept] = state.cross[i];
        state.info[kept] = state.info[i];
        state.score[kept] = state.score[i];
        if (rateSums) {
          state.controlInfoBefore[kept] = state.controlInfoBefore[i];
          state.controlScoreBefore[kept] = state.controlScoreBefore[i];
        }
        kept++;
      }
    }
    if (kept < n) {
      state.candidate = Arrays.copyOf(state.candidate, kept);
      state.candidateAt = Arrays.copyOf(state.candidateAt, kept);
      state.cross = Arrays.copyOf(state.cross, kept);
      state.info = Arrays.copyOf(state.info, kept);
      state.score = Arrays.copyOf(state.score, kept);
      if (rateSums) {
        state.controlInfoBefore = Arrays.copyOf(state.controlInfoBefore, kept);
        state.controlScoreBefore = Arrays.copyOf(state.controlScoreBefore, kept);
      }
    }
  }

  private static long[] append(long[] values, long value) {
    long[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = value;
    return out;
  }

  private static double[] nans(int n) {
    double[] out = new double[n];
    Arrays.fill(out, Double.NaN);
    return out;
  }

  private static double[] append(double[] values, double value) {
    double[] out = Arrays.copyOf(values, values.length + 1);
    out[values.length] = value;
    return out;
  }

  /**
   * One datapoint of a count at time {@code at}: {@code events} of {@code trials} in the
   * experimental group; {@code p0High} is the highest rate it may have (watched for a rise), {@code
   * p0Low} the lowest (for a fall).
   */
  public Step updateCounts(
      State state,
      long at,
      double events,
      double trials,
      double p0High,
      double p0Low,
      double expected) {
    int k = EXCESS.length;
    ensure(state, k);
    double x = Math.max(0.0, Math.min(events, trials));
    double n = Math.max(0.0, trials);
    double up0 = Math.min(0.999, Math.max(1e-6, p0High));
    double down0 = Math.min(0.999, p0Low);
    double[] logE = new double[2 * k];
    for (int i = 0; i < k; i++) {
      double f = EXCESS[i];
      if (watches(0)) {
        double p1 = up0 + f * (1 - up0);
        logE[i] = x * Math.log(p1 / up0) + (n - x) * (Math.log1p(-p1) - Math.log1p(-up0));
      } else {
        logE[i] = Double.NEGATIVE_INFINITY;
      }
      if (watches(1) && down0 > 1e-6) {
        double q1 = down0 * (1 - f);
        logE[k + i] = x * Math.log(q1 / down0) + (n - x) * (Math.log1p(-q1) - Math.log1p(-down0));
      } else {
        logE[k + i] = Double.NEGATIVE_INFINITY;
      }
    }
    double rate = n > 0 ? x / n : expected;
    double p = Math.min(0.999, Math.max(1e-4, expected));
    return step(state, at, logE, rate - expected, p * (1 - p) / Math.max(1.0, n));
  }

  private boolean watches(int side) {
    return side == 0 ? direction != Direction.DECREASE : direction != Direction.INCREASE;
  }

  private static void ensure(State state, int k) {
    if (state.logR == null || state.logR.length != 2 * k) {
      state.logR = new double[2 * k];
      state.logM = new double[2 * k];
      state.start = new long[2 * k];
      state.sumD = new double[2 * k];
      state.sumV = new double[2 * k];
      state.count = new double[2 * k];
      Arrays.fill(state.logR, Double.NEGATIVE_INFINITY);
    }
  }

  private Step step(State state, long at, double[] logE, double d, double v) {
    state.points++;
    int components = 0;
    double best = Double.NEGATIVE_INFINITY;
    int bestAt = -1;
    for (int i = 0; i < logE.length; i++) {
      if (logE[i] == Double.NEGATIVE_INFINITY && !watches(i < logE.length / 2 ? 0 : 1)) {
        continue;
      }
      components++;
      state.logR[i] = logAddExp(state.logR[i], 0.0) + logE[i];
      if (state.logM[i] <= 0 || state.count[i] == 0) {
        state.logM[i] = 0.0;
        state.start[i] = at;
        state.sumD[i] = 0;
        state.sumV[i] = 0;
        state.count[i] = 0;
      }
      state.logM[i] += logE[i];
      state.sumD[i] += d;
      state.sumV[i] += v;
      state.count[i]++;
      if (state.logM[i] > best) {
        best = state.logM[i];
        bestAt = i;
      }
    }
    double logR = logMeanExp(state.logR, components);
    double threshold = threshold();
    boolean alarm = logR >= threshold;
    double pValue = Math.min(1.0, Math.exp(Math.log(horizon) - logR));
    if (bestAt < 0) {
      return new Step(alarm, logR, threshold, pValue, at, d, d, d);
    }
    double n = state.count[bestAt];
    double mean = state.sumD[bestAt] / n;
    // the interval's width: the datapoints' variances, widened by the AR(1) long-run factor
    double se = Math.sqrt(state.sumV[bestAt] * (1 + phi) / (1 - phi)) / n;
    return new Step(
        alarm, logR, threshold, pValue, state.start[bestAt], mean, mean - z * se, mean + z * se);
  }

  /**
   * The next datapoint is where the attack starts (known from the experiment's plan, not from the
   * data): its candidate carries {@link #ANCHOR_WEIGHT} of the statistic as an e-process of its
   * own, which needs log(1 / (w alpha)) instead of log(horizon / alpha) (docs/adr/0037). Once per
   * detector; later calls do nothing.
   */
  public static void anchorNext(State state) {
    if (state.anchor == 0 || state.anchor == PENDING) {
      state.anchor = state.points + 1;
    }
  }

  /**
   * The attack's start is to come (the stream waits for its STARTED event, docs/adr/0042): the
   * anchored e-process is reserved its weight and is 1 until {@link #anchorNext} or {@link
   * #anchorSince} names its candidate. Does nothing once an anchor was set or spent.
   */
  public static void anchorPending(State state) {
    if (state.anchor == 0) {
      state.anchor = PENDING;
    }
  }

  /**
   * Anchors, after the fact, the first datapoint at or after {@code from} (the caller's time, as
   * given to the updates) when it is still a kept candidate and provably the first: its predecessor
   * is kept and earlier (or it is the detector's first). The anchor then holds exactly what it
   * would hold had it been set in time (docs/adr/0042). False (nothing changes) when there is no
   * such candidate yet, when it was thinned away, or when an anchor was already set or spent.
   */
  public static boolean anchorSince(State state, long from) {
    if (state.anchor != 0 && state.anchor != PENDING) {
      return false;
    }
    int n = state.candidate.length;
    int i = 0;
    while (i < n && state.candidateAt[i] < from) {
      i++;
    }
    if (i == n) {
      return false;
    }
    boolean first =
        i == 0 ? state.candidate[0] == 1 : state.candidate[i - 1] == state.candidate[i] - 1;
    if (!first) {
      return false;
    }
    if (state.twoGroups) {
      if (state.controlInfoBefore.length != n || Double.isNaN(state.controlInfoBefore[i])) {
        return false;
      }
      state.anchorLevelInfo = state.controlInfoTotal - state.controlInfoBefore[i];
      state.anchorLevelScore = state.controlScoreTotal - state.controlScoreBefore[i];
    }
    state.anchor = state.candidate[i];
    return true;
  }

  /**
   * Closes the evidence: the metric was judged back within tolerance. The candidates go, and the
   * level is again the warm-up's alone (the deviation's datapoints are no baseline).
   */
  public static void reset(State state) {
    state.logR = null;
    if (state.anchor != 0) {
      state.anchor = -1;
    }
    state.candidate = new long[0];
    state.candidateAt = new long[0];
    state.cross = new double[0];
    state.info = new double[0];
    state.score = new double[0];
    state.controlInfoBefore = new double[0];
    state.controlScoreBefore = new double[0];
    if (!state.twoGroups) {
      // a rate's control windows stay its level: they are no part of the deviation
      state.levelInfo = state.primedInfo;
      state.levelScore = state.primedScore;
      state.levelSquares = state.primedSquares;
      state.levelCount = state.primedCount;
    }
    state.previousD = Double.NaN;
  }

  private static double logAddExp(double a, double b) {
    double max = Math.max(a, b);
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
  }

  private static double logMeanExp(double[] values, int count) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY || count == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double sum = 0;
    for (double v : values) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum / count);
  }
}
