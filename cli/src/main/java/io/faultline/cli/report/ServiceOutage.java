package io.faultline.cli.report;

import io.faultline.scale.fleet.FleetStatus;
import io.faultline.schema.Durations;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.List;

/**
 * What the experimental group's clients saw from one attack's start until the next attack (or the
 * recording's end), from the collector's samples: requests through its entry point ({@code
 * http.error}: through the load balancer for a fleet) and, for a fleet, the write probe's outcome
 * ({@code fleet.db.writable}, one sample a second). Offsets are milliseconds from the attack's
 * start; a figure is null when nothing of it was seen.
 *
 * @param requests requests the probe finished in the period
 * @param errors of them, failed
 * @param firstErrorMs the first failed request
 * @param lastErrorMs the last failed request
 * @param writesSampled whether the write probe's outcome was sampled (a fleet)
 * @param writesFailedMs the first sample saying the last write failed
 * @param writesAcceptedAgainMs the first sample after that saying writes are accepted again: the
 *     database failover time as a client sees it (to the second of the collector's cadence)
 * @param promotedMs when a database member was first seen leading in another's place (Patroni's
 *     roles and timeline as the fleet's status endpoint observed them in this process, every 500
 *     ms); null when no promotion was observed or the observations are not at hand (a report built
 *     from the topics alone)
 * @param promotedMember the member promoted (db-2), or null
 */
public record ServiceOutage(
    long requests,
    long errors,
    Long firstErrorMs,
    Long lastErrorMs,
    boolean writesSampled,
    Long writesFailedMs,
    Long writesAcceptedAgainMs,
    Long promotedMs,
    String promotedMember) {

  /** The metric of the probe's per-request outcome (1 failed, 0 served). */
  public static final String HTTP_ERROR = "http.error";

  /** The samples a recording keeps for these figures. */
  public static final List<String> METRICS = List.of(HTTP_ERROR, FleetStatus.DB_WRITABLE);

  /** From the first failed request to the last, or null without errors. */
  public Long errorWindowMs() {
    return firstErrorMs == null ? null : lastErrorMs - firstErrorMs;
  }

  /** "75 of 443". */
  public String errorsText() {
    return errors + " of " + requests;
  }

  /** "11.5s from +1.2s", or "none". */
  public String errorWindowText() {
    return firstErrorMs == null
        ? "none"
        : Durations.format(errorWindowMs()) + " from +" + Durations.format(firstErrorMs);
  }

  /**
   * "12.7s", "writes never failed", "not probed" or "writes not accepted again", followed by "
   * (db-2 promoted at +9.1s)" when a promotion was observed.
   */
  public String dbFailoverText() {
    return writesText() + promotionText();
  }

  private String writesText() {
    if (!writesSampled) {
      return "not probed";
    }
    if (writesFailedMs == null) {
      return "writes never failed";
    }
    return writesAcceptedAgainMs == null
        ? "writes not accepted again"
        : Durations.format(writesAcceptedAgainMs);
  }

  private String promotionText() {
    return promotedMs == null
        ? ""
        : " (" + promotedMember + " promoted at +" + Durations.format(promotedMs) + ")";
  }

  /**
   * The experimental group's samples in {@code [from, to)}; null when there are none of either
   * metric.
   */
  static ServiceOutage of(List<MetricSample> samples, long from, long to) {
    return of(samples, List.of(), from, to);
  }

  /**
   * The same with the experimental database's promotions as the fleet's status endpoint observed
   * them: the first one in {@code [from, to)} is the time to a new primary.
   */
  static ServiceOutage of(
      List<MetricSample> samples, List<FleetStatus.Promotion> promotions, long from, long to) {
    long requests = 0;
    long errors = 0;
    Long first = null;
    Long last = null;
    Long writesFailed = null;
    Long writesBack = null;
    boolean any = false;
    boolean writes = false;
    for (MetricSample s : samples) {
      if (s.getGroup() != Group.EXPERIMENTAL
          || s.getError()
          || s.getTimestamp() < from
          || s.getTimestamp() >= to) {
        continue;
      }
      long at = s.getTimestamp() - from;
      String metric = s.getMetric().toString();
      if (metric.equals(HTTP_ERROR)) {
        any = true;
        requests++;
        if (s.getValue() >= 1) {
          errors++;
          first = first == null ? at : first;
          last = at;
        }
      } else if (metric.equals(FleetStatus.DB_WRITABLE)) {
        any = true;
        writes = true;
        if (s.getValue() < 1 && writesFailed == null) {
          writesFailed = at;
        } else if (s.getValue() >= 1 && writesFailed != null && writesBack == null) {
          writesBack = at;
        }
      }
    }
    FleetStatus.Promotion promoted =
        promotions.stream()
            .filter(p -> p.observedAtMs() >= from && p.observedAtMs() < to)
            .min(java.util.Comparator.comparingLong(FleetStatus.Promotion::observedAtMs))
            .orElse(null);
    return any
        ? new ServiceOutage(
            requests,
            errors,
            first,
            last,
            writes,
            writesFailed,
            writesBack,
            promoted == null ? null : promoted.observedAtMs() - from,
            promoted == null ? null : promoted.member())
        : null;
  }
}
