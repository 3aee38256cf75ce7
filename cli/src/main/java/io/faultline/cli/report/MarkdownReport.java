package io.faultline.cli.report;

import static io.faultline.cli.report.ReportFormat.deviating;
import static io.faultline.cli.report.ReportFormat.number;

import io.faultline.cli.report.ExperimentReport.Figures;
import io.faultline.schema.Durations;

/** The report as a short Markdown summary for a pull request: verdict, figures, two tables. */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(ExperimentReport report) {
    StringBuilder md = new StringBuilder();
    md.append("### faultline: ")
        .append(report.name())
        .append(" — ")
        .append(report.outcome().headline())
        .append("\n\n");
    md.append(report.outcome().why()).append("\n\n");
    md.append("Experiment `").append(report.experimentId()).append("`");
    Figures f = report.figures();
    if (f != null) {
      md.append(" · MTTD ")
          .append(Durations.format(f.mttdMs()))
          .append(" · MTTR ")
          .append(report.recovery(f.mttrMs()))
          .append(" · score ")
          .append(number(f.score()))
          .append(" · alerts ")
          .append(f.alertsFired())
          .append(" · ")
          .append(f.windowsJudged())
          .append(" windows judged");
    }
    md.append(
        "\n\n| metric | classification | critical | deviating windows | alerts | MTTR of alerts |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (MetricReport m : report.metrics()) {
      row(
          md,
          m.metric(),
          m.classificationText(),
          m.critical() ? "yes" : "no",
          ReportFormat.windows(m, "/"),
          Long.toString(m.alertsFired()),
          Durations.format(m.timeToResolveMs()));
    }
    if (!report.attacks().isEmpty()) {
      md.append(
          "\n| attack | targets | duration | MTTD | MTTR | deviating | errors served | error window"
              + " | DB failover |\n|---|---|---|---|---|---|---|---|---|\n");
      for (AttackPeriod a : report.attacks()) {
        row(
            md,
            a.fault(),
            String.join(", ", a.targets()),
            Durations.format(a.durationMs()),
            Durations.format(a.mttdMs()),
            report.recovery(a.mttrMs()),
            deviating(a),
            ReportFormat.errorsServed(a.outage()),
            ReportFormat.errorWindow(a.outage()),
            ReportFormat.dbFailover(a.outage()));
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String... cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
