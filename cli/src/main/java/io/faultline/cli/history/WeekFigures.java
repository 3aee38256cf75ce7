package io.faultline.cli.history;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.schema.Figures;
import io.faultline.schema.ServiceHistory;
import java.util.List;
import java.util.Map;

/**
 * One row of the history: a service's figures for a week (or all time), with MTTD, MTTR, MTBF and
 * alert time to resolve as the mean, p50 and p90 the rollup computed ({@code Figures} of the
 * record; {@link HistoryRollup#figures} of its lists for a record written before it had them).
 * Alerts, noisy (self-resolving) alerts and the top alerts are the alerts topic's, in the week each
 * fired. A pure function of the record.
 */
public record WeekFigures(
    String service,
    String week,
    long experiments,
    long held,
    long notHeld,
    Map<String, Long> incidents,
    long alerts,
    long noisyAlerts,
    Summary mttd,
    Summary mttr,
    Summary mtbf,
    Summary timeToResolve,
    Map<String, Long> alertsBySev,
    List<Map.Entry<String, Long>> topAlerts) {

  /** Mean, p50 and p90 in milliseconds; {@code null} figures when there are no values. */
  public record Summary(int count, Long meanMs, Long p50Ms, Long p90Ms) {

    /** The record's figures, else the rollup's figures of the record's values. */
    static Summary of(Figures figures, List<Long> values) {
      Figures f = figures != null ? figures : HistoryRollup.figures(values);
      return f == null
          ? new Summary(0, null, null, null)
          : new Summary((int) f.getCount(), f.getMeanMs(), f.getP50Ms(), f.getP90Ms());
    }
  }

  public static WeekFigures of(ServiceHistory h) {
    return new WeekFigures(
        h.getService(),
        h.getWeek(),
        h.getExperiments(),
        h.getHeld(),
        h.getNotHeld(),
        Map.copyOf(h.getIncidentsBySeverity()),
        h.getAlerts(),
        h.getSelfResolvingAlerts(),
        Summary.of(h.getMttd(), h.getMttdMs()),
        Summary.of(h.getMttr(), h.getMttrMs()),
        Summary.of(h.getMtbf(), h.getMtbfMs()),
        Summary.of(h.getTimeToResolve(), h.getTimeToResolveMs()),
        Map.copyOf(h.getAlertsBySev()),
        h.getTopAlerts().stream().map(a -> Map.entry(a.getName(), a.getCount())).toList());
  }

  public long incidentsTotal() {
    return incidents.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Share of the experiments whose hypothesis held, 0..100; null without experiments. */
  public Double heldPercent() {
    return experiments == 0 ? null : 100.0 * held / experiments;
  }
}
