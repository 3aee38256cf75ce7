package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.cli.experiment.DemoExperiment;
import io.faultline.cli.experiment.WarmUpWindows;
import io.faultline.cli.report.Outcome;
import io.faultline.cli.report.Recovery;
import io.faultline.schema.AttackOutcome;
import io.faultline.schema.Classification;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleRunViewTest {

  @Test
  void theSummarySaysWhyAFullScoreMeetsADeviationAndPrintsRecoveryAtTheWindowsResolution() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleRunView view =
        new ConsoleRunView(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            DemoExperiment.definition(),
            "exp-1",
            () -> 0L,
            false);
    MetricJudgement latency =
        MetricJudgement.newBuilder()
            .setMetric("http.latency.ms")
            .setState(SteadyState.STEADY)
            .setClassification(Classification.PASS)
            .setWindows(25)
            .setDeviatingWindows(6)
            .build();
    ExperimentResult r =
        ExperimentResult.newBuilder()
            .setExperimentId("exp-1")
            .setVerdict(Verdict.DEVIATED)
            .setScore(100.0)
            .setMetrics(List.of(latency))
            .setAttacks(
                List.of(
                    AttackOutcome.newBuilder()
                        .setAttackId("a1")
                        .setFault("cpu-burn")
                        .setMttdMs(21_400L)
                        .setMttrMs(0L)
                        .setDeviatingMetrics(List.of("http.latency.ms"))
                        .build(),
                    AttackOutcome.newBuilder().setAttackId("a2").setFault("kill-process").build()))
            .setMttdMs(21_400L)
            .setMttrMs(0L)
            .setWindowsJudged(25)
            .build();
    // the verdict's own sentence too: a recovery inside the window the attack ended in is not
    // "recovered in 0ms"
    view.verdict(r, Outcome.of(r, List.of(), null, 5_000));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("attack cpu-burn       MTTD 21.4s, MTTR ≤ 5s (http.latency.ms)")
        .contains(
            "end-of-run comparison: 1/1 metrics within tolerance over the whole run"
                + " (a short attack is diluted)")
        .contains("live judgement: deviated during 1 of 2 attacks; MTTD 21.4s, MTTR ≤ 5s")
        .contains("during cpu-burn (detected after 21.4s, recovered in ≤ 5s)")
        .doesNotContain("0ms")
        .doesNotContain("score 100");
  }

  @Test
  void aRecoveryLongerThanAWindowPrintsItsSeconds() {
    assertThat(Recovery.of(15_500L, 5_000)).isEqualTo("15.5s");
    assertThat(Recovery.of(0L, 2_000)).isEqualTo("≤ 2s");
    assertThat(Recovery.of(null, 5_000)).isEqualTo("n/a");
  }

  @Test
  void whileTheWarmUpIsLearnedTheProgressLineCountsItsWindows() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    var demo = DemoExperiment.definition();
    ConsoleRunView view =
        new ConsoleRunView(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), demo, "exp-1", () -> 0L, false);
    long windowMs = demo.steadyState().window().toMillis();
    long warmUpWindows = WarmUpWindows.of(demo);
    long warmUpEnd = warmUpWindows * windowMs;

    view.progress(
        "steady-state warm-up", 2 * windowMs + 1, verdicts(SteadyState.INSUFFICIENT_DATA));
    view.progress("attack cpu", warmUpEnd, verdicts(SteadyState.INSUFFICIENT_DATA));
    view.progress("attack cpu", warmUpEnd + windowMs, verdicts(SteadyState.DEVIATING));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");

    assertThat(lines[0])
        .contains("http.latency.ms C 7.00 E 7.50 warm-up 2/" + warmUpWindows)
        .doesNotContain("no-data");
    assertThat(lines[1])
        .contains("http.latency.ms C 7.00 E 7.50 no-data")
        .doesNotContain("warm-up");
    assertThat(lines[2]).contains("http.latency.ms C 7.00 E 7.50 DEVIATING");
  }

  private static Map<String, WindowVerdict> verdicts(SteadyState state) {
    GroupStatistics control = GroupStatistics.newBuilder().setCount(100).setMean(7.0).build();
    GroupStatistics experimental = GroupStatistics.newBuilder().setCount(100).setMean(7.5).build();
    return Map.of(
        "http.latency.ms",
        WindowVerdict.newBuilder()
            .setExperimentId("exp-1")
            .setMetric("http.latency.ms")
            .setWindowStart(0L)
            .setWindowEnd(5_000L)
            .setControl(control)
            .setExperimental(experimental)
            .setState(state)
            .build());
  }
}
