package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

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

  private ResultCalculator() {}

  public static ExperimentResult compute(
      String experimentId, ExperimentTimeline timeline, int q, long now) {
    List<AttackSpan> attacks = new ArrayList<>(timeline.attacks.values());
    attacks.sort(Comparator.comparingLong(a -> a.startedAt));
    List<AttackOutcome> outcomes = new ArrayList<>();
    long judged =
        timeline.windows.values().stream().filter(w -> w.isDeviating() || w.isSteady()).count();
    for (int i = 0; i < attacks.size(); i++) {
      AttackSpan attack = attacks.get(i);
      long nextStart = i + 1 < attacks.size() ? attacks.get(i + 1).startedAt : Long.MAX_VALUE;
      outcomes.add(outcome(timeline, attack, nextStart, q));
    }

    List<MetricJudgement> metrics = new ArrayList<>();
    for (Map.Entry<String, ExperimentTimeline.MetricTrack> e : timeline.metrics.entrySet()) {
      var t = e.getValue();
      metrics.add(
          MetricJudgement.newBuilder()
              .setMetric(e.getKey())
              .setState(t.state)
              .setWindows(t.windows)
              .setDeviatingWindows(t.deviatingWindows)
              .setFirstDeviationAt(t.firstDeviationAt)
              .setLastEffect(t.lastEffect)
              .build());
    }

    List<AttackOutcome> detected = outcomes.stream().filter(o -> o.getMttdMs() != null).toList();
    List<AttackOutcome> recovered = outcomes.stream().filter(o -> o.getMttrMs() != null).toList();
    Verdict verdict =
        !detected.isEmpty() ? Verdict.DEVIATED : judged > 0 ? Verdict.STEADY : Verdict.INCONCLUSIVE;

    return ExperimentResult.newBuilder()
        .setExperimentId(experimentId)
        .setVerdict(verdict)
        .setUpdatedAt(now)
        .setWindowsJudged(judged)
        .setMetrics(metrics)
        .setAttacks(outcomes)
        .setMttdMs(mean(detected.stream().map(AttackOutcome::getMttdMs).toList()))
        .setMttrMs(mean(recovered.stream().map(AttackOutcome::getMttrMs).toList()))
        .setReason(reason(verdict, outcomes, judged))
        .build();
  }

  private static AttackOutcome outcome(
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

  private static Long mean(List<Long> values) {
    if (values.isEmpty()) {
      return null;
    }
    return Math.round(values.stream().mapToLong(Long::longValue).average().orElse(0));
  }

  private static String reason(Verdict verdict, List<AttackOutcome> outcomes, long judged) {
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
