package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.PipelineOutcome;
import io.faultline.schema.PipelineVerdict;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch job's runs through the analyzer's topology (docs/adr/0035): each run's {@code pipeline.*}
 * figures, labelled with the run and the store's checksum, become the verdict over runs on the
 * experiment's result; they are never windowed.
 */
class PipelineRunsTest {

  private static final String EXPERIMENT = "pipe-1";
  private static final long T0 = 1_700_000_000_000L;
  private static final String SUM = "a1b2c3d4e5f6a7b8c9d0";

  private final Topics topics = new Topics("t.", 1);
  private TopologyDriver analyzer;
  private TestInputTopic<String, MetricSample> metrics;
  private TestOutputTopic<String, ExperimentResult> results;
  private TestOutputTopic<String, WindowVerdict> verdicts;

  @BeforeEach
  void start() throws Exception {
    analyzer = TopologyDriver.start(topics, Map.of());
    metrics = analyzer.input(topics.metrics());
    results = analyzer.output(topics.results());
    verdicts = analyzer.output(topics.steadyState());
    // as `faultline run` declares them for groups.local.pipeline: alpha 0.01, duration +25%
    analyzer
        .input(topics.experiments())
        .pipeInput(
            EXPERIMENT,
            Experiment.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setState(ExperimentState.RUNNING)
                .setStartedAt(T0)
                .setHypotheses(
                    List.of(
                        hypothesis("pipeline.job.duration.ms", 0.25),
                        hypothesis("pipeline.tasks.failed", 0.0)))
                .build(),
            T0);
  }

  @AfterEach
  void stop() {
    analyzer.close();
  }

  private static MetricHypothesis hypothesis(String metric, double tolerance) {
    return MetricHypothesis.newBuilder()
        .setMetric(metric)
        .setDirection(HypothesisDirection.INCREASE)
        .setTolerance(tolerance)
        .setAlpha(0.01)
        .setCritical(true)
        .build();
  }

  /** One finished run of a group, as the CLI's LocalPipeline publishes it. */
  private void run(Group group, int run, double durationMs, double songs, String sha, int failed) {
    long ts = T0 + run * 60_000L + (group == Group.CONTROL ? 0 : 5_000);
    Map<String, Double> figures =
        Map.of(
            "pipeline.job.duration.ms",
            durationMs,
            "pipeline.store.songs",
            songs,
            "pipeline.store.instrument.rows",
            songs * 3,
            "pipeline.tasks.failed",
            (double) failed,
            "pipeline.executors.lost",
            failed > 0 ? 1.0 : 0.0);
    figures.forEach(
        (metric, value) ->
            metrics.pipeInput(
                Topics.metricKey(EXPERIMENT, metric),
                MetricSample.newBuilder()
                    .setExperimentId(EXPERIMENT)
                    .setMetric(metric)
                    .setGroup(group)
                    .setTarget("extract-" + group)
                    .setTimestamp(ts)
                    .setValue(value)
                    .setUnit("n")
                    .setLabels(Map.of("run", String.valueOf(run), "sha256", sha))
                    .build(),
                ts));
  }

  /**
   * Runs 1 to 5 of each group with equal data, their durations by run index (0..4), then the last
   * result.
   */
  private ExperimentResult fiveRuns(
      IntToDoubleFunction control, IntToDoubleFunction experimental, int experimentalTasksFailed) {
    for (int i = 0; i < 5; i++) {
      run(Group.CONTROL, i + 1, control.applyAsDouble(i), 1500, SUM, 0);
      run(
          Group.EXPERIMENTAL,
          i + 1,
          experimental.applyAsDouble(i),
          1500,
          SUM,
          experimentalTasksFailed);
    }
    return last();
  }

  /** A deviation over runs for one reason, which starts so. */
  private static void assertDeviatedFor(ExperimentResult r, String reason) {
    assertThat(r.getPipeline().getOutcome()).isEqualTo(PipelineOutcome.DEVIATED);
    assertThat(r.getPipeline().getReasons()).singleElement().asString().startsWith(reason);
  }

  private ExperimentResult last() {
    List<ExperimentResult> all = results.readValuesToList();
    assertThat(all).isNotEmpty();
    return all.get(all.size() - 1);
  }

  @Test
  void oneRunEachWithEqualDataIsNotEnoughRunsAndLeavesTheLiveVerdict() {
    run(Group.CONTROL, 1, 60_000, 1500, SUM, 0);
    run(Group.EXPERIMENTAL, 1, 85_000, 1500, SUM, 1);

    ExperimentResult r = last();
    PipelineVerdict p = r.getPipeline();
    assertThat(p.getOutcome()).isEqualTo(PipelineOutcome.NOT_ENOUGH_RUNS);
    assertThat(p.getControlRuns()).isEqualTo(1);
    assertThat(p.getExperimentalRuns()).isEqualTo(1);
    assertThat(p.getRunsNeeded()).isEqualTo(5); // 1/C(10, 5) < 0.01
    assertThat(p.getChecksumsEqual()).isTrue();
    assertThat(p.getReasons()).singleElement().asString().contains("not enough runs: 1 per group");
    // no window was judged: the experiment stays INCONCLUSIVE, saying why
    assertThat(r.getVerdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(r.getReason()).contains("pipeline runs 1 vs 1", "not enough runs");
  }

  @Test
  void aChecksumThatDiffersIsADeviationWithOneRun() {
    run(Group.CONTROL, 1, 60_000, 1500, SUM, 0);
    run(Group.EXPERIMENTAL, 1, 60_500, 1499, "ffff" + SUM.substring(4), 0);

    ExperimentResult r = last();
    assertThat(r.getPipeline().getOutcome()).isEqualTo(PipelineOutcome.DEVIATED);
    assertThat(r.getPipeline().getChecksumsEqual()).isFalse();
    assertThat(r.getPipeline().getReasons())
        .anySatisfy(s -> assertThat(s).contains("store checksum of experimental run 1 differs"));
    assertThat(r.getVerdict()).isEqualTo(Verdict.DEVIATED);
  }

  @Test
  void fiveRunsWithEqualDataAndSimilarDurationsAreSteady() {
    double[] control = {60_000, 62_000, 59_000, 61_000, 63_000};
    double[] experimental = {61_500, 60_000, 62_500, 59_500, 64_000};

    ExperimentResult r = fiveRuns(i -> control[i], i -> experimental[i], 0);
    assertThat(r.getPipeline().getOutcome()).isEqualTo(PipelineOutcome.STEADY);
    assertThat(r.getPipeline().getReasons()).isEmpty();
    assertThat(r.getVerdict()).isEqualTo(Verdict.STEADY); // runs that held: no window needed
  }

  @Test
  void fiveRunsTwiceAsLongWithEqualDataAreADeviation() {
    ExperimentResult r = fiveRuns(i -> 60_000 + 700 * i, i -> 120_000 + 900 * i, 0);

    assertDeviatedFor(r, "pipeline.job.duration.ms higher");
    assertThat(r.getPipeline().getChecksumsEqual()).isTrue();
    assertThat(r.getVerdict()).isEqualTo(Verdict.DEVIATED);
  }

  @Test
  void tasksFailedInEveryExperimentalRunAreADeviation() {
    ExperimentResult r = fiveRuns(i -> 60_000 + 500 * i, i -> 60_200 + 500 * i, 2);

    assertDeviatedFor(r, "pipeline.tasks.failed higher");
  }

  @Test
  void runFiguresAreNotWindowed() {
    fiveRuns(i -> 60_000, i -> 60_000, 0);
    // an ordinary counter beside them, then a sample that closes its window
    counter(Group.CONTROL, T0 + 30_000);
    counter(Group.EXPERIMENTAL, T0 + 30_000);
    counter(Group.CONTROL, T0 + 3_600_000);

    assertThat(verdicts.readValuesToList())
        .isNotEmpty()
        .allSatisfy(v -> assertThat(v.getMetric()).doesNotStartWith("pipeline."));
  }

  private void counter(Group group, long ts) {
    metrics.pipeInput(
        Topics.metricKey(EXPERIMENT, "spark.tasks.failed"),
        MetricSample.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setMetric("spark.tasks.failed")
            .setGroup(group)
            .setTarget("extract-" + group)
            .setTimestamp(ts)
            .setValue(0)
            .setUnit("tasks")
            .build(),
        ts);
  }

  @Test
  void aReplayedRunChangesNothing() {
    run(Group.CONTROL, 1, 60_000, 1500, SUM, 0);
    run(Group.EXPERIMENTAL, 1, 61_000, 1500, SUM, 0);
    results.readValuesToList();

    run(Group.EXPERIMENTAL, 1, 61_000, 1500, SUM, 0);

    assertThat(results.readValuesToList()).isEmpty();
  }

  /**
   * docs/adr/0100: a figure equal to the one kept (as a number: -0.0 after 0.0) is no change, and
   * the run must keep the figure it had, as the timeline in the store (not written) does.
   */
  @Test
  void anUnchangedFigureLeavesTheRunAsItWas() {
    PipelineRuns runs = new PipelineRuns();
    assertThat(runs.add(runSample(0.0, SUM))).isTrue();

    assertThat(runs.add(runSample(-0.0, SUM))).isFalse();
    assertThat(Double.doubleToRawLongBits(runs.control.get(1).figures.get("pipeline.tasks.failed")))
        .isEqualTo(Double.doubleToRawLongBits(0.0));

    assertThat(runs.add(runSample(-0.0, "ffff" + SUM.substring(4)))).isTrue();
    assertThat(runs.control.get(1).sha256).startsWith("ffff");
    assertThat(Double.doubleToRawLongBits(runs.control.get(1).figures.get("pipeline.tasks.failed")))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  private static MetricSample runSample(double value, String sha) {
    return MetricSample.newBuilder()
        .setExperimentId(EXPERIMENT)
        .setMetric("pipeline.tasks.failed")
        .setGroup(Group.CONTROL)
        .setTimestamp(T0)
        .setValue(value)
        .setLabels(Map.of(PipelineRuns.RUN_LABEL, "1", PipelineRuns.CHECKSUM_LABEL, sha))
        .build();
  }

  @Test
  void aRunSentAgainWithAnotherChecksumIsANewResultEvenWithTheSameFigures() {
    run(Group.CONTROL, 1, 60_000, 1500, SUM, 0);
    run(Group.EXPERIMENTAL, 1, 61_000, 1500, SUM, 0);
    assertThat(last().getPipeline().getChecksumsEqual()).isTrue();

    run(Group.EXPERIMENTAL, 1, 61_000, 1500, "ffff" + SUM.substring(4), 0);

    ExperimentResult r = last();
    assertThat(r.getPipeline().getChecksumsEqual()).isFalse();
    assertThat(r.getPipeline().getOutcome()).isEqualTo(PipelineOutcome.DEVIATED);
  }

  @Test
  void runsThatHeldMakeAnInconclusiveLiveVerdictSteadyButNotAnAbort() {
    PipelineVerdict held =
        PipelineVerdict.newBuilder()
            .setOutcome(PipelineOutcome.STEADY)
            .setControlRuns(5)
            .setExperimentalRuns(5)
            .setRunsNeeded(5)
            .setChecksumsEqual(true)
            .setReasons(List.of())
            .build();
    ExperimentResult inconclusive =
        ExperimentResult.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setVerdict(Verdict.INCONCLUSIVE)
            .setReason("no window judged")
            .build();
    assertThat(PipelineRuns.fold(inconclusive, held).getVerdict()).isEqualTo(Verdict.STEADY);
    ExperimentResult aborted =
        ExperimentResult.newBuilder(inconclusive).setVerdict(Verdict.ABORTED).build();
    PipelineVerdict lost =
        PipelineVerdict.newBuilder(held)
            .setOutcome(PipelineOutcome.DEVIATED)
            .setChecksumsEqual(false)
            .build();
    assertThat(PipelineRuns.fold(aborted, lost).getVerdict()).isEqualTo(Verdict.ABORTED);
    assertThat(PipelineRuns.fold(inconclusive, null)).isSameAs(inconclusive);
  }
}
