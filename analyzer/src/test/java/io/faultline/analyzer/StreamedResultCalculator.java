package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ResultCalculator.Settings;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link ResultCalculator#compute} as it was written with streams, before docs/adr/0112 wrote its
 * per-result paths as loops: the oracle {@link ResultCalculatorLoopsTest} compares it with. The
 * parts 0112 did not change (an attack's outcome, the reason) are called, not copied.
 */
final class StreamedResultCalculator {

  private StreamedResultCalculator() {}

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
    long judged =
        timeline.windows.values().stream().filter(w -> w.isDeviating() || w.isSteady()).count();
    for (int i = 0; i < attacks.size(); i++) {
      AttackSpan attack = attacks.get(i);
      long nextStart = i + 1 < attacks.size() ? attacks.get(i + 1).startedAt : Long.MAX_VALUE;
      outcomes.add(ResultCalculator.outcome(timeline, attack, nextStart, q));
    }

    // an alert that resolves while an attack runs or within q windows after it ends is the
    // attack's doing and its recovery, not noise
    long windowMs =
        timeline.windows.entrySet().stream()
            .filter(w -> w.getValue().end > w.getKey())
            .mapToLong(w -> w.getValue().end - w.getKey())
            .findFirst()
            .orElse(0);
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
      t.firings.forEach(f -> allFirings.add(f[0]));
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

    List<AttackOutcome> detected = outcomes.stream().filter(o -> o.getMttdMs() != null).toList();
    List<AttackOutcome> recovered = outcomes.stream().filter(o -> o.getMttrMs() != null).toList();
    Verdict verdict =
        timeline.aborted
            ? Verdict.ABORTED
            : !detected.isEmpty() || !failedCritical.isEmpty()
                ? Verdict.DEVIATED
                : judged > 0 ? Verdict.STEADY : Verdict.INCONCLUSIVE;
    String reason = ResultCalculator.reason(verdict, outcomes, judged);
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
        .setMttdMs(mean(detected.stream().map(AttackOutcome::getMttdMs).toList()))
        .setMttrMs(mean(recovered.stream().map(AttackOutcome::getMttrMs).toList()))
        .setReason(reason)
        .setScore(classified == 0 ? null : 100.0 * passed / classified)
        .setAborted(timeline.aborted)
        .setAbortReason(timeline.abortReason)
        .setAlertsFired(alertsFired)
        .setMtbfMs(AlertFigures.meanGap(allFirings))
        .build();
  }

  /**
   * Kayenta-style end judgement of one metric over the judged windows: the experimental group's
   * window means against the control group's, mapped through the warm-up baseline (a ratio for
   * relative tolerances, else a difference), with the hypothesis' direction and tolerance.
   */
  static MannWhitney.Judgement endJudgement(
      ExperimentTimeline.MetricTrack t, Hypothesis hypothesis, double confidence) {
    double[] control = t.control.stream().mapToDouble(Double::doubleValue).toArray();
    double[] experimental = t.experimental.stream().mapToDouble(Double::doubleValue).toArray();
    double wc =
        t.warmControl.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double we =
        t.warmExperimental.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
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
          boolean attackEnded =
              recoveries.stream().anyMatch(r -> resolvedAt >= r[0] && resolvedAt <= r[1]);
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
      long failures = sortedFirings.stream().distinct().count();
      if (failures < 2) {
        return null;
      }
      long span = sortedFirings.get(sortedFirings.size() - 1) - sortedFirings.get(0);
      return Math.round((double) span / (failures - 1));
    }
  }

  private static Long mean(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    return Math.round(values.stream().mapToLong(Long::longValue).average().orElse(0));
  }
}
