package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns an {@link ExperimentTimeline} into an {@link ExperimentResult}: a pure function, no I/O.
 *
 * <ul>
 *   <li>A window deviates when any metric deviates in it; it is steady when at least one metric was
 *       judged and none deviates.
 *   <li>MTTD of an attack: end of the first deviating window that ends after the attack started
 *       (and no later than the next attack's start), minus the attack's start.
 *   <li>MTTR: from the attack's end, or the first deviating window's start if later, to the start
 *       of the first of {@code q} consecutive steady windows after it.
 * </ul>
 */
public final class ResultCalculator {

  /**
   * @param recoveryWindows q, consecutive steady windows that mean recovered
   * @param confidence confidence level of the end judgement's Mann-Whitney interval (0.98)
   * @param noisyMs an alert that resolves by itself within this time is noisy
   */
  public record Settings(int recoveryWindows, double confidence, long noisyMs) {

    public static final Settings DEFAULTS = new Settings(3, 0.98, 30_000L);

    public Settings withRecoveryWindows(int q) {
      return new Settings(q, confidence, noisyMs);
    }
  }

  private ResultCalculator() {}

  public static ExperimentResult compute(
      String experimentId, ExperimentTimeline timeline, int q, long now) {
    return compute(
        experimentId,
        timeline,
        Settings.DEFAULTS.withRecoveryWindows(q),
        Hypothesis::defaultFor,
        now);
  }

  public static ExperimentResult compute(
      String experimentId,
      ExperimentTimeline timeline,
      Settings settings,
      Function<String, Hypothesis> hypotheses,
      long now) {
    int q = settings.recoveryWindows();
    List<AttackSpan> attacks = new ArrayList<>(timeline.attacks.values());
    attacks.removeIf(a -> !a.started()); // no start to measure MTTD or an outcome from
    attacks.sort(Comparator.comparingLong(a -> a.startedAt));
    List<AttackOutcome> outcomes = new ArrayList<>();
    // loops, not streams: computed per experiment and commit, where a stream's set-up cost more
    // than its work on a few windows (docs/adr/0112)
    long judged = 0;
    for (WindowStatus w : timeline.windows.values()) {
      if (w.isDeviating() || w.isSteady()) {
        judged++;
      }
    }
    for (int i = 0; i < attacks.size(); i++) {
      AttackSpan attack = attacks.get(i);
      long nextStart = i + 1 < attacks.size() ? attacks.get(i + 1).startedAt : Long.MAX_VALUE;
      outcomes.add(outcome(timeline, attack, nextStart, q));
    }

    // an alert that resolves while an attack runs or within q windows after it ends is the
    // attack's doing and its recovery, not noise
    long windowMs = 0;
    for (Map.Entry<Long, WindowStatus> w : timeline.windows.entrySet()) {
      if (w.getValue().end > w.getKey()) {
        windowMs = w.getValue().end - w.getKey();
        break;
      }
    }
    List<long[]> recoveries = recoveries(attacks, q, windowMs);
    List<MetricJudgement> metrics = new ArrayList<>();
    List<Long> allFirings = new ArrayList<>();
    List<String> failedCritical = new ArrayList<>();
    int classified = 0;
    int passed = 0;
    long alertsFired = 0;
    for (Map.Entry<String, ExperimentTimeline.MetricTrack> e : timeline.metrics.entrySet()) {
      var t = e.getValue();
      Hypothesis hypothesis = hypotheses.apply(e.getKey());
      MannWhitney.Judgement end = endJudgement(t, hypothesis, settings.confidence());
      AlertFigures alerts = AlertFigures.of(t.firings, settings.noisyMs(), recoveries);
      for (long[] f : t.firings) {
        allFirings.add(f[0]);
      }
      alertsFired += t.firings.size();
      Classification classification = Classification.valueOf(end.classification().name());
      if (classification != Classification.NODATA) {
        classified++;
        if (classification == Classification.PASS) {
          passed++;
        } else if (hypothesis.critical()) {
          failedCritical.add(e.getKey() + " " + classification);
        }
      }
      metrics.add(
          MetricJudgement.newBuilder()
              .setMetric(e.getKey())
              .setState(t.state)
              .setWindows(t.windows)
              .setDeviatingWindows(t.deviatingWindows)
              .setFirstDeviationAt(t.firstDeviationAt)
              .setLastEffect(t.lastEffect)
              .setClassification(classification)
              .setCritical(hypothesis.critical())
              .setIntervalLow(Double.isNaN(end.lower()) ? null : end.lower())
              .setIntervalHigh(Double.isNaN(end.upper()) ? null : end.upper())
              .setAlertsFired(t.firings.size())
              .setNoisyAlerts(alerts.noisy())
              .setMeanTimeToResolveMs(alerts.meanTimeToResolveMs())
              .setMtbfMs(alerts.mtbfMs())
              .build());
    }
    allFirings.sort(Long::compare);

    List<Long> detected = new ArrayList<>();
    List<Long> recovered = new ArrayList<>();
    for (AttackOutcome o : outcomes) {
      if (o.getMttdMs() != null) {
        detected.add(o.getMttdMs());
      }
      if (o.getMttrMs() != null) {
        recovered.add(o.getMttrMs());
      }
    }
    Verdict verdict =
        timeline.aborted
            ? Verdict.ABORTED
            : !detected.isEmpty() || !failedCritical.isEmpty()
                ? Verdict.DEVIATED
                : judged > 0 ? Verdict.STEADY : Verdict.INCONCLUSIVE;
    String reason = reason(verdict, outcomes, judged);
    if (!failedCritical.isEmpty()) {
      reason += "; critical metric failed the end judgement: " + String.join(", ", failedCritical);
    }
    if (timeline.aborted) {
      reason = "aborted: " + timeline.abortReason + "; " + reason;
    }

    return ExperimentResult.newBuilder()
        .setExperimentId(experimentId)
        .setVerdict(verdict)
        .setUpdatedAt(now)
        .setWindowsJudged(judged)
        .setMetrics(metrics)
        .setAttacks(outcomes)
        .setMttdMs(mean(detected))
        .setMttrMs(mean(recovered))
        .setReason(reason)
        .setScore(classified == 0 ? null : 100.0 * passed / classified)
        .setAborted(timeline.aborted)
        .setAbortReason(timeline.abortReason)
        .setAlertsFired(alertsFired)
        .setMtbfMs(AlertFigures.meanGap(allFirings))
        .build();
  }

  /**
   * The result with its experiment's service, start (the earliest attack's when the experiment does
   * not say) and each metric's SEV level: the declared one, else {@code levels.critical()} for a
   * critical metric and {@code levels.other()} for the rest. The history rollup reads these.
   */
  public static ExperimentResult attribute(
      ExperimentResult result, Experiment experiment, SeverityLevels levels) {
    ExperimentResult copy = ExperimentResult.newBuilder(result).build(); // a deep copy
    attributeInPlace(copy, experiment, levels);
    return copy;
  }

  /**
   * {@link #attribute} on a result no one else holds, as {@link #compute} returns it: the same
   * fields set without copying the result and its lists first (docs/adr/0089).
   */
  static void attributeInPlace(
      ExperimentResult result, Experiment experiment, SeverityLevels levels) {
    Long startedAt = experiment == null ? null : experiment.getStartedAt();
    if (startedAt == null) {
      startedAt =
          result.getAttacks().stream()
              .map(AttackOutcome::getStartedAt)
              .min(Long::compare)
              .orElse(null);
    }
    result.setService(serviceOf(experiment));
    result.setStartedAt(startedAt);
    for (MetricJudgement m : result.getMetrics()) {
      m.setSeverity(severityOf(experiment, m.getMetric(), m.getCritical(), levels));
    }
  }

  /** The experiment's service: {@code service}, else {@code labels.service}, else system. */
  public static String serviceOf(Experiment experiment) {
    String service = experiment == null ? null : experiment.getService();
    if (experiment != null
        && (service == null || service.equals(SeverityLevels.DEFAULT_SERVICE))
        && experiment.getLabels().get("service") != null) {
      service = experiment.getLabels().get("service");
    }
    return service == null || service.isBlank() ? SeverityLevels.DEFAULT_SERVICE : service;
  }

  /** A metric's SEV level: its hypothesis' {@code severity}, else by whether it is critical. */
  public static String severityOf(
      Experiment experiment, String metric, boolean critical, SeverityLevels levels) {
    if (experiment != null) {
      for (MetricHypothesis h : experiment.getHypotheses()) {
        if (h.getMetric().equals(metric) && h.getSeverity() != null) {
          return h.getSeverity();
        }
      }
    }
    return critical ? levels.critical() : levels.other();
  }

  /**
   * SEV levels when the hypothesis names none (config {@code analyzer.sev.critical}, {@code
   * analyzer.sev.other}, {@code analyzer.sev.abort}): a critical metric's deviation, any other
   * metric's, and an abort.
   */
  public record SeverityLevels(String critical, String other, String abort) {

    public static final String DEFAULT_SERVICE = "system";
    public static final SeverityLevels DEFAULTS = new SeverityLevels("SEV1", "SEV2", "SEV1");
  }

  /**
   * Kayenta-style end judgement of one metric over the judged windows: the experimental group's
   * window means against the control group's, mapped through the warm-up baseline (a ratio for
   * relative tolerances, else a difference), with the hypothesis' direction and tolerance.
   */
  static MannWhitney.Judgement endJudgement(
      ExperimentTimeline.MetricTrack t, Hypothesis hypothesis, double confidence) {
    double[] control = values(t.control);
    double[] experimental = values(t.experimental);
    double wc = average(t.warmControl);
    double we = average(t.warmExperimental);
    MetricPolicy policy = hypothesis.policy();
    if (!Double.isNaN(wc) && !Double.isNaN(we)) {
      boolean ratio = !hypothesis.rate() && policy.relativeTolerance() > 0 && wc > 0 && we > 0;
      double scale = ratio ? Math.max(0.25, Math.min(4.0, we / wc)) : 1.0;
      double offset = ratio ? 0.0 : we - wc;
      for (int i = 0; i < control.length; i++) {
        control[i] = control[i] * scale + offset;
      }
    }
    double level = control.length == 0 ? 0.0 : Math.abs(MannWhitney.mean(control));
    double tolerance =
        policy.relativeTolerance() + (level > 0 ? policy.absoluteTolerance() / level : 0.0);
    return MannWhitney.classify(control, experimental, policy.direction(), tolerance, confidence);
  }

  private static double[] values(List<Double> means) {
    double[] out = new double[means.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = means.get(i);
    }
    return out;
  }

  /**
   * The mean, NaN for none; summed by {@link java.util.stream.DoubleStream#average} as before, its
   * compensated sum is not written again here.
   */
  private static double average(List<Double> means) {
    return means.isEmpty() ? Double.NaN : Arrays.stream(values(means)).average().getAsDouble();
  }

  /** Each attack's span in which a resolving alert is its recovery: [start, end + q windows]. */
  static List<long[]> recoveries(Iterable<AttackSpan> attacks, int q, long windowMs) {
    List<long[]> out = new ArrayList<>();
    for (AttackSpan a : attacks) {
      if (!a.started()) {
        continue; // its recovery span would have no start
      }
      out.add(
          new long[] {a.startedAt, a.endedAt == null ? Long.MAX_VALUE : a.endedAt + q * windowMs});
    }
    return out;
  }

  /** Alert figures of one metric from its firings ([firedAt, resolvedAt or -1]). */
  record AlertFigures(long noisy, Long meanTimeToResolveMs, Long mtbfMs) {

    static AlertFigures of(List<long[]> firings, long noisyMs) {
      return of(firings, noisyMs, List.of());
    }

    /**
     * @param recoveries [attack start, attack end + q windows]: an alert resolved within one of
     *     them is not noisy, however short it was
     */
    static AlertFigures of(List<long[]> firings, long noisyMs, List<long[]> recoveries) {
      long noisy = 0;
      List<Long> resolve = new ArrayList<>();
      List<Long> fired = new ArrayList<>();
      for (long[] f : firings) {
        fired.add(f[0]);
        if (f[1] >= 0) {
          resolve.add(f[1] - f[0]);
          long resolvedAt = f[1];
          boolean attackEnded = false;
          for (long[] r : recoveries) {
            if (resolvedAt >= r[0] && resolvedAt <= r[1]) {
              attackEnded = true;
              break;
            }
          }
          if (f[1] - f[0] <= noisyMs && !attackEnded) {
            noisy++;
          }
        }
      }
      return new AlertFigures(noisy, mean(resolve), meanGap(fired));
    }

    /**
     * Mean time between failures: between consecutive distinct firing instants (sorted). Firings at
     * one instant (an attack deviating several metrics in one window) are one failure; null for
     * fewer than two.
     */
    static Long meanGap(List<Long> sortedFirings) {
      if (sortedFirings.size() < 2) {
        return null;
      }
      long failures = new HashSet<>(sortedFirings).size();
      if (failures < 2) {
        return null;
      }
      long span = sortedFirings.get(sortedFirings.size() - 1) - sortedFirings.get(0);
      return Math.round((double) span / (failures - 1));
    }
  }

  static AttackOutcome outcome(
      ExperimentTimeline timeline, AttackSpan attack, long nextStart, int q) {
    AttackOutcome.Builder b =
        AttackOutcome.newBuilder()
            .setAttackId(attack.attackId)
            .setFault(attack.fault)
            .setStartedAt(attack.startedAt)
            .setEndedAt(attack.endedAt);
    WindowStatus first = null;
    long firstStart = 0;
    TreeSet<String> deviatingMetrics = new TreeSet<>();
    for (Map.Entry<Long, WindowStatus> e : timeline.windows.entrySet()) {
      long start = e.getKey();
      WindowStatus w = e.getValue();
      // a window belongs to the attack running when it ended
      if (w.end <= attack.startedAt || w.end > nextStart) {
        continue;
      }
      if (w.isDeviating()) {
        if (first == null) {
          first = w;
          firstStart = start;
        }
        deviatingMetrics.addAll(w.deviating);
      }
    }
    b.setDeviatingMetrics(new ArrayList<>(deviatingMetrics));
    if (first == null) {
      return b.build();
    }
    b.setDetectedAt(first.end).setMttdMs(first.end - attack.startedAt);
    if (attack.endedAt == null) {
      return b.build();
    }
    long from = Math.max(attack.endedAt, firstStart);
    Long recoveredAt = firstSteadyRun(timeline, from, q);
    if (recoveredAt != null) {
      long at = Math.max(recoveredAt, from);
      b.setRecoveredAt(at).setMttrMs(at - from);
    }
    return b.build();
  }

  /** Start of the first run of q adjacent steady windows among those ending after {@code from}. */
  static Long firstSteadyRun(ExperimentTimeline timeline, long from, int q) {
    Long runStart = null;
    long previousEnd = Long.MIN_VALUE;
    int run = 0;
    for (Map.Entry<Long, WindowStatus> e : timeline.windows.tailMap(from - 3_600_000L).entrySet()) {
      long start = e.getKey();
      WindowStatus w = e.getValue();
      if (w.end <= from) {
        continue;
      }
      boolean adjacent = run > 0 && start == previousEnd;
      if (w.isSteady()) {
        if (!adjacent) {
          runStart = start;
          run = 0;
        }
        run++;
        if (run >= q) {
          return runStart;
        }
      } else {
        run = 0;
      }
      previousEnd = w.end;
    }
    return null;
  }

  /** The mean rounded, null for none: the long sum over the count, as LongStream's average. */
  private static Long mean(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return Math.round((double) sum / values.size());
  }

  static String reason(Verdict verdict, List<AttackOutcome> outcomes, long judged) {
    if (verdict == Verdict.INCONCLUSIVE) {
      return "no window judged yet: not enough samples from both groups";
    }
    List<String> parts = new ArrayList<>();
    for (AttackOutcome o : outcomes) {
      if (o.getMttdMs() == null) {
        parts.add(o.getFault() + ": no deviation");
        continue;
      }
      String recovery =
          o.getMttrMs() != null
              ? String.format(Locale.ROOT, "recovered in %.1f s", o.getMttrMs() / 1000.0)
              : o.getEndedAt() == null ? "attack still running" : "not recovered yet";
      parts.add(
          String.format(
              Locale.ROOT,
              "%s: deviated (%s) detected after %.1f s, %s",
              o.getFault(),
              String.join(", ", o.getDeviatingMetrics()),
              o.getMttdMs() / 1000.0,
              recovery));
    }
    String prefix =
        verdict == Verdict.DEVIATED
            ? "the experimental group left its steady state"
            : "the experimental group stayed within its steady state";
    return parts.isEmpty()
        ? prefix + " over " + judged + " windows; no attack seen"
        : prefix + ": " + String.join("; ", parts);
  }
}
