package io.faultline.cli.history;

import io.faultline.schema.ServiceHistory;
import java.util.List;
import java.util.Map;

/**
 * One row of the history: a service's figures for a week (or all time), with MTTD, MTTR, MTBF and
 * alert time to resolve as mean, p50 and p90 of the exact values the rollup keeps (nearest rank).
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

    static Summary of(List<Long> sorted) {
      if (sorted.isEmpty()) {
        return new Summary(0, null, null, null);
      }
      long sum = 0;
      for (long v : sorted) {
        sum += v;
      }
      return new Summary(
          sorted.size(),
          Math.round((double) sum / sorted.size()),
          rank(sorted, 0.5),
          rank(sorted, 0.9));
    }

    /** Nearest rank: the smallest value with at least {@code q} of the values at or below it. */
    static long rank(List<Long> sorted, double q) {
      int i = (int) Math.ceil(q * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
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
        Summary.of(h.getMttdMs().stream().sorted().toList()),
        Summary.of(h.getMttrMs().stream().sorted().toList()),
        Summary.of(h.getMtbfMs().stream().sorted().toList()),
        Summary.of(h.getTimeToResolveMs().stream().sorted().toList()),
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
