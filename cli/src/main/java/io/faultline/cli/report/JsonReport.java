package io.faultline.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.cli.report.ExperimentReport.Figures;
import io.faultline.cli.report.ExperimentReport.Run;
import io.faultline.cli.report.MetricReport.Window;
import io.faultline.schema.Alert;

/** The report as JSON for scripts: every figure of the model, null where none was measured. */
public final class JsonReport {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  public static String render(ExperimentReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("experimentId", report.experimentId());
    root.put("name", report.name());
    Run run = report.run();
    if (run != null) {
      root.put("state", run.state());
      root.put("startedAt", run.startedAt());
      root.put("endedAt", run.endedAt());
      root.put("windowMs", run.windowMs());
    }
    ObjectNode verdict = root.putObject("verdict");
    verdict.put("headline", report.outcome().headline());
    verdict.put("why", report.outcome().why());
    verdict.put("exitCode", report.outcome().exitCode());
    Figures f = report.figures();
    if (f != null) {
      verdict.put("analyzerVerdict", f.analyzerVerdict());
      verdict.put("mttdMs", f.mttdMs());
      verdict.put("mttrMs", f.mttrMs());
      verdict.put("score", f.score());
      verdict.put("windowsJudged", f.windowsJudged());
      verdict.put("alertsFired", f.alertsFired());
      verdict.put("noisyAlerts", f.noisyAlerts());
      verdict.put("mtbfMs", f.mtbfMs());
      verdict.put("aborted", f.aborted());
      verdict.put("abortReason", f.abortReason());
    }
    ArrayNode attacks = root.putArray("attacks");
    for (AttackPeriod a : report.attacks()) {
      ObjectNode n = attacks.addObject();
      n.put("attackId", a.attackId());
      n.put("fault", a.fault());
      a.targets().forEach(n.putArray("targets")::add);
      n.put("startedAt", a.startedAt());
      n.put("endedAt", a.endedAt());
      n.put("endedBy", a.endedBy());
      n.put("detectedAt", a.detectedAt());
      n.put("recoveredAt", a.recoveredAt());
      n.put("mttdMs", a.mttdMs());
      n.put("mttrMs", a.mttrMs());
      a.deviatingMetrics().forEach(n.putArray("deviatingMetrics")::add);
      ServiceOutage o = a.outage();
      if (o == null) {
        n.putNull("outage");
      } else {
        ObjectNode on = n.putObject("outage");
        on.put("requests", o.requests());
        on.put("errors", o.errors());
        on.put("firstErrorMs", o.firstErrorMs());
        on.put("errorWindowMs", o.errorWindowMs());
        on.put("writesSampled", o.writesSampled());
        on.put("writesFailedMs", o.writesFailedMs());
        on.put("dbFailoverMs", o.writesAcceptedAgainMs());
        on.put("dbPromotedMs", o.promotedMs());
        on.put("dbPromotedMember", o.promotedMember());
      }
    }
    ArrayNode metrics = root.putArray("metrics");
    for (MetricReport m : report.metrics()) {
      metrics.add(metric(m));
    }
    ArrayNode alerts = root.putArray("alerts");
    for (Alert a : report.alerts()) {
      ObjectNode n = alerts.addObject();
      n.put("metric", a.getMetric());
      n.put("status", a.getStatus().name());
      n.put("severity", a.getSeverity());
      n.put("reason", a.getReason());
      n.put("timestamp", a.getTimestamp());
      n.put("attackId", a.getAttackId());
    }
    root.put("definition", run == null ? "" : run.definition());
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("report of " + report.experimentId() + " as JSON", e);
    }
  }

  private static ObjectNode metric(MetricReport m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("metric", m.metric());
    n.put("direction", m.direction());
    n.put("tolerance", m.tolerance());
    n.put("critical", m.critical());
    n.put("classification", m.classification());
    n.put("state", m.state());
    n.put("windowsJudged", m.windows());
    n.put("deviatingWindows", m.deviatingWindows());
    n.put("firstDeviationAt", m.firstDeviationAt());
    n.put("intervalLow", m.intervalLow());
    n.put("intervalHigh", m.intervalHigh());
    n.put("alertsFired", m.alertsFired());
    n.put("noisyAlerts", m.noisyAlerts());
    n.put("meanTimeToResolveMs", m.timeToResolveMs());
    n.put("mtbfMs", m.mtbfMs());
    ArrayNode windows = n.putArray("windows");
    for (Window w : m.series()) {
      ObjectNode o = windows.addObject();
      o.put("start", w.start());
      o.put("end", w.end());
      o.put("control", w.control());
      o.put("experimental", w.experimental());
      o.put("controlP99", w.controlP99());
      o.put("experimentalP99", w.experimentalP99());
      o.put("effect", w.effect());
      o.put("state", w.state());
    }
    return n;
  }
}
