package io.faultline.cli.report;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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

  /**
   * A time to recover as every rendering but the JSON writes it: "≤ window" below one window (0 ms
   * is a recovery within the window it was judged in), else the duration; "n/a" for none.
   */
  public String recovery(Long mttrMs) {
    return Recovery.of(mttrMs, run == null ? 0 : run.windowMs());
  }

  /** One line of the log: an alert or an attack event. */
  public record Happening(long at, String what, String detail) {}

  public static ExperimentReport of(ExperimentRecording rec) {
    return of(rec, List.of());
  }

  /**
   * The report with the experimental database's promotions, as the fleet's status endpoint in this
   * process observed them (the demo and run): each attack's time to a new primary.
   */
  public static ExperimentReport of(
      ExperimentRecording rec, List<io.faultline.scale.fleet.FleetStatus.Promotion> promotions) {
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
                : null,
            e == null ? 0 : e.getWindowMs());
    List<AttackPeriod> attacks = AttackPeriod.of(rec, promotions);
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
        MetricReport.of(rec),
        List.copyOf(rec.alerts()),
        log(rec),
        span[0],
        span[1]);
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
}
