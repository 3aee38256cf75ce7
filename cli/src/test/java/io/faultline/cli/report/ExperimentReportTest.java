package io.faultline.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from recorded topic contents: a CPU attack that shows in latency and recovers. */
class ExperimentReportTest {

  static final long T = 1_700_000_000_000L;

  static ExperimentRecording recording(Verdict verdict, Classification latency) {
    Experiment experiment =
        Experiment.newBuilder()
            .setExperimentId("demo-1")
            .setName("local-demo")
            .setState(ExperimentState.COMPLETED)
            .setStartedAt(T)
            .setEndedAt(T + 60_000)
            .setDefinition("metadata: {name: local-demo}\n# <b>not markup</b>\n")
            .setLabels(java.util.Map.of("owner", "sre"))
            .setHypotheses(
                List.of(
                    MetricHypothesis.newBuilder()
                        .setMetric("http.latency.ms")
                        .setDirection(HypothesisDirection.INCREASE)
                        .setTolerance(0.25)
                        .setCritical(true)
                        .build()))
            .build();
    List<WindowVerdict> windows = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      boolean hit = i >= 6 && i <= 8;
      windows.add(
          WindowVerdict.newBuilder()
              .setExperimentId("demo-1")
              .setMetric("http.latency.ms")
              .setWindowStart(T + i * 5000L)
              .setWindowEnd(T + (i + 1) * 5000L)
              .setControl(stats(10))
              .setExperimental(stats(hit ? 40 : 10.5))
              .setEffect(hit ? 3.0 : 0.05)
              .setState(hit ? SteadyState.DEVIATING : SteadyState.STEADY)
              .build());
    }
    List<AttackEvent> events =
        List.of(
            event(AttackEventType.STARTED, T + 30_000, null),
            event(AttackEventType.ROLLED_BACK, T + 45_000, "duration elapsed"));
    List<Alert> alerts =
        List.of(alert(AlertStatus.FIRING, T + 35_000), alert(AlertStatus.RESOLVED, T + 50_000));
    ExperimentResult result =
        ExperimentResult.newBuilder()
            .setExperimentId("demo-1")
            .setVerdict(verdict)
            .setWindowsJudged(12)
            .setMttdMs(5000L)
            .setMttrMs(10_000L)
            .setAlertsFired(1)
            .setMetrics(
                List.of(
                    MetricJudgement.newBuilder()
                        .setMetric("http.latency.ms")
                        .setState(SteadyState.STEADY)
                        .setWindows(12)
                        .setDeviatingWindows(3)
                        .setFirstDeviationAt(T + 30_000)
                        .setClassification(latency)
                        .setAlertsFired(1)
                        .setMeanTimeToResolveMs(15_000L)
                        .build()))
            .setAttacks(
                List.of(
                    AttackOutcome.newBuilder()
                        .setAttackId("demo-1-0-cpu")
                        .setFault("cpu-burn")
                        .setStartedAt(T + 30_000)
                        .setEndedAt(T + 45_000)
                        .setDetectedAt(T + 35_000)
                        .setMttdMs(5000L)
                        .setRecoveredAt(T + 55_000)
                        .setMttrMs(10_000L)
                        .setDeviatingMetrics(
                            verdict == Verdict.DEVIATED ? List.of("http.latency.ms") : List.of())
                        .build()))
            .build();
    return ExperimentRecording.sorted(
        new ExperimentRecording("demo-1", experiment, events, windows, alerts, result));
  }

  private static GroupStatistics stats(double mean) {
    return GroupStatistics.newBuilder().setCount(100).setMean(mean).setP99(mean * 2).build();
  }

  private static AttackEvent event(AttackEventType type, long at, String reason) {
    return AttackEvent.newBuilder()
        .setEventId(type + "-" + at)
        .setExperimentId("demo-1")
        .setType(type)
        .setAttackId("demo-1-0-cpu")
        .setFault("cpu-burn")
        .setTimestamp(at)
        .setAgentId("agent-a")
        .setTargets(List.of("scale-experimental pid=42"))
        .setReason(reason)
        .build();
  }

  private static Alert alert(AlertStatus status, long at) {
    return Alert.newBuilder()
        .setAlertId("a1")
        .setExperimentId("demo-1")
        .setMetric("http.latency.ms")
        .setStatus(status)
        .setReason("latency x4")
        .setFiredAt(T + 35_000)
        .setTimestamp(at)
        .build();
  }

  /** A recording saved before Experiment.sources existed (the committed one) still loads. */
  @Test
  void aRecordingWrittenWithAnEarlierSchemaLoads(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("local-run.recording");
    try (var in = getClass().getResourceAsStream("/recordings/local-run.recording")) {
      java.nio.file.Files.copy(in, file);
    }
    ExperimentRecording r = ExperimentRecording.load(file);
    assertThat(r.experiment().getExperimentId()).isEqualTo("run-it-1");
    assertThat(r.experiment().getSources()).isEmpty(); // added later: its default
    assertThat(r.verdicts()).isNotEmpty();
  }

  @Test
  void htmlIsSelfContainedAndDrawsEveryPart() {
    String html =
        HtmlReport.render(ExperimentReport.of(recording(Verdict.DEVIATED, Classification.HIGH)));
    // opens offline: no scripts, no external resources
    assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=");
    assertThat(html.replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://", "https://");
    assertThat(html)
        .contains("<h2>HYPOTHESIS NOT HELD</h2>")
        .contains(
            "The experimental group left its steady state on http.latency.ms during cpu-burn"
                + " (detected after 5s, recovered in 10s).")
        .contains("data-metric=\"http.latency.ms\"")
        .contains("first deviation +30s")
        .contains("<td class=\"c-high\">HIGH</td>")
        .contains("# &lt;b&gt;not markup&lt;/b&gt;");
    // 12 windows -> 12 points per group line
    Matcher m =
        Pattern.compile("<polyline class=\"(control|experimental)\" points=\"([^\"]+)\"")
            .matcher(html);
    int lines = 0;
    while (m.find()) {
      assertThat(m.group(2).split(" ")).hasSize(12);
      lines++;
    }
    assertThat(lines).isEqualTo(2);
    // the attack is shaded from +30 s to +45 s of a 60 s axis 830 px wide starting at x=110
    assertThat(html).contains("<rect class=\"attack\" x=\"525.0\" y=\"28\" width=\"207.5\"");
    assertThat(html).contains("<circle class=\"detect\"").contains("<circle class=\"recover\"");
  }

  @Test
  void jsonCarriesTheVerdictSeriesAndNullsForMissingFigures() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree(
                JsonReport.render(
                    ExperimentReport.of(recording(Verdict.DEVIATED, Classification.HIGH))));
    assertThat(json.at("/verdict/exitCode").asInt()).isEqualTo(1);
    assertThat(json.at("/verdict/mttdMs").asLong()).isEqualTo(5000);
    assertThat(json.at("/verdict/score").isNull()).isTrue();
    assertThat(json.at("/metrics/0/windows")).hasSize(12);
    assertThat(json.at("/metrics/0/windows/6/state").asText()).isEqualTo("DEVIATING");
    assertThat(json.at("/metrics/0/classification").asText()).isEqualTo("HIGH");
    assertThat(json.at("/attacks/0/mttrMs").asLong()).isEqualTo(10_000);
    assertThat(json.at("/alerts")).hasSize(2);
    assertThat(json.at("/definition").asText()).startsWith("metadata:");
  }

  @Test
  void markdownIsAShortSummary() {
    String md =
        MarkdownReport.render(ExperimentReport.of(recording(Verdict.STEADY, Classification.PASS)));
    assertThat(md)
        .startsWith("### faultline: local-demo — HYPOTHESIS HELD\n")
        .contains("| http.latency.ms | PASS | yes | 3/12 | 1 | 15s |")
        .contains("| cpu-burn | scale-experimental pid=42 | 15s | 5s | 10s | - |")
        .contains("MTTD 5s · MTTR 10s · score n/a");
    assertThat(md.lines().count()).isLessThan(20);
  }

  @Test
  void recordingSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
    ExperimentRecording rec = recording(Verdict.DEVIATED, Classification.HIGH);
    Path file = dir.resolve("demo.recording");
    rec.save(file);
    ExperimentRecording back = ExperimentRecording.load(file);
    assertThat(back).isEqualTo(rec);
    assertThat(JsonReport.render(ExperimentReport.of(back)))
        .isEqualTo(JsonReport.render(ExperimentReport.of(rec)));
  }

  @Test
  void criticalMetricClassifiedAgainstTheHypothesisFailsEvenWhenSteady() {
    assertThat(
            Outcome.of(
                    recording(Verdict.STEADY, Classification.HIGH).result(),
                    recording(Verdict.STEADY, Classification.HIGH).experiment().getHypotheses(),
                    null,
                    5_000)
                .exitCode())
        .isEqualTo(Outcome.NOT_HELD);
    // LOW latency is not a failure when only an increase is forbidden
    assertThat(
            Outcome.of(
                    recording(Verdict.STEADY, Classification.LOW).result(),
                    recording(Verdict.STEADY, Classification.LOW).experiment().getHypotheses(),
                    null,
                    5_000)
                .exitCode())
        .isEqualTo(Outcome.HELD);
  }

  @Test
  void exitCodesForAbortedMissingAndInconclusiveResults() {
    ExperimentResult aborted = recording(Verdict.DEVIATED, Classification.HIGH).result();
    aborted.setAborted(true);
    aborted.setAbortReason("http.error effect 0.9 beyond 0.5");
    Outcome a = Outcome.of(aborted, List.of(), null, 5_000);
    assertThat(a.exitCode()).isEqualTo(Outcome.ABORTED);
    assertThat(a.why()).contains("http.error effect 0.9 beyond 0.5");
    assertThat(Outcome.of(null, List.of(), null, 5_000).exitCode()).isEqualTo(Outcome.ERROR);
    assertThat(Outcome.of(null, List.of(), "stop condition", 5_000).exitCode())
        .isEqualTo(Outcome.ABORTED);
    ExperimentResult inconclusive =
        recording(Verdict.INCONCLUSIVE, Classification.UNKNOWN).result();
    assertThat(Outcome.of(inconclusive, List.of(), null, 5_000).headline())
        .isEqualTo("INCONCLUSIVE");
  }

  @Test
  void emptyFiguresShowNotAvailable() {
    ExperimentRecording bare =
        new ExperimentRecording("x-1", null, List.of(), List.of(), List.of(), null);
    String html = HtmlReport.render(ExperimentReport.of(bare));
    assertThat(html)
        .contains("NO VERDICT")
        .contains("<div class=\"v\">n/a</div><div class=\"l\">MTTD</div>");
    assertThat(html).contains("no attack started");
  }
}
