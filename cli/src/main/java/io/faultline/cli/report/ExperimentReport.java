package io.faultline.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The report of one experiment, built from its recording alone: a self-contained HTML page (inline
 * CSS and SVG, no scripts, no network), JSON for scripts and a short Markdown summary.
 */
public final class ExperimentReport {

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
      List<String> deviatingMetrics) {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final ExperimentRecording rec;
  private final Outcome outcome;
  private final List<AttackPeriod> attacks;
  private final Map<String, List<WindowVerdict>> series = new LinkedHashMap<>();
  private final long t0;
  private final long t1;

  public ExperimentReport(ExperimentRecording rec) {
    this.rec = rec;
    List<MetricHypothesis> hypotheses =
        rec.experiment() == null ? List.of() : rec.experiment().getHypotheses();
    boolean abortedRun =
        rec.experiment() != null
            && rec.experiment().getState() == io.faultline.schema.ExperimentState.ABORTED;
    this.outcome =
        Outcome.of(
            rec.result(),
            hypotheses,
            abortedRun && (rec.result() == null || !rec.result().getAborted())
                ? "the run was stopped early (experiment state ABORTED)"
                : null);
    this.attacks = attackPeriods(rec);
    for (WindowVerdict v : rec.verdicts()) {
      series.computeIfAbsent(v.getMetric(), k -> new ArrayList<>()).add(v);
    }
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    if (rec.experiment() != null && rec.experiment().getStartedAt() != null) {
      start = rec.experiment().getStartedAt();
    }
    if (rec.experiment() != null && rec.experiment().getEndedAt() != null) {
      end = rec.experiment().getEndedAt();
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
    this.t0 = start;
    this.t1 = Math.max(end, start + 1000);
  }

  public Outcome outcome() {
    return outcome;
  }

  public List<AttackPeriod> attacks() {
    return attacks;
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
    out.sort(java.util.Comparator.comparingLong(AttackPeriod::startedAt));
    return out;
  }

  /** The first window judged DEVIATING for a metric, or null. */
  static WindowVerdict firstDeviation(List<WindowVerdict> windows) {
    for (WindowVerdict v : windows) {
      if (v.getState() == SteadyState.DEVIATING) {
        return v;
      }
    }
    return null;
  }

  private String name() {
    return rec.experiment() == null || rec.experiment().getName().isBlank()
        ? rec.experimentId()
        : rec.experiment().getName();
  }

  private List<String> metricNames() {
    TreeSet<String> names = new TreeSet<>(series.keySet());
    if (rec.result() != null) {
      rec.result().getMetrics().forEach(m -> names.add(m.getMetric()));
    }
    if (rec.experiment() != null) {
      rec.experiment().getHypotheses().forEach(h -> names.add(h.getMetric()));
    }
    return new ArrayList<>(names);
  }

  private MetricJudgement judgement(String metric) {
    if (rec.result() == null) {
      return null;
    }
    return rec.result().getMetrics().stream()
        .filter(m -> m.getMetric().equals(metric))
        .findFirst()
        .orElse(null);
  }

  private MetricHypothesis hypothesis(String metric) {
    if (rec.experiment() == null) {
      return null;
    }
    return rec.experiment().getHypotheses().stream()
        .filter(h -> h.getMetric().equals(metric))
        .findFirst()
        .orElse(null);
  }

  // ------------------------------------------------------------------ JSON

  public String json() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put("experimentId", rec.experimentId());
    root.put("name", name());
    if (rec.experiment() != null) {
      root.put("state", rec.experiment().getState().name());
      putNullable(root, "startedAt", rec.experiment().getStartedAt());
      putNullable(root, "endedAt", rec.experiment().getEndedAt());
      root.put("windowMs", rec.experiment().getWindowMs());
    }
    ObjectNode verdict = root.putObject("verdict");
    verdict.put("headline", outcome.headline());
    verdict.put("why", outcome.why());
    verdict.put("exitCode", outcome.exitCode());
    ExperimentResult r = rec.result();
    if (r != null) {
      verdict.put("analyzerVerdict", r.getVerdict().name());
      putNullable(verdict, "mttdMs", r.getMttdMs());
      putNullable(verdict, "mttrMs", r.getMttrMs());
      putNullable(verdict, "score", r.getScore());
      verdict.put("windowsJudged", r.getWindowsJudged());
      verdict.put("alertsFired", Math.max(r.getAlertsFired(), firedAlerts()));
      putNullable(verdict, "mtbfMs", r.getMtbfMs());
      verdict.put("aborted", r.getAborted());
      putNullable(verdict, "abortReason", r.getAbortReason());
    }
    ArrayNode attackArray = root.putArray("attacks");
    for (AttackPeriod a : attacks) {
      ObjectNode n = attackArray.addObject();
      n.put("attackId", a.attackId());
      n.put("fault", a.fault());
      a.targets().forEach(n.putArray("targets")::add);
      n.put("startedAt", a.startedAt());
      putNullable(n, "endedAt", a.endedAt());
      putNullable(n, "detectedAt", a.detectedAt());
      putNullable(n, "recoveredAt", a.recoveredAt());
      putNullable(n, "mttdMs", a.mttdMs());
      putNullable(n, "mttrMs", a.mttrMs());
      ArrayNode dm = n.putArray("deviatingMetrics");
      a.deviatingMetrics().forEach(dm::add);
    }
    ArrayNode metrics = root.putArray("metrics");
    for (String metric : metricNames()) {
      ObjectNode m = metrics.addObject();
      m.put("metric", metric);
      MetricJudgement j = judgement(metric);
      MetricHypothesis h = hypothesis(metric);
      if (h != null) {
        m.put("direction", h.getDirection().name());
        putNullable(m, "tolerance", h.getTolerance());
        m.put("critical", h.getCritical());
      }
      if (j != null) {
        m.put("classification", j.getClassification().name());
        m.put("state", j.getState().name());
        m.put("windows", j.getWindows());
        m.put("deviatingWindows", j.getDeviatingWindows());
        putNullable(m, "firstDeviationAt", j.getFirstDeviationAt());
        putNullable(m, "intervalLow", j.getIntervalLow());
        putNullable(m, "intervalHigh", j.getIntervalHigh());
        m.put("alertsFired", Math.max(j.getAlertsFired(), alertStats(metric)[0]));
        m.put("noisyAlerts", j.getNoisyAlerts());
        putNullable(m, "meanTimeToResolveMs", j.getMeanTimeToResolveMs());
        putNullable(m, "mtbfMs", j.getMtbfMs());
      }
      ArrayNode windows = m.putArray("windows");
      for (WindowVerdict v : series.getOrDefault(metric, List.of())) {
        ObjectNode w = windows.addObject();
        w.put("start", v.getWindowStart());
        w.put("end", v.getWindowEnd());
        w.put("control", v.getControl().getMean());
        w.put("experimental", v.getExperimental().getMean());
        putNullable(w, "controlP99", v.getControl().getP99());
        putNullable(w, "experimentalP99", v.getExperimental().getP99());
        w.put("effect", v.getEffect());
        w.put("state", v.getState().name());
      }
    }
    ArrayNode alerts = root.putArray("alerts");
    for (Alert a : rec.alerts()) {
      ObjectNode n = alerts.addObject();
      n.put("metric", a.getMetric());
      n.put("status", a.getStatus().name());
      n.put("severity", a.getSeverity());
      n.put("reason", a.getReason());
      n.put("timestamp", a.getTimestamp());
      putNullable(n, "attackId", a.getAttackId());
    }
    root.put("definition", rec.experiment() == null ? "" : rec.experiment().getDefinition());
    try {
      return mapper.writeValueAsString(root) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putNullable(ObjectNode n, String key, Object v) {
    if (v == null) {
      n.putNull(key);
    } else if (v instanceof Long l) {
      n.put(key, l);
    } else if (v instanceof Double d) {
      n.put(key, d);
    } else {
      n.put(key, v.toString());
    }
  }

  // ------------------------------------------------------------------ Markdown

  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("### faultline: ")
        .append(name())
        .append(" — ")
        .append(outcome.headline())
        .append("\n\n");
    md.append(outcome.why()).append("\n\n");
    ExperimentResult r = rec.result();
    md.append("Experiment `").append(rec.experimentId()).append("`");
    if (r != null) {
      md.append(" · MTTD ")
          .append(seconds(r.getMttdMs()))
          .append(" · MTTR ")
          .append(seconds(r.getMttrMs()))
          .append(" · score ")
          .append(r.getScore() == null ? "n/a" : fmt(r.getScore()))
          .append(" · alerts ")
          .append(Math.max(r.getAlertsFired(), firedAlerts()))
          .append(" · ")
          .append(r.getWindowsJudged())
          .append(" windows judged");
    }
    md.append(
        "\n\n| metric | classification | critical | deviating windows | alerts | MTTR of alerts |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (String metric : metricNames()) {
      MetricJudgement j = judgement(metric);
      MetricHypothesis h = hypothesis(metric);
      md.append("| ")
          .append(metric)
          .append(" | ")
          .append(classification(j))
          .append(" | ")
          .append((h != null && h.getCritical()) || (j != null && j.getCritical()) ? "yes" : "no")
          .append(" | ")
          .append(j == null ? "n/a" : j.getDeviatingWindows() + "/" + j.getWindows())
          .append(" | ")
          .append(alertsFired(metric, j))
          .append(" | ")
          .append(timeToResolve(metric, j))
          .append(" |\n");
    }
    if (!attacks.isEmpty()) {
      md.append(
          "\n| attack | targets | duration | MTTD | MTTR | deviating |\n|---|---|---|---|---|---|\n");
      for (AttackPeriod a : attacks) {
        md.append("| ")
            .append(a.fault())
            .append(" | ")
            .append(String.join(", ", a.targets()))
            .append(" | ")
            .append(a.endedAt() == null ? "n/a" : seconds(a.endedAt() - a.startedAt()))
            .append(" | ")
            .append(seconds(a.mttdMs()))
            .append(" | ")
            .append(seconds(a.mttrMs()))
            .append(" | ")
            .append(a.deviatingMetrics().isEmpty() ? "-" : String.join(", ", a.deviatingMetrics()))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  // ------------------------------------------------------------------ HTML

  public String html() {
    StringBuilder h = new StringBuilder(64 * 1024);
    String cls =
        switch (outcome.exitCode()) {
          case Outcome.HELD -> "held";
          case Outcome.NOT_HELD -> "failed";
          case Outcome.ABORTED -> "aborted";
          default -> "unknown";
        };
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.append("<title>faultline report: ").append(esc(name())).append("</title>\n");
    h.append("<style>").append(CSS).append("</style></head><body>\n");
    h.append("<header><h1>")
        .append(esc(name()))
        .append("</h1><p class=\"meta\">experiment <code>")
        .append(esc(rec.experimentId()))
        .append("</code>");
    if (rec.experiment() != null) {
      var e = rec.experiment();
      if (e.getLabels().containsKey("owner")) {
        h.append(" · owner ").append(esc(e.getLabels().get("owner")));
      }
      h.append(" · state ").append(e.getState().name());
      if (e.getStartedAt() != null) {
        h.append(" · started ").append(TIME.format(Instant.ofEpochMilli(e.getStartedAt())));
      }
      if (e.getEndedAt() != null && e.getStartedAt() != null) {
        h.append(" · ran ").append(seconds(e.getEndedAt() - e.getStartedAt()));
      }
    }
    h.append("</p></header>\n");
    h.append("<section id=\"verdict\" class=\"verdict ")
        .append(cls)
        .append("\"><h2>")
        .append(esc(outcome.headline()))
        .append("</h2><p>")
        .append(esc(outcome.why()))
        .append("</p></section>\n");

    ExperimentResult r = rec.result();
    h.append("<section id=\"figures\" class=\"figures\">");
    figure(h, "MTTD", r == null ? "n/a" : seconds(r.getMttdMs()), "mean time to detect");
    figure(h, "MTTR", r == null ? "n/a" : seconds(r.getMttrMs()), "mean time to recover");
    figure(
        h,
        "score",
        r == null || r.getScore() == null ? "n/a" : fmt(r.getScore()),
        "metrics PASS, of 100");
    figure(
        h,
        "alerts",
        r == null ? "n/a" : Long.toString(Math.max(r.getAlertsFired(), firedAlerts())),
        "fired");
    figure(
        h,
        "noisy",
        r == null
            ? "n/a"
            : Long.toString(
                r.getMetrics().stream().mapToLong(MetricJudgement::getNoisyAlerts).sum()),
        "self-resolving alerts");
    figure(h, "MTBF", r == null ? "n/a" : seconds(r.getMtbfMs()), "between alert firings");
    figure(
        h,
        "windows",
        r == null ? Integer.toString(rec.verdicts().size()) : Long.toString(r.getWindowsJudged()),
        "judged");
    h.append("</section>\n");

    h.append("<section id=\"timeline\"><h2>Timeline of attacks</h2>\n");
    timeline(h);
    h.append("</section>\n");

    h.append("<section id=\"metrics\"><h2>Control vs experimental</h2>\n");
    h.append(
        "<p class=\"legend\"><span class=\"sw control\"></span>control <span class=\"sw experimental\"></span>experimental"
            + " <span class=\"sw attack\"></span>attack running <span class=\"sw deviation\"></span>first deviating window</p>\n");
    for (String metric : metricNames()) {
      plot(h, metric, series.getOrDefault(metric, List.of()));
    }
    h.append("</section>\n");

    h.append(
        "<section id=\"judgement\"><h2>Per-metric judgement (Kayenta-style)</h2>\n<table><tr><th>metric</th><th>direction</th><th>tolerance</th>"
            + "<th>critical</th><th>classification</th><th>interval</th><th>state</th><th>deviating windows</th><th>first deviation</th>"
            + "<th>alerts</th><th>noisy</th><th>time to resolve</th><th>MTBF</th></tr>\n");
    for (String metric : metricNames()) {
      MetricJudgement j = judgement(metric);
      MetricHypothesis hy = hypothesis(metric);
      String c = classification(j);
      h.append("<tr><td>")
          .append(esc(metric))
          .append("</td><td>")
          .append(hy == null ? "n/a" : hy.getDirection().name().toLowerCase(Locale.ROOT))
          .append("</td><td>")
          .append(hy == null || hy.getTolerance() == null ? "n/a" : fmt(hy.getTolerance()))
          .append("</td><td>")
          .append((hy != null && hy.getCritical()) || (j != null && j.getCritical()) ? "yes" : "no")
          .append("</td><td class=\"c-")
          .append(c.toLowerCase(Locale.ROOT).replace('/', '-'))
          .append("\">")
          .append(c)
          .append("</td><td>")
          .append(
              j == null || j.getIntervalLow() == null
                  ? "n/a"
                  : "[" + fmt(j.getIntervalLow()) + ", " + fmt(j.getIntervalHigh()) + "]")
          .append("</td><td>")
          .append(j == null ? "n/a" : j.getState().name())
          .append("</td><td>")
          .append(j == null ? "n/a" : j.getDeviatingWindows() + " / " + j.getWindows())
          .append("</td><td>")
          .append(
              j == null || j.getFirstDeviationAt() == null
                  ? "n/a"
                  : "+" + seconds(j.getFirstDeviationAt() - t0))
          .append("</td><td>")
          .append(alertsFired(metric, j))
          .append("</td><td>")
          .append(j == null ? "n/a" : j.getNoisyAlerts())
          .append("</td><td>")
          .append(timeToResolve(metric, j))
          .append("</td><td>")
          .append(j == null ? "n/a" : seconds(j.getMtbfMs()))
          .append("</td></tr>\n");
    }
    h.append("</table><p class=\"meta\">score: ")
        .append(r == null || r.getScore() == null ? "n/a" : fmt(r.getScore()))
        .append(" (share of metrics classified PASS)</p></section>\n");

    h.append(
        "<section id=\"attacks\"><h2>Attacks</h2>\n<table><tr><th>attack</th><th>fault</th><th>targets</th><th>start</th><th>end</th>"
            + "<th>MTTD</th><th>MTTR</th><th>deviating</th></tr>\n");
    for (AttackPeriod a : attacks) {
      h.append("<tr><td><code>")
          .append(esc(a.attackId()))
          .append("</code></td><td>")
          .append(esc(a.fault()))
          .append("</td><td>")
          .append(esc(String.join(", ", a.targets())))
          .append("</td><td>+")
          .append(seconds(a.startedAt() - t0))
          .append("</td><td>")
          .append(
              a.endedAt() == null
                  ? "n/a"
                  : "+"
                      + seconds(a.endedAt() - t0)
                      + (a.endedBy() == null ? "" : " " + esc(a.endedBy())))
          .append("</td><td>")
          .append(seconds(a.mttdMs()))
          .append("</td><td>")
          .append(seconds(a.mttrMs()))
          .append("</td><td>")
          .append(
              esc(a.deviatingMetrics().isEmpty() ? "-" : String.join(", ", a.deviatingMetrics())))
          .append("</td></tr>\n");
    }
    h.append("</table></section>\n");

    h.append(
        "<section id=\"alerts\"><h2>Alerts and events</h2>\n<table><tr><th>time</th><th>what</th><th>detail</th></tr>\n");
    List<Object[]> rows = new ArrayList<>();
    rec.alerts()
        .forEach(
            a ->
                rows.add(
                    new Object[] {
                      a.getTimestamp(),
                      "alert " + a.getStatus() + " " + a.getMetric() + " (" + a.getSeverity() + ")",
                      a.getReason()
                    }));
    rec.events()
        .forEach(
            e ->
                rows.add(
                    new Object[] {
                      e.getTimestamp(),
                      "attack " + e.getFault() + " " + e.getType(),
                      String.join(", ", e.getTargets())
                          + (e.getReason() == null ? "" : " " + e.getReason())
                          + (e.getAgentId().isEmpty() ? "" : " [" + e.getAgentId() + "]")
                    }));
    rows.sort(java.util.Comparator.comparingLong(o -> (Long) o[0]));
    for (Object[] row : rows) {
      h.append("<tr><td>+")
          .append(seconds((Long) row[0] - t0))
          .append("</td><td>")
          .append(esc((String) row[1]))
          .append("</td><td>")
          .append(esc((String) row[2]))
          .append("</td></tr>\n");
    }
    h.append("</table></section>\n");

    h.append("<section id=\"definition\"><h2>The experiment file as run</h2><pre>")
        .append(
            esc(
                rec.experiment() == null || rec.experiment().getDefinition().isBlank()
                    ? "n/a (no Experiment record on the experiments topic)"
                    : rec.experiment().getDefinition()))
        .append("</pre></section>\n");
    h.append("<footer>faultline report, built from the topics alone at ")
        .append(TIME.format(Instant.now()))
        .append("</footer>\n");
    h.append("</body></html>\n");
    return h.toString();
  }

  /** Alerts fired for a metric and their mean time to resolve, from the alerts topic. */
  private long[] alertStats(String metric) {
    Map<String, Long> firing = new LinkedHashMap<>();
    long fired = 0;
    long resolvedSum = 0;
    long resolved = 0;
    for (Alert a : rec.alerts()) {
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
    return new long[] {fired, resolved == 0 ? -1 : resolvedSum / resolved};
  }

  private String alertsFired(String metric, MetricJudgement j) {
    long fromTopic = alertStats(metric)[0];
    return Long.toString(Math.max(j == null ? 0 : j.getAlertsFired(), fromTopic));
  }

  private String timeToResolve(String metric, MetricJudgement j) {
    if (j != null && j.getMeanTimeToResolveMs() != null) {
      return seconds(j.getMeanTimeToResolveMs());
    }
    long ms = alertStats(metric)[1];
    return ms < 0 ? "n/a" : seconds(ms);
  }

  private long firedAlerts() {
    return rec.alerts().stream().filter(a -> a.getStatus() == AlertStatus.FIRING).count();
  }

  private static void figure(StringBuilder h, String label, String value, String note) {
    h.append("<div class=\"fig\"><div class=\"v\">")
        .append(esc(value))
        .append("</div><div class=\"l\">")
        .append(esc(label))
        .append("</div><div class=\"n\">")
        .append(esc(note))
        .append("</div></div>");
  }

  private static final int W = 960;
  private static final int LEFT = 110;
  private static final int RIGHT = 20;

  private double x(long t) {
    return LEFT + (double) (t - t0) * (W - LEFT - RIGHT) / (t1 - t0);
  }

  private void timeline(StringBuilder h) {
    int rowH = 26;
    int height = 40 + Math.max(1, attacks.size()) * rowH;
    h.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"attack timeline\">\n");
    timeAxis(h, height - 20, 10);
    if (attacks.isEmpty()) {
      h.append("<text x=\"")
          .append(LEFT)
          .append("\" y=\"24\" class=\"muted\">no attack started</text>");
    }
    int y = 10;
    for (AttackPeriod a : attacks) {
      double xs = x(a.startedAt());
      double xe = x(a.endedAt() == null ? t1 : a.endedAt());
      h.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\"><title>%s</title></rect>",
              xs,
              y,
              Math.max(3, xe - xs),
              esc(a.attackId())));
      String label = a.fault().length() > 17 ? a.fault().substring(0, 16) + "…" : a.fault();
      h.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" class=\"lbl\" text-anchor=\"end\">%s</text>",
              LEFT - 6,
              y + 12,
              esc(label)));
      if (a.detectedAt() != null) {
        h.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"detect\" cx=\"%.1f\" cy=\"%d\" r=\"5\"><title>detected after %s</title></circle>",
                x(a.detectedAt()),
                y + 8,
                seconds(a.mttdMs())));
      }
      if (a.recoveredAt() != null) {
        h.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"recover\" cx=\"%.1f\" cy=\"%d\" r=\"5\"><title>recovered in %s</title></circle>",
                x(a.recoveredAt()),
                y + 8,
                seconds(a.mttrMs())));
      }
      y += rowH;
    }
    h.append("</svg>\n");
  }

  private void timeAxis(StringBuilder h, int y, int top) {
    h.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
            LEFT,
            y,
            W - RIGHT,
            y));
    long span = (t1 - t0) / 1000;
    long step = niceStep(span / 8.0);
    for (long s = 0; s <= span; s += step) {
      double xx = x(t0 + s * 1000);
      h.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
              xx,
              top,
              xx,
              y));
      h.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>",
              xx,
              y + 14,
              s));
    }
  }

  private static long niceStep(double raw) {
    for (long s : new long[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600}) {
      if (s >= raw) {
        return s;
      }
    }
    return 7200;
  }

  private void plot(StringBuilder h, String metric, List<WindowVerdict> windows) {
    int height = 220;
    int top = 28;
    int bottom = height - 24;
    h.append("<figure class=\"plot\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(esc(metric))
        .append("\" data-metric=\"")
        .append(esc(metric))
        .append("\">\n");
    h.append("<text class=\"title\" x=\"")
        .append(LEFT)
        .append("\" y=\"16\">")
        .append(esc(metric))
        .append(" (window mean)</text>\n");
    for (AttackPeriod a : attacks) {
      double xs = x(a.startedAt());
      double xe = x(a.endedAt() == null ? t1 : a.endedAt());
      h.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"attack\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>\n",
              xs,
              top,
              Math.max(2, xe - xs),
              bottom - top,
              esc(a.fault())));
    }
    timeAxis(h, bottom, top);
    if (windows.isEmpty()) {
      h.append("<text class=\"muted\" x=\"")
          .append(W / 2)
          .append("\" y=\"")
          .append((top + bottom) / 2)
          .append("\" text-anchor=\"middle\">no window verdicts</text></svg></figure>\n");
      return;
    }
    double max = 0;
    double min = 0;
    for (WindowVerdict v : windows) {
      max = Math.max(max, Math.max(v.getControl().getMean(), v.getExperimental().getMean()));
      min = Math.min(min, Math.min(v.getControl().getMean(), v.getExperimental().getMean()));
    }
    if (max == min) {
      max = min + 1;
    }
    final double lo = min;
    final double hi = max * 1.05;
    java.util.function.DoubleUnaryOperator yOf =
        v -> bottom - (v - lo) * (bottom - top) / (hi - lo);
    for (int i = 0; i <= 4; i++) {
      double val = lo + (hi - lo) * i / 4;
      double yy = yOf.applyAsDouble(val);
      h.append(
          String.format(
              Locale.ROOT,
              "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              LEFT,
              yy,
              W - RIGHT,
              yy,
              LEFT - 6,
              yy + 4,
              fmt(val)));
    }
    StringBuilder control = new StringBuilder();
    StringBuilder experimental = new StringBuilder();
    for (WindowVerdict v : windows) {
      double mid = x((v.getWindowStart() + v.getWindowEnd()) / 2);
      control.append(
          String.format(
              Locale.ROOT, "%.1f,%.1f ", mid, yOf.applyAsDouble(v.getControl().getMean())));
      experimental.append(
          String.format(
              Locale.ROOT, "%.1f,%.1f ", mid, yOf.applyAsDouble(v.getExperimental().getMean())));
    }
    h.append("<polyline class=\"control\" points=\"")
        .append(control.toString().strip())
        .append("\"/>\n");
    h.append("<polyline class=\"experimental\" points=\"")
        .append(experimental.toString().strip())
        .append("\"/>\n");
    for (WindowVerdict v : windows) {
      if (v.getState() == SteadyState.DEVIATING) {
        double mid = x((v.getWindowStart() + v.getWindowEnd()) / 2);
        h.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"dev\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>DEVIATING, effect %s</title></circle>",
                mid,
                yOf.applyAsDouble(v.getExperimental().getMean()),
                fmt(v.getEffect())));
      }
    }
    WindowVerdict first = firstDeviation(windows);
    if (first != null) {
      double xs = x(first.getWindowStart());
      double xe = x(first.getWindowEnd());
      h.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"first-deviation\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>"
                  + "<text class=\"dev-label\" x=\"%.1f\" y=\"%d\">first deviation +%s</text>\n",
              xs,
              top,
              Math.max(2, xe - xs),
              bottom - top,
              Math.min(xe + 4, W - 170.0),
              top + 12,
              seconds(first.getWindowStart() - t0)));
    }
    h.append("</svg></figure>\n");
  }

  private static String classification(MetricJudgement j) {
    return j == null || j.getClassification() == Classification.UNKNOWN
        ? "n/a"
        : j.getClassification().name();
  }

  static String seconds(Long ms) {
    return ms == null ? "n/a" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static String fmt(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return Math.abs(v) >= 1
        ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS =
      """
      body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1000px;color:#1d2430;background:#fff}
      h1{margin:0 0 4px;font-size:24px} h2{font-size:17px;margin:26px 0 8px}
      .meta{color:#5b6573;margin:0} code{font-family:'DejaVu Sans Mono',monospace;font-size:12px}
      .verdict{border-radius:6px;padding:10px 16px;margin:16px 0;border-left:6px solid}
      .verdict h2{margin:0 0 4px} .verdict p{margin:0}
      .held{background:#e8f6ec;border-color:#1f9d55} .failed{background:#fdecec;border-color:#d64545}
      .aborted{background:#fff4e0;border-color:#e08a00} .unknown{background:#eef1f5;border-color:#8a94a3}
      .figures{display:flex;flex-wrap:wrap;gap:10px}
      .fig{border:1px solid #dde2ea;border-radius:6px;padding:8px 12px;min-width:105px}
      .fig .v{font-size:20px;font-weight:600} .fig .l{font-weight:600} .fig .n{color:#5b6573;font-size:12px}
      table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #e3e7ee;padding:4px 6px;text-align:left}
      th{background:#f4f6f9} .c-high,.c-low{color:#c62828;font-weight:600} .c-pass{color:#1f7a3f;font-weight:600}
      pre{background:#f6f8fa;border:1px solid #e3e7ee;padding:10px;overflow:auto;font-size:12px}
      figure.plot{margin:6px 0 14px} svg text{font-size:11px;fill:#3b4452} svg .title{font-size:13px;font-weight:600}
      .axis{stroke:#6b7380} .grid{stroke:#eceff3} .tick{fill:#6b7380}
      rect.attack{fill:#f2b134;fill-opacity:.22} rect.bar{fill:#f2b134} .lbl{font-weight:600}
      polyline{fill:none;stroke-width:2} polyline.control{stroke:#2f6fdb} polyline.experimental{stroke:#e4572e}
      circle.dev{fill:#c62828} circle.detect{fill:#c62828} circle.recover{fill:#1f9d55}
      rect.first-deviation{fill:#c62828;fill-opacity:.18;stroke:#c62828;stroke-dasharray:4 3} .dev-label{fill:#c62828;font-weight:600}
      .muted{fill:#8a94a3;color:#8a94a3}
      .legend .sw{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
      .sw.control{background:#2f6fdb} .sw.experimental{background:#e4572e} .sw.attack{background:#f2b134;opacity:.5} .sw.deviation{background:#c62828;opacity:.4}
      footer{color:#8a94a3;font-size:12px;margin-top:30px}
      """;
}
