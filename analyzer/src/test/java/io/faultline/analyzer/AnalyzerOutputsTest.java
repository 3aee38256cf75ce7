package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Classification;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricJudgement;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hypotheses, auto-abort, quantiles, alert figures, end judgement and /metrics, per topology. */
class AnalyzerOutputsTest {

  private static final String EXPERIMENT = "exp-9";
  private static final String METRIC = "http.latency.ms";
  private static final long T0 = 1_700_000_000_000L;
  private static final String SECRET = "0123456789abcdef-secret";

  private final Topics topics = new Topics("t.", 1);
  private final AvroSerde<MetricSample> sampleSerde = AvroSerde.of(MetricSample.class);
  private final Random random = new Random(3);
  private AnalyzerMetrics metricsRegistry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> metrics;
  private TestInputTopic<String, AttackEvent> events;
  private TestInputTopic<String, Experiment> experiments;
  private TestOutputTopic<String, WindowVerdict> verdicts;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, ExperimentResult> results;
  private TestOutputTopic<String, byte[]> commands;

  private void start(Map<String, String> extra) throws Exception {
    TopologyDriver analyzer = TopologyDriver.start(topics, extra);
    metricsRegistry = analyzer.registry;
    driver = analyzer.driver;
    metrics = analyzer.rawInput(topics.metrics());
    events = analyzer.input(topics.attackEvents());
    experiments = analyzer.input(topics.experiments());
    verdicts = analyzer.output(topics.steadyState());
    alerts = analyzer.output(topics.alerts());
    results = analyzer.output(topics.results());
    commands = analyzer.rawOutput(topics.attackCommands());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private void window(int index, double controlMean, double experimentalMean) {
    long start = T0 + index * 5000L;
    for (int i = 0; i < 50; i++) {
      long ts = start + i * 100L;
      pipe(Group.CONTROL, ts, controlMean * (1 + 0.1 * random.nextGaussian()));
      pipe(Group.EXPERIMENTAL, ts, experimentalMean * (1 + 0.1 * random.nextGaussian()));
    }
  }

  private void pipe(Group group, long ts, double value) {
    metrics.pipeInput(
        Topics.metricKey(EXPERIMENT, METRIC),
        sampleSerde.encode(
            MetricSample.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setMetric(METRIC)
                .setGroup(group)
                .setTarget(group.name())
                .setTimestamp(ts)
                .setValue(value)
                .setUnit("ms")
                .build()),
        ts);
  }

  private void attack(AttackEventType type, long ts) {
    attack("attack-7", type, ts);
  }

  private void attack(String attackId, AttackEventType type, long ts) {
    events.pipeInput(
        EXPERIMENT,
        AttackEvent.newBuilder()
            .setEventId("ev-" + type + ts)
            .setExperimentId(EXPERIMENT)
            .setAttackId(attackId)
            .setType(type)
            .setFault("cpu-burn")
            .setTimestamp(ts)
            .build(),
        ts);
  }

  private void declare(MetricHypothesis hypothesis) {
    experiments.pipeInput(
        EXPERIMENT,
        Experiment.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setHypotheses(List.of(hypothesis))
            .build(),
        T0);
  }

  @Test
  void aDeviationBeyondTheAbortThresholdPublishesOneSignedHaltAllAndTheResultSaysWhy()
      throws Exception {
    start(Map.of("agent.command.secret", SECRET));
    declare(
        MetricHypothesis.newBuilder()
            .setMetric(METRIC)
            .setDirection(HypothesisDirection.INCREASE)
            .setTolerance(0.1)
            .setAbortThreshold(1.0)
            .setCritical(true)
            .build());
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    attack(AttackEventType.STARTED, T0 + 20_000);
    for (int w = 4; w < 8; w++) {
      window(w, 20, 70); // +250%: past the +100% abort threshold
    }
    List<byte[]> halts = commands.readValuesToList();
    assertThat(halts).hasSize(1);
    AttackCommand halt = AvroSerde.of(AttackCommand.class).decode(halts.get(0));
    assertThat(halt.getType()).isEqualTo(CommandType.HALT_ALL);
    assertThat(halt.getExperimentId()).isEqualTo(EXPERIMENT);
    assertThat(CommandSignature.verify(halt, SECRET)).isTrue();

    List<ExperimentResult> all = results.readValuesToList();
    ExperimentResult last = all.get(all.size() - 1);
    assertThat(last.getAborted()).isTrue();
    assertThat(last.getVerdict()).isEqualTo(Verdict.ABORTED);
    assertThat(last.getAbortReason()).contains(METRIC).contains("abort threshold of 100.0%");
    MetricJudgement judgement = last.getMetrics().get(0);
    assertThat(judgement.getCritical()).isTrue();
    assertThat(judgement.getClassification()).isEqualTo(Classification.HIGH);
    assertThat(last.getScore()).isEqualTo(0.0);
    assertThat(metricsRegistry.value(AnalyzerMetrics.ABORTED, "experiment", EXPERIMENT))
        .isEqualTo(1.0);
  }

  @Test
  void aCompletedExperimentsSeriesAreRemovedAfterTheLinger() throws Exception {
    start(Map.of("analyzer.metrics.linger", "1m"));
    for (int w = 0; w < 6; w++) {
      window(w, 20, w >= 4 ? 70 : 20);
    }
    assertThat(metricsRegistry.scrape()).contains("experiment=\"" + EXPERIMENT + "\"");
    experiments.pipeInput(
        EXPERIMENT,
        Experiment.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setState(ExperimentState.COMPLETED)
            .build(),
        T0);
    driver.advanceWallClockTime(Duration.ofSeconds(30));
    assertThat(metricsRegistry.experiments()).containsExactly(EXPERIMENT);
    driver.advanceWallClockTime(Duration.ofSeconds(70));
    assertThat(metricsRegistry.experiments()).isEmpty();
    assertThat(metricsRegistry.scrape()).doesNotContain(EXPERIMENT);
  }

  @Test
  void aDeletedExperimentsSeriesAreRemovedToo() throws Exception {
    start(Map.of("analyzer.metrics.linger", "0s"));
    declare(MetricHypothesis.newBuilder().setMetric(METRIC).build());
    for (int w = 0; w < 6; w++) {
      window(w, 20, 20);
    }
    driver.advanceWallClockTime(Duration.ofSeconds(11));
    assertThat(metricsRegistry.experiments()).containsExactly(EXPERIMENT);
    experiments.pipeInput(EXPERIMENT, null, T0);
    driver.advanceWallClockTime(Duration.ofSeconds(11)); // marked ended
    driver.advanceWallClockTime(Duration.ofSeconds(11)); // swept
    assertThat(metricsRegistry.experiments()).isEmpty();
  }

  @Test
  void aDeclaredToleranceWidensWhatCountsAsSteady() throws Exception {
    start(Map.of());
    declare(
        MetricHypothesis.newBuilder()
            .setMetric(METRIC)
            .setDirection(HypothesisDirection.INCREASE)
            .setTolerance(1.0) // +100% still steady
            .build());
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    for (int w = 4; w < 10; w++) {
      window(w, 20, 30); // +50%: would deviate under the default 25%
    }
    assertThat(verdicts.readValuesToList().subList(4, 9))
        .extracting(WindowVerdict::getState)
        .containsOnly(io.faultline.schema.SteadyState.STEADY);
    assertThat(commands.isEmpty()).isTrue();
    List<ExperimentResult> all = results.readValuesToList();
    ExperimentResult last = all.get(all.size() - 1);
    assertThat(last.getMetrics().get(0).getClassification()).isEqualTo(Classification.PASS);
    assertThat(last.getScore()).isEqualTo(100.0);
  }

  @Test
  void verdictsCarryQuantilesAndResultsCarryAlertFigures() throws Exception {
    start(Map.of("analyzer.alert.noisy.time", "10s"));
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    attack(AttackEventType.STARTED, T0 + 20_000);
    window(4, 20, 60); // one deviating window, resolved at its attack's end: not noise
    attack(AttackEventType.ROLLED_BACK, T0 + 25_000);
    for (int w = 5; w < 9; w++) {
      window(w, 20, 20);
    }
    attack("attack-8", AttackEventType.STARTED, T0 + 45_000);
    for (int w = 9; w < 13; w++) {
      window(w, 20, 60); // deviating 4 windows: resolves after 20 s, not noisy
    }
    for (int w = 13; w < 16; w++) {
      window(w, 20, 20);
    }
    List<WindowVerdict> all = verdicts.readValuesToList();
    WindowVerdict first = all.get(0);
    assertThat(first.getExperimental().getP50()).isBetween(17.0, 23.0);
    assertThat(first.getExperimental().getP99()).isGreaterThan(first.getExperimental().getP50());
    assertThat(first.getExperimental().getP95())
        .isBetween(first.getExperimental().getP50(), first.getExperimental().getP99());

    assertThat(alerts.readValuesToList())
        .extracting(Alert::getStatus)
        .containsExactly(
            AlertStatus.FIRING, AlertStatus.RESOLVED, AlertStatus.FIRING, AlertStatus.RESOLVED);
    List<ExperimentResult> results = this.results.readValuesToList();
    ExperimentResult last = results.get(results.size() - 1);
    MetricJudgement m = last.getMetrics().get(0);
    assertThat(m.getAlertsFired()).isEqualTo(2);
    assertThat(m.getNoisyAlerts()).isZero();
    assertThat(m.getMeanTimeToResolveMs()).isEqualTo((5_000L + 20_000L) / 2);
    assertThat(m.getMtbfMs()).isEqualTo(25_000L); // fired at the ends of windows 4 and 9
    assertThat(last.getAlertsFired()).isEqualTo(2);
    assertThat(last.getMtbfMs()).isEqualTo(25_000L);

    String scrape = metricsRegistry.scrape();
    assertThat(scrape)
        .contains(
            "faultline_alerts_fired_total{experiment=\"exp-9\",metric=\"http.latency.ms\"} 2.0")
        .contains(
            "faultline_alerts_noisy_total{experiment=\"exp-9\",metric=\"http.latency.ms\"} 0.0")
        .contains(
            "faultline_state{experiment=\"exp-9\",metric=\"http.latency.ms\",state=\"STEADY\"} 1.0")
        .contains("faultline_window_p99_seconds{experiment=\"exp-9\",group=\"experimental\"")
        .contains(
            "faultline_alert_resolve_seconds_count{experiment=\"exp-9\",metric=\"http.latency.ms\"} 2")
        .contains(
            "faultline_mttd_seconds{attack=\"attack-7\",experiment=\"exp-9\",fault=\"cpu-burn\"}");
  }

  @Test
  void lateSamplesWithinGraceAreCountedAndLaterOnesCountedAsDropped() throws Exception {
    start(Map.of("analyzer.grace", "2s"));
    window(0, 20, 20);
    window(1, 20, 20); // stream time now T0 + 9.9 s
    pipe(Group.CONTROL, T0 + 4_000, 20); // window 0 ended at 5 s; 5 + 2 > 9.9? no: dropped
    pipe(Group.CONTROL, T0 + 9_000, 20); // in window 1: on time, not late
    window(2, 20, 20); // stream time T0 + 14.9 s
    pipe(Group.CONTROL, T0 + 9_500, 20); // window 1 ended at 10 s, closes at 12 s: dropped
    metrics.pipeInput(
        Topics.metricKey(EXPERIMENT, METRIC),
        sampleSerde.encode(
            MetricSample.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setMetric(METRIC)
                .setGroup(Group.CONTROL)
                .setTarget("c")
                .setTimestamp(T0 + 15_500)
                .setValue(20)
                .build()),
        T0 + 15_500); // stream time 15.5 s
    pipe(Group.EXPERIMENTAL, T0 + 14_000, 20); // window 2 ended at 15 s, closes at 17 s: late
    assertThat(metricsRegistry.value(AnalyzerMetrics.SAMPLES_DROPPED, "experiment", EXPERIMENT))
        .isEqualTo(2.0);
    assertThat(metricsRegistry.value(AnalyzerMetrics.SAMPLES_LATE, "experiment", EXPERIMENT))
        .isEqualTo(1.0);
  }
}
