package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.Classification;
import io.faultline.schema.Durations;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One model, three renderings: JSON, Markdown and HTML read the verdict, MTTD/MTTR and every
 * metric's classification, deviating windows, alerts and time to resolve from the same report.
 */
class RenderingsAgreeTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "deviated",
        "held",
        "unjudged-metric",
        "no-result",
        "empty",
        "recovered-within-its-window"
      })
  void jsonMarkdownAndHtmlAgreeOnTheFigures(String variant) throws Exception {
    ExperimentReport report = ExperimentReport.of(recording(variant));
    JsonNode json = new ObjectMapper().readTree(JsonReport.render(report));
    String md = MarkdownReport.render(report);
    String html = HtmlReport.render(report);

    String headline = json.at("/verdict/headline").asText();
    assertThat(md.lines().findFirst().orElseThrow()).endsWith(" — " + headline);
    assertThat(html)
        .contains(
            "<h2>" + headline + "</h2><p>" + HtmlReport.esc(json.at("/verdict/why").asText()));

    String mttd = seconds(json.at("/verdict/mttdMs"));
    String mttr = recovery(json.at("/verdict/mttrMs"), json);
    assertThat(figure(html, "MTTD")).isEqualTo(mttd);
    assertThat(figure(html, "MTTR")).isEqualTo(mttr);
    if (json.at("/verdict/mttdMs").isMissingNode()) {
      assertThat(md).doesNotContain("· MTTD");
    } else {
      assertThat(md).contains("MTTD " + mttd + " · MTTR " + mttr);
      assertThat(figure(html, "alerts")).isEqualTo(json.at("/verdict/alertsFired").asText());
      assertThat(md).contains("· alerts " + json.at("/verdict/alertsFired").asText() + " ·");
    }

    Map<String, List<String>> mdRows = rows(md, Pattern.compile("(?m)^\\| (.+) \\|$"), " \\| ");
    Map<String, List<String>> htmlRows = htmlJudgementRows(html);
    assertThat(json.at("/metrics")).hasSize(htmlRows.size());
    for (JsonNode m : json.at("/metrics")) {
      String metric = m.get("metric").asText();
      String classification =
          m.get("classification").isNull() || m.get("classification").asText().equals("UNKNOWN")
              ? "n/a"
              : m.get("classification").asText();
      String critical = m.get("critical").asBoolean() ? "yes" : "no";
      String deviating =
          m.get("deviatingWindows").isNull()
              ? "n/a"
              : m.get("deviatingWindows").asText() + "/" + m.get("windowsJudged").asText();
      String alerts = m.get("alertsFired").asText();
      String toResolve = seconds(m.get("meanTimeToResolveMs"));

      assertThat(mdRows.get(metric))
          .as("Markdown row of %s", metric)
          .containsExactly(metric, classification, critical, deviating, alerts, toResolve);
      List<String> h = htmlRows.get(metric);
      assertThat(h).as("HTML row of %s", metric).isNotNull();
      assertThat(h.get(3)).isEqualTo(critical);
      assertThat(h.get(4)).isEqualTo(classification);
      assertThat(h.get(7).replace(" / ", "/")).isEqualTo(deviating);
      assertThat(h.get(9)).isEqualTo(alerts);
      assertThat(h.get(11)).isEqualTo(toResolve);
      assertThat(html).contains("data-metric=\"" + metric + "\"");
    }
    for (JsonNode a : json.at("/attacks")) {
      String fault = a.get("fault").asText();
      assertThat(mdRows.get(fault))
          .as("Markdown row of attack %s", fault)
          .element(3)
          .isEqualTo(seconds(a.get("mttdMs")));
      assertThat(mdRows.get(fault)).element(4).isEqualTo(recovery(a.get("mttrMs"), json));
      assertThat(html)
          .contains(
              "</td><td>"
                  + seconds(a.get("mttdMs"))
                  + "</td><td>"
                  + recovery(a.get("mttrMs"), json)
                  + "</td>");
    }
    if (variant.equals("recovered-within-its-window")) {
      // the JSON keeps the number; the others read "within the window", never "0ms"
      assertThat(json.at("/verdict/mttrMs").asLong()).isZero();
      assertThat(json.at("/attacks/0/mttrMs").asLong()).isZero();
      assertThat(mttr).isEqualTo("≤ 5s");
      assertThat(md).contains("MTTR ≤ 5s").doesNotContain("0ms");
      assertThat(html).contains("recovered in ≤ 5s").doesNotContain(">0ms<");
    }
  }

  /** The recorded experiment of {@link ExperimentReportTest}, varied. */
  private static ExperimentRecording recording(String variant) {
    long t = ExperimentReportTest.T;
    return switch (variant) {
      case "deviated" -> ExperimentReportTest.recording(Verdict.DEVIATED, Classification.HIGH);
      case "held" -> ExperimentReportTest.recording(Verdict.STEADY, Classification.PASS);
      case "unjudged-metric" -> {
        // a second hypothesis the analyzer did not judge, whose alerts only the topic counts,
        // and a result that counted fewer alerts than the topic holds
        ExperimentRecording base =
            ExperimentReportTest.recording(Verdict.DEVIATED, Classification.HIGH);
        base.experiment()
            .setHypotheses(
                List.of(
                    base.experiment().getHypotheses().get(0),
                    MetricHypothesis.newBuilder()
                        .setMetric("http.error.rate")
                        .setDirection(HypothesisDirection.INCREASE)
                        .setTolerance(0.02)
                        .setCritical(false)
                        .build()));
        List<Alert> alerts = new ArrayList<>(base.alerts());
        alerts.add(errorAlert("e1", AlertStatus.FIRING, t + 31_000));
        alerts.add(errorAlert("e1", AlertStatus.RESOLVED, t + 39_000));
        alerts.add(errorAlert("e2", AlertStatus.FIRING, t + 41_000));
        base.result().setAlertsFired(0);
        yield ExperimentRecording.sorted(
            new ExperimentRecording(
                base.experimentId(),
                base.experiment(),
                base.events(),
                base.verdicts(),
                alerts,
                base.result()));
      }
      case "recovered-within-its-window" -> {
        // steady again in the window the attack ended in: the analyzer's MTTR is 0
        ExperimentRecording base =
            ExperimentReportTest.recording(Verdict.DEVIATED, Classification.HIGH);
        base.result().setMttrMs(0L);
        base.result().getAttacks().get(0).setMttrMs(0L);
        base.experiment().setWindowMs(5_000L);
        yield base;
      }
      case "no-result" -> {
        ExperimentRecording base =
            ExperimentReportTest.recording(Verdict.STEADY, Classification.PASS);
        yield new ExperimentRecording(
            base.experimentId(),
            base.experiment(),
            base.events(),
            base.verdicts(),
            base.alerts(),
            (ExperimentResult) null);
      }
      default -> new ExperimentRecording("x-1", null, List.of(), List.of(), List.of(), null);
    };
  }

  private static Alert errorAlert(String id, AlertStatus status, long at) {
    return Alert.newBuilder()
        .setAlertId(id)
        .setExperimentId("demo-1")
        .setMetric("http.error.rate")
        .setStatus(status)
        .setReason("errors x3")
        .setFiredAt(at)
        .setTimestamp(at)
        .build();
  }

  private static String seconds(JsonNode ms) {
    return ms == null || ms.isNull() || ms.isMissingNode() ? "n/a" : Durations.format(ms.asLong());
  }

  /** The time to recover as the Markdown and HTML write it, from the JSON's number and window. */
  private static String recovery(JsonNode ms, JsonNode json) {
    return ms == null || ms.isNull() || ms.isMissingNode()
        ? "n/a"
        : Recovery.of(ms.asLong(), json.at("/windowMs").asLong());
  }

  private static String figure(String html, String label) {
    Matcher m =
        Pattern.compile("<div class=\"v\">([^<]*)</div><div class=\"l\">" + label + "</div>")
            .matcher(html);
    assertThat(m.find()).as("figure %s", label).isTrue();
    return m.group(1);
  }

  /** Table rows keyed by their first cell. */
  private static Map<String, List<String>> rows(String text, Pattern row, String separator) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = row.matcher(text);
    while (m.find()) {
      List<String> cells = List.of(m.group(1).split(separator, -1));
      out.putIfAbsent(cells.get(0), cells);
    }
    return out;
  }

  private static Map<String, List<String>> htmlJudgementRows(String html) {
    String table =
        html.substring(
            html.indexOf("<section id=\"judgement\">"), html.indexOf("<section id=\"attacks\">"));
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher row = Pattern.compile("<tr>(<td.*?)</tr>").matcher(table);
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(row.group(1));
      while (cell.find()) {
        cells.add(cell.group(1));
      }
      out.put(cells.get(0), cells);
    }
    return out;
  }
}
