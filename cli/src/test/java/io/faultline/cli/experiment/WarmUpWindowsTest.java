package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.WindowJudge;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A warm-up of too few windows is valid, but the plan says what it costs (docs/adr/0086). */
class WarmUpWindowsTest {

  private static ExperimentDefinition withWarmUp(String warmup, String window) throws Exception {
    String demo = Files.readString(Path.of("..", "examples", "local-demo.yaml"));
    // whatever warm-up the file has, so a new default does not silently break the helper
    String text =
        demo.replaceFirst("warmup: \\S+", "warmup: " + warmup)
            .replace("window: 5s", "window: " + window);
    assertThat(text).contains("warmup: " + warmup).contains("window: " + window);
    return ExperimentFileParser.parse("warm-up.yaml", text);
  }

  @Test
  void theDemosOwnExampleGivesTheAnalyzerItsSharpWarmUpAndNoWarning() {
    // the product's own example must not warn about itself: if the file's warm-up or window, or
    // the analyzer's minimum, moves, this fails (docs/adr/0117)
    assertThat(WarmUpWindows.of(DemoExperiment.definition()))
        .isGreaterThanOrEqualTo(WindowJudge.SHARP_WARMUP_WINDOWS)
        .isGreaterThanOrEqualTo(WindowJudge.MIN_WINDOWS_FOR_PHI);
    assertThat(WarmUpWindows.warning(DemoExperiment.definition())).isEmpty();
  }

  @Test
  void sixWindowsLearnNoLag1AndTheWarningSaysWhatGivesTwenty() throws Exception {
    ExperimentDefinition six = withWarmUp("30s", "5s");
    assertThat(WarmUpWindows.of(six)).isEqualTo(6);
    assertThat(WarmUpWindows.warning(six))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .startsWith("warm-up 30s of 5s windows gives 6 warm-up windows: below 8")
                    .contains("learns no lag-1")
                    .endsWith(
                        "; 20 warm-up windows (warm-up 1m40s at this window) make the detector"
                            + " sharp (docs/adr/0086)"));
  }

  @Test
  void fromEightWindowsTheWarningIsTheLongRunVariancesPrice() throws Exception {
    ExperimentDefinition twelve = withWarmUp("1m", "5s");
    assertThat(WarmUpWindows.of(twelve)).isEqualTo(12);
    assertThat(WarmUpWindows.warning(twelve))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains("gives 12 warm-up windows: a window mean counts at the long-run")
                    .doesNotContain("lag-1 from them"));
    ExperimentDefinition eight = withWarmUp("40s", "5s");
    assertThat(WarmUpWindows.warning(eight).orElseThrow()).contains("gives 8 warm-up windows: a");
    assertThat(WarmUpWindows.warning(withWarmUp("35s", "5s")).orElseThrow()).contains("below 8");
  }

  @Test
  void twentyWindowsOrMoreGiveNoWarning() throws Exception {
    int sharp = WindowJudge.SHARP_WARMUP_WINDOWS;
    assertThat(WarmUpWindows.warning(withWarmUp("40s", "2s"))).isEmpty();
    assertThat(WarmUpWindows.warning(withWarmUp("2m", "5s"))).isEmpty();
    // one window short of twenty, a partial window not counted
    assertThat(WarmUpWindows.warning(withWarmUp("39s", "2s")).orElseThrow())
        .contains("gives " + (sharp - 1) + " warm-up windows");
  }

  @Test
  void thePlanPrintsTheWarningUnderTheWarmUp() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    PlanText.print(
        new ExperimentPlan(withWarmUp("30s", "5s"), "demo-1"),
        "faultline.experiments",
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    String[] lines = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
    assertThat(lines[2]).startsWith("  platform local; warm-up 30s, window 5s");
    assertThat(lines[3]).startsWith("  warning: warm-up 30s of 5s windows gives 6");
    var quiet = new java.io.ByteArrayOutputStream();
    PlanText.print(
        new ExperimentPlan(DemoExperiment.definition(), "demo-2"),
        "faultline.experiments",
        new java.io.PrintStream(quiet, true, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(quiet.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("warning");
  }
}
