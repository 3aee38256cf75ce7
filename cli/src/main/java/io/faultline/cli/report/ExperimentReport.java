package io.faultline.cli.report;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one experiment's recording measured, computed once: the verdict, the figures, each attack,
 * each metric with its windows, and the log of alerts and attack events. {@link JsonReport}, {@link
 * MarkdownReport} and {@link HtmlReport} only render it, so the three agree on every figure.
 *
 * @param run the Experiment record's facts, or null when the experiments topic had none
 * @param figures the analyzer's result, or null when it published none
 * @param windowsSeen windows judged by the result, else the window verdicts recorded
 * @param t0 start of the time axis (epoch ms): the experiment's start or its first record
 * @param t1 end of the time axis, at least one second after {@code t0}
 */
public record ExperimentReport(
    String experimentId,
    String name,
    Run run,
    Outcome outcome,
    Figures figures,
    long windowsSeen,
    List<AttackPeriod> attacks,
    List<MetricReport> metrics,
    List<Alert> alerts,
    List<Happening> log,
    long t0,
    long t1) {

  /** The Experiment record: state, owner, when it ran, its window and the file as run. */
  public record Run(
      String state, String owner, Long startedAt, Long endedAt, long windowMs, String definition) {}

  /** The analyzer's figures for the whole experiment; alerts counted from the topic too. */
  public record Figures(
      String analyzerVerdict,
      Long mttdMs,
      Long mttrMs,
      Double score,
      long windowsJudged,
      long alertsFired,
      long noisyAlerts,
      Long mtbfMs,
      boolean aborted,
      String abortReason) {}

  /** One attack as it happened: from its STARTED event to its end (or the result's end). */
  public record AttackPeriod(
      String attackId,
      String fault,
      List<String> targets,
      long startedAt,
      Long endedAt,
      String endedBy,
      Long detectedAt,
      Long recoveredAt,
      Long mttdMs,
      Long mttrMs,
      List<String> deviatingMetrics) {

    /** How long it ran, or null when its end is unknown. */
    public Long durationMs() {
      return endedAt == null ? null : endedAt - startedAt;
    }
  }

  /**
   * One metric: its hypothesis (direction null when the file had none), the analyzer's judgement
   * (classification null when the result had none), alerts counted from the judgement or the alerts
   * topic, whichever saw more, and its window verdicts in time order.
   */
  public record MetricReport(
      String metric,
      String direction,
      Double tolerance,
      boolean critical,
      String classification,
      String state,
      Long windows,
      Long deviatingWindows,
      Long firstDeviationAt,
      Double intervalLow,
      Double intervalHigh,
      long alertsFired,
      Long noisyAlerts,
      Long timeToResolveMs,
      Long mtbfMs,
      List<Window> series) {

    public boolean judged() {
      return classification != null;
    }

    /** The first window judged DEVIATING, or null. */
    public Window firstDeviation() {
      return series.stream().filter(Window::deviating).findFirst().orElse(null);
    }
  }

  /** One window verdict: control and experimental means (and p99s), effect and state. */
  public record Window(
      long start,
      long end,
      double control,
      double experimental,
      Double controlP99,
      Double experimentalP99,
      double effect,
      String state) {

    public boolean deviating() {
      return SteadyState.DEVIATING.name().equals(state);
    }
  }

  /** One line of the log: an alert or an attack event. */
  public record Happening(long at, String what, String detail) {}

  public static ExperimentReport of(ExperimentRecording rec) {
    Experiment e = rec.experiment();
    ExperimentResult r = rec.result();
    List<MetricHypothesis> hypotheses = e == null ? List.of() : e.getHypotheses();
    boolean abortedRun = e != null && e.getState() == ExperimentState.ABORTED;
    Outcome outcome =
        Outcome.of(
            r,
            hypotheses,
            abortedRun && (r == null || !r.getAborted())
                ? "the run was stopped early (experiment state ABORTED)"
                : null);
    List<AttackPeriod> attacks = attackPeriods(rec);
    Run run =
        e == null
            ? null
            : new Run(
                e.getState().name(),
                e.getLabels().get("owner"),
                e.getStartedAt(),
                e.getEndedAt(),
                e.getWindowMs(),
                e.getDefinition());
    long fired = rec.alerts().stream().filter(a -> a.getStatus() == AlertStatus.FIRING).count();
    Figures figures =
        r == null
            ? null
            : new Figures(
                r.getVerdict().name(),
                r.getMttdMs(),
                r.getMttrMs(),
                r.getScore(),
                r.getWindowsJudged(),
                Math.max(r.getAlertsFired(), fired),
                r.getMetrics().stream().mapToLong(MetricJudgement::getNoisyAlerts).sum(),
                r.getMtbfMs(),
                r.getAborted(),
                r.getAbortReason());
    long[] span = span(rec, attacks);
    return new ExperimentReport(
        rec.experimentId(),
        e == null || e.getName().isBlank() ? rec.experimentId() : e.getName(),
        run,
        outcome,
        figures,
        r == null ? rec.verdicts().size() : r.getWindowsJudged(),
        attacks,
        metrics(rec),
        List.copyOf(rec.alerts()),
        log(rec),
        span[0],
        span[1]);
  }

  static List<AttackPeriod> attackPeriods(ExperimentRecording rec) {
    Map<String, AttackEvent> started = new LinkedHashMap<>();
    Map<String, AttackEvent> ended = new LinkedHashMap<>();
    for (AttackEvent e : rec.events()) {
      if (e.getAttackId() == null) {
        continue;
      }
      if (e.getType() == AttackEventType.STARTED) {
        started.putIfAbsent(e.getAttackId(), e);
      } else if (e.getType() == AttackEventType.STOPPED
          || e.getType() == AttackEventType.ROLLED_BACK
          || e.getType() == AttackEventType.FAILED) {
        ended.putIfAbsent(e.getAttackId(), e);
      }
    }
    Map<String, AttackOutcome> outcomes = new LinkedHashMap<>();
    if (rec.result() != null) {
      rec.result().getAttacks().forEach(a -> outcomes.put(a.getAttackId(), a));
    }
    List<AttackPeriod> out = new ArrayList<>();
    for (AttackEvent s : started.values()) {
      AttackEvent e = ended.get(s.getAttackId());
      AttackOutcome o = outcomes.remove(s.getAttackId());
      Long end = e != null ? Long.valueOf(e.getTimestamp()) : o == null ? null : o.getEndedAt();
      out.add(
          new AttackPeriod(
              s.getAttackId(),
              s.getFault(),
              List.copyOf(s.getTargets()),
              s.getTimestamp(),
              end,
              e == null
                  ? null
                  : e.getType() + (e.getReason() == null ? "" : " (" + e.getReason() + ")"),
              o == null ? null : o.getDetectedAt(),
              o == null ? null : o.getRecoveredAt(),
              o == null ? null : o.getMttdMs(),
              o == null ? null : o.getMttrMs(),
              o == null ? List.of() : List.copyOf(o.getDeviatingMetrics())));
    }
    // The analyzer knows of an attack whose STARTED event is gone (retention): keep it.
    for (AttackOutcome o : outcomes.values()) {
      out.add(
          new AttackPeriod(
              o.getAttackId(),
              o.getFault(),
              List.of(),
              o.getStartedAt(),
              o.getEndedAt(),
              null,
              o.getDetectedAt(),
              o.getRecoveredAt(),
              o.getMttdMs(),
              o.getMttrMs(),
              List.copyOf(o.getDeviatingMetrics())));
    }
    out.sort(Comparator.comparingLong(AttackPeriod::startedAt));
    return List.copyOf(out);
  }

  private static List<MetricReport> metrics(ExperimentRecording rec) {
    Map<String, List<Window>> series = new LinkedHashMap<>();
    for (WindowVerdict v : rec.verdicts()) {
      series
          .computeIfAbsent(v.getMetric(), k -> new ArrayList<>())
          .add(
              new Window(
                  v.getWindowStart(),
                  v.getWindowEnd(),
                  v.getControl().getMean(),
                  v.getExperimental().getMean(),
                  v.getControl().getP99(),
                  v.getExperimental().getP99(),
                  v.getEffect(),
                  v.getState().name()));
    }
    Map<String, MetricJudgement> judgements = new LinkedHashMap<>();
    if (rec.result() != null) {
      rec.result().getMetrics().forEach(m -> judgements.putIfAbsent(m.getMetric(), m));
    }
    Map<String, MetricHypothesis> hypotheses = new LinkedHashMap<>();
    if (rec.experiment() != null) {
      rec.experiment().getHypotheses().forEach(h -> hypotheses.putIfAbsent(h.getMetric(), h));
    }
    TreeSet<String> names = new TreeSet<>(series.keySet());
    names.addAll(judgements.keySet());
    names.addAll(hypotheses.keySet());
    List<MetricReport> out = new ArrayList<>();
    for (String metric : names) {
      MetricJudgement j = judgements.get(metric);
      MetricHypothesis h = hypotheses.get(metric);
      AlertCount alerts = AlertCount.of(rec.alerts(), metric);
      Long timeToResolve =
          j != null && j.getMeanTimeToResolveMs() != null
              ? j.getMeanTimeToResolveMs()
              : alerts.meanTimeToResolveMs();
      out.add(
          new MetricReport(
              metric,
              h == null ? null : h.getDirection().name(),
              h == null ? null : h.getTolerance(),
              (h != null && h.getCritical()) || (j != null && j.getCritical()),
              j == null ? null : j.getClassification().name(),
              j == null ? null : j.getState().name(),
              j == null ? null : (long) j.getWindows(),
              j == null ? null : (long) j.getDeviatingWindows(),
              j == null ? null : j.getFirstDeviationAt(),
              j == null ? null : j.getIntervalLow(),
              j == null ? null : j.getIntervalHigh(),
              Math.max(j == null ? 0 : j.getAlertsFired(), alerts.fired()),
              j == null ? null : (long) j.getNoisyAlerts(),
              timeToResolve,
              j == null ? null : j.getMtbfMs(),
              List.copyOf(series.getOrDefault(metric, List.of()))));
    }
    return List.copyOf(out);
  }

  /** Alerts fired for a metric on the alerts topic, and their mean time to resolve (or null). */
  private record AlertCount(long fired, Long meanTimeToResolveMs) {
    static AlertCount of(List<Alert> alerts, String metric) {
      Map<String, Long> firing = new LinkedHashMap<>();
      long fired = 0;
      long resolvedSum = 0;
      long resolved = 0;
      for (Alert a : alerts) {
        if (!a.getMetric().equals(metric)) {
          continue;
        }
        if (a.getStatus() == AlertStatus.FIRING
            && firing.putIfAbsent(a.getAlertId(), a.getTimestamp()) == null) {
          fired++;
        } else if (a.getStatus() == AlertStatus.RESOLVED && firing.containsKey(a.getAlertId())) {
          resolvedSum += a.getTimestamp() - firing.remove(a.getAlertId());
          resolved++;
        }
      }
      return new AlertCount(fired, resolved == 0 ? null : resolvedSum / resolved);
    }
  }

  private static List<Happening> log(ExperimentRecording rec) {
    List<Happening> rows = new ArrayList<>();
    for (Alert a : rec.alerts()) {
      rows.add(
          new Happening(
              a.getTimestamp(),
              "alert " + a.getStatus() + " " + a.getMetric() + " (" + a.getSeverity() + ")",
              a.getReason()));
    }
    for (AttackEvent e : rec.events()) {
      rows.add(
          new Happening(
              e.getTimestamp(),
              "attack " + e.getFault() + " " + e.getType(),
              String.join(", ", e.getTargets())
                  + (e.getReason() == null ? "" : " " + e.getReason())
                  + (e.getAgentId().isEmpty() ? "" : " [" + e.getAgentId() + "]")));
    }
    rows.sort(Comparator.comparingLong(Happening::at));
    return List.copyOf(rows);
  }

  /** The time axis: from the experiment's start (or first record) to its end, at least 1 s. */
  private static long[] span(ExperimentRecording rec, List<AttackPeriod> attacks) {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    Experiment e = rec.experiment();
    if (e != null && e.getStartedAt() != null) {
      start = e.getStartedAt();
    }
    if (e != null && e.getEndedAt() != null) {
      end = e.getEndedAt();
    }
    for (WindowVerdict v : rec.verdicts()) {
      start = Math.min(start, v.getWindowStart());
      end = Math.max(end, v.getWindowEnd());
    }
    for (AttackPeriod a : attacks) {
      start = Math.min(start, a.startedAt());
      end = Math.max(end, a.endedAt() == null ? a.startedAt() : a.endedAt());
    }
    if (start == Long.MAX_VALUE) {
      start = 0;
      end = 1;
    }
    return new long[] {start, Math.max(end, start + 1000)};
  }

  /** "n/a" for a classification the analyzer did not reach. */
  static String classificationText(MetricReport m) {
    return m.classification() == null || m.classification().equals(Classification.UNKNOWN.name())
        ? "n/a"
        : m.classification();
  }
}
