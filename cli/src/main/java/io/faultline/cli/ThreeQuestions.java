package io.faultline.cli;

import io.faultline.cli.report.AttackPeriod;
import io.faultline.cli.report.ExperimentReport;
import io.faultline.cli.report.Recovery;
import io.faultline.cli.report.ServiceOutage;
import io.faultline.schema.Durations;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's closing lines: per attack what the analyzer and the experimental group's clients saw
 * (MTTD, MTTR, errors through the entry point, the database failover), and after {@code --scenario
 * all} the README's table of the seed's three questions, filled from this run's reports.
 */
final class ThreeQuestions {

  /** The original project's figure for a PostgreSQL replica after a zone's pods were lost. */
  static final String ORIGINAL_ZONE = "the original project: ~90 s for its PostgreSQL replica";

  private ThreeQuestions() {}

  static void printAttacks(ExperimentReport report, PrintStream out) {
    boolean header = false;
    for (AttackPeriod a : report.attacks()) {
      if (a.outage() == null) {
        continue;
      }
      if (!header) {
        out.println();
        out.println("What the experimental group's clients saw, per attack (measured):");
        header = true;
      }
      out.println(
          "  "
              + a.fault()
              + " "
              + String.join(", ", a.targets())
              + ": "
              + answer(a, windowMs(report)));
    }
  }

  /** "MTTD 4.2 s, MTTR ≤ 5s; 75 of 443 requests failed over 11.5 s from +0.6 s; ...". */
  static String answer(AttackPeriod a, long windowMs) {
    StringBuilder s =
        new StringBuilder("MTTD ")
            .append(Durations.format(a.mttdMs()))
            .append(", MTTR ")
            .append(Recovery.of(a.mttrMs(), windowMs));
    ServiceOutage o = a.outage();
    if (o != null) {
      s.append("; ").append(o.errorsText()).append(" requests failed");
      if (o.firstErrorMs() != null) {
        s.append(", over ").append(o.errorWindowText());
      }
      if (o.writesSampled()) {
        s.append(
            o.writesFailedMs() == null
                ? "; database writes never failed"
                : "; database writes failed from +" + Durations.format(o.writesFailedMs()));
      }
      if (o.promotedMs() != null) {
        s.append(", new primary ")
            .append(o.promotedMember())
            .append(" (Patroni) at +")
            .append(Durations.format(o.promotedMs()));
      }
      if (o.writesSampled() && o.writesFailedMs() != null) {
        s.append(", writes accepted again (failover) ")
            .append(
                o.writesAcceptedAgainMs() == null
                    ? "not before the next attack"
                    : "+"
                        + Durations.format(o.writesAcceptedAgainMs())
                        + " after the attack began");
      }
    }
    return s.toString();
  }

  /**
   * The README's table from {@code all}'s reports: container from the first, pod (kill, pause) and
   * zone (zone-outage) from the fleet's.
   */
  static void print(List<ExperimentReport> reports, PrintStream out) {
    out.println("| question | answer measured in this run |");
    out.println("|---|---|");
    out.println("| container (CPU burn, shutdown) | " + row(reports.subList(0, 1), "") + " |");
    List<ExperimentReport> fleet = reports.subList(1, reports.size());
    out.println("| pod (a replica killed, a third hung) | " + row(fleet, "process") + " |");
    out.println(
        "| availability zone (zone-a loses power, the primary with it) | "
            + row(fleet, "zone")
            + "; "
            + ORIGINAL_ZONE
            + " |");
  }

  private static long windowMs(ExperimentReport report) {
    return report.run() == null ? 0 : report.run().windowMs();
  }

  private static String row(List<ExperimentReport> reports, String faultPart) {
    List<String> parts = new ArrayList<>();
    for (ExperimentReport r : reports) {
      for (AttackPeriod a : r.attacks()) {
        if (a.fault().contains(faultPart)) {
          parts.add(a.fault() + ": " + answer(a, windowMs(r)));
        }
      }
    }
    return parts.isEmpty() ? "no attack ran" : String.join("; ", parts).replace("|", "/");
  }
}
