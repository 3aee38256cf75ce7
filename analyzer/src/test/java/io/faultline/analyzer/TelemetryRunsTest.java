package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.Telemetry.Fault;
import io.faultline.analyzer.Telemetry.Process;
import io.faultline.schema.SteadyState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Telemetry#judgeRuns} judges runs side by side, yet every run sees the judgements that the
 * runs one after another on one {@code Random} give: the harnesses' figures do not change with the
 * number of cores.
 */
class TelemetryRunsTest {

  private static final int RUNS = 40;

  /** Every judgement of a run until its first alarm, or until {@code stopAt} (a warm-up window). */
  private static final class Judgements implements Telemetry.AfterWindow {
    private final int stopAt;
    private final List<WindowJudge.Judged> seen = new ArrayList<>();

    Judgements(int stopAt) {
      this.stopAt = stopAt;
    }

    @Override
    public boolean next(int window, WindowJudge.Monitor monitor, WindowJudge.Judged judged) {
      seen.add(judged);
      return window != stopAt && !(window >= 0 && judged.state() == SteadyState.DEVIATING);
    }
  }

  private static List<List<WindowJudge.Judged>> oneAfterAnother(
      Telemetry telemetry, Fault fault, int stopAt, long seed) {
    Random r = new Random(seed);
    List<List<WindowJudge.Judged>> runs = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      Judgements judgements = new Judgements(stopAt);
      telemetry.judgeEach(r, Telemetry.meanHypothesis(), 20, 30, 5, fault, 30, judgements);
      runs.add(judgements.seen);
    }
    return runs;
  }

  private static List<List<WindowJudge.Judged>> sideBySide(
      Telemetry telemetry, Fault fault, int stopAt, long seed) {
    return telemetry
        .judgeRuns(
            seed,
            RUNS,
            Telemetry.meanHypothesis(),
            20,
            30,
            5,
            fault,
            30,
            () -> new Judgements(stopAt))
        .stream()
        .map(judgements -> judgements.seen)
        .toList();
  }

  private static void assertSameJudgements(
      Telemetry telemetry, Fault fault, int stopAt, long seed) {
    telemetry.attackAt = 5_000L;
    List<List<WindowJudge.Judged>> expected = oneAfterAnother(telemetry, fault, stopAt, seed);
    assertThat(sideBySide(telemetry, fault, stopAt, seed)).isEqualTo(expected);
  }

  @Test
  void runsThatRarelyStopSeeTheJudgementsOfRunsOneAfterAnother() {
    assertSameJudgements(
        new Telemetry(Process.AR1, 6, 0.8), new Fault(1.1, 1), Integer.MIN_VALUE, 7);
  }

  @Test
  void runsThatMostlyStopEarlySeeTheJudgementsOfRunsOneAfterAnother() {
    // beyond the edge most runs alarm within a few windows: the next run's draws start earlier
    Telemetry telemetry = new Telemetry(Process.GARCH, 6, 0.8);
    telemetry.attackAt = 5_000L;
    List<List<WindowJudge.Judged>> runs = oneAfterAnother(telemetry, new Fault(1.5, 1), 99, 8);
    assertThat(runs.stream().filter(run -> run.size() < 50).count())
        .as("runs stopped early")
        .isGreaterThan(RUNS / 2);
    assertSameJudgements(telemetry, new Fault(1.5, 1), Integer.MIN_VALUE, 8);
  }

  @Test
  void runsStoppedInTheWarmUpSeeTheJudgementsOfRunsOneAfterAnother() {
    Telemetry telemetry = new Telemetry(Process.NORMAL, 100, 0.8);
    telemetry.levelPhi = 0.7;
    telemetry.levelSd = 10;
    assertSameJudgements(telemetry, new Fault(1.1, 1), -7, 9);
  }
}
