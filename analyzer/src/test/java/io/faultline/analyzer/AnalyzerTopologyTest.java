package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.Verdict;
import io.faultline.schema.WindowVerdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnalyzerTopologyTest {

  private static final String EXPERIMENT = "exp-1";
  private static final String METRIC = "http.latency.ms";
  private static final long T0 = 1_700_000_000_000L; // a multiple of 5 s

  private final Topics topics = new Topics("t.", 1);
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> metrics;
  private TestInputTopic<String, AttackEvent> events;
  private TestOutputTopic<String, WindowVerdict> verdicts;
  private TestOutputTopic<String, Alert> alerts;
  private TestOutputTopic<String, ExperimentResult> results;
  private TestOutputTopic<String, byte[]> dlq;
  private final AvroSerde<MetricSample> sampleSerde = AvroSerde.of(MetricSample.class);
  private final Random random = new Random(42);

  @BeforeEach
  void start() throws Exception {
    TopologyDriver analyzer = TopologyDriver.start(topics, Map.of("analyzer.sev.other", "SEV3"));
    driver = analyzer.driver;
    metrics = analyzer.rawInput(topics.metrics());
    events = analyzer.input(topics.attackEvents());
    verdicts = analyzer.output(topics.steadyState());
    alerts = analyzer.output(topics.alerts());
    results = analyzer.output(topics.results());
    dlq = analyzer.rawOutput(topics.dlq());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  /** 40 samples per group in the 5 s window starting at T0 + index * 5 s. */
  private void window(int index, double controlMean, double experimentalMean) {
    long start = T0 + index * 5000L;
    for (int i = 0; i < 40; i++) {
      long ts = start + i * 120L;
      metrics.pipeInput(
          key(), sample(Group.CONTROL, ts, controlMean * (1 + 0.1 * random.nextGaussian())), ts);
      metrics.pipeInput(
          key(),
          sample(Group.EXPERIMENTAL, ts, experimentalMean * (1 + 0.1 * random.nextGaussian())),
          ts);
    }
  }

  private static String key() {
    return Topics.metricKey(EXPERIMENT, METRIC);
  }

  private byte[] sample(Group group, long ts, double value) {
    return sampleSerde.encode(
        MetricSample.newBuilder()
            .setExperimentId(EXPERIMENT)
            .setMetric(METRIC)
            .setGroup(group)
            .setTarget(group == Group.CONTROL ? "scale-control" : "scale-experimental")
            .setTimestamp(ts)
            .setValue(value)
            .setUnit("ms")
            .build());
  }

  private void attack(AttackEventType type, long ts) {
    attackArrivingAt(type, ts, ts);
  }

  @Test
  void verdictFlipsToDeviatingForALatencyShiftAndBackAfterIt() {
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    attack(AttackEventType.STARTED, T0 + 20_000);
    for (int w = 4; w < 7; w++) {
      window(w, 20, 45);
    }
    attack(AttackEventType.ROLLED_BACK, T0 + 35_000);
    for (int w = 7; w < 12; w++) {
      window(w, 20, 20);
    }
    List<SteadyState> states =
        verdicts.readValuesToList().stream().map(WindowVerdict::getState).toList();
    // the first 4 windows learn the baseline; windows close when stream time passes end + grace,
    // so the last window stays open
    assertThat(states)
        .containsExactly(
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.DEVIATING,
            SteadyState.DEVIATING,
            SteadyState.DEVIATING,
            SteadyState.STEADY,
            SteadyState.STEADY,
            SteadyState.STEADY,
            SteadyState.STEADY);

    List<Alert> fired = alerts.readValuesToList();
    assertThat(fired)
        .extracting(Alert::getStatus)
        .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(fired.get(0).getAttackId()).isEqualTo("attack-1");
    // no experiment names a severity and the metric is not critical: analyzer.sev.other
    assertThat(fired).extracting(Alert::getSev).containsOnly("SEV3");
    assertThat(fired).extracting(Alert::getService).containsOnly("system");
    // resolved when the attack was rolled back: the attack's recovery, not noise
    assertThat(fired.get(1).getSelfResolving()).isFalse();

    List<ExperimentResult> all = results.readValuesToList();
    ExperimentResult last = all.get(all.size() - 1);
    assertThat(last.getVerdict()).isEqualTo(Verdict.DEVIATED);
    assertThat(last.getMttdMs()).isEqualTo(5_000L); // first deviating window ends 5 s after start
    assertThat(last.getMttrMs()).isEqualTo(0L); // steady from the window right after the end
    assertThat(last.getAttacks().get(0).getDeviatingMetrics()).containsExactly(METRIC);
  }

  /**
   * The agent's outbox sends an event again when Kafka did not take it (docs/adr/0074), so an
   * attack's end can reach the analyzer before its start: the attack still ends, and MTTD and MTTR
   * are what they are in order.
   */
  @Test
  void anAttacksEndThatArrivesBeforeItsStartStillEndsTheAttack() {
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    long arrival = T0 + 20_000;
    attackArrivingAt(AttackEventType.ROLLED_BACK, T0 + 35_000, arrival);
    attackArrivingAt(AttackEventType.STARTED, T0 + 20_000, arrival);
    attackArrivingAt(AttackEventType.STARTED, T0 + 20_000, arrival); // and its start sent twice
    for (int w = 4; w < 7; w++) {
      window(w, 20, 45);
    }
    for (int w = 7; w < 12; w++) {
      window(w, 20, 20);
    }
    List<ExperimentResult> all = results.readValuesToList();
    ExperimentResult last = all.get(all.size() - 1);
    assertThat(last.getAttacks()).hasSize(1);
    assertThat(last.getAttacks().get(0).getStartedAt()).isEqualTo(T0 + 20_000);
    assertThat(last.getAttacks().get(0).getEndedAt()).isEqualTo(T0 + 35_000);
    assertThat(last.getMttdMs()).isEqualTo(5_000L);
    assertThat(last.getMttrMs()).isEqualTo(0L);
  }

  private static double attackActive(AnalyzerMetrics registry) {
    return registry.value(
        AnalyzerMetrics.ATTACK_ACTIVE,
        "experiment",
        EXPERIMENT,
        "attack",
        "attack-1",
        "fault",
        "cpu-burn");
  }

  @Test
  void anAttacksEndAloneIsNoAttackInTheResultTheAlertOrTheGauge() throws Exception {
    AnalyzerMetrics registry = new AnalyzerMetrics();
    driver.close();
    TopologyDriver analyzer =
        TopologyDriver.start(topics, Map.of("analyzer.sev.other", "SEV3"), registry);
    driver = analyzer.driver;
    metrics = analyzer.rawInput(topics.metrics());
    events = analyzer.input(topics.attackEvents());
    results = analyzer.output(topics.results());
    alerts = analyzer.output(topics.alerts());
    for (int w = 0; w < 4; w++) {
      window(w, 20, 20);
    }
    // the attack's end, its STARTED still to come (the agent's outbox sends it later)
    attackArrivingAt(AttackEventType.ROLLED_BACK, T0 + 35_000, T0 + 20_000);
    for (int w = 4; w < 7; w++) {
      window(w, 20, 45);
    }
    List<ExperimentResult> all = results.readValuesToList();
    assertThat(all).isNotEmpty();
    ExperimentResult last = all.get(all.size() - 1);
    assertThat(last.getAttacks()).as("result").isEmpty();
    assertThat(last.getMttdMs()).as("MTTD").isNull();
    assertThat(last.getMttrMs()).as("MTTR").isNull();
    List<Alert> fired = alerts.readValuesToList();
    assertThat(fired).as("the deviation alerts").isNotEmpty();
    assertThat(fired)
        .extracting(Alert::getAttackId)
        .as("attributed to no attack")
        .containsOnlyNulls();
    assertThat(attackActive(registry)).as("attack-active gauge").isNaN();

    // the STARTED comes: an attack that has ended, never active
    attackArrivingAt(AttackEventType.STARTED, T0 + 20_000, T0 + 35_000);
    assertThat(attackActive(registry)).isNaN();
  }

  private void attackArrivingAt(AttackEventType type, long ts, long arrival) {
    events.pipeInput(
        EXPERIMENT,
        AttackEvent.newBuilder()
            .setEventId("ev-" + type + ts)
            .setExperimentId(EXPERIMENT)
            .setAttackId("attack-1")
            .setType(type)
            .setFault("cpu-burn")
            .setTimestamp(ts)
            .build(),
        arrival);
  }

  @Test
  void aDifferenceTheGroupsHadBeforeAnyAttackIsTheBaselineNotADeviation() {
    for (int w = 0; w < 8; w++) {
      window(w, 10, 20); // the experimental host is twice as slow from the start
    }
    attack(AttackEventType.STARTED, T0 + 40_000);
    for (int w = 8; w < 11; w++) {
      window(w, 10, 60); // the attack triples it
    }
    List<WindowVerdict> all = verdicts.readValuesToList();
    assertThat(all.subList(4, 8))
        .extracting(WindowVerdict::getState)
        .containsOnly(SteadyState.STEADY);
    assertThat(all.subList(8, 10))
        .extracting(WindowVerdict::getState)
        .containsOnly(SteadyState.DEVIATING);
  }

  @Test
  void steadyExperimentHoldsTheHypothesis() {
    attack(AttackEventType.STARTED, T0 + 10_000);
    for (int w = 0; w < 8; w++) {
      window(w, 20, 21);
    }
    assertThat(verdicts.readValuesToList())
        .extracting(WindowVerdict::getState)
        .containsExactly(
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.INSUFFICIENT_DATA,
            SteadyState.STEADY,
            SteadyState.STEADY,
            SteadyState.STEADY);
    assertThat(alerts.isEmpty()).isTrue();
    List<ExperimentResult> all = results.readValuesToList();
    assertThat(all.get(all.size() - 1).getVerdict()).isEqualTo(Verdict.STEADY);
  }

  @Test
  void poisonRecordsGoToDlqAndProcessingContinues() {
    metrics.pipeInput(key(), "not avro".getBytes(StandardCharsets.UTF_8), T0);
    metrics.pipeInput(key(), sample(Group.UNKNOWN, T0, 1.0), T0);
    metrics.pipeInput(key(), sample(Group.CONTROL, T0, Double.NaN), T0);
    // a collector's "source failed" marker: a gap, neither poison nor data
    metrics.pipeInput(
        key(),
        sampleSerde.encode(
            MetricSample.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setMetric(METRIC)
                .setGroup(Group.EXPERIMENTAL)
                .setTimestamp(T0 + 1)
                .setValue(Double.NaN)
                .setError(true)
                .build()),
        T0 + 1);
    for (int w = 0; w < 3; w++) {
      window(w, 20, 20);
    }
    List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(3);
    assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
    assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC))
        .isEqualTo(topics.metrics().name());
    assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON))
        .contains("MetricSample");
    assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON))
        .contains("MetricSample.group UNKNOWN");
    assertThat(DeadLetters.header(dead.get(2).headers(), DeadLetters.REASON))
        .contains("must be finite");
    assertThat(verdicts.readValuesToList()).hasSize(2);
  }

  @Test
  void lateSamplesBeyondGraceDoNotReopenAWindow() {
    for (int w = 0; w < 3; w++) {
      window(w, 20, 20);
    }
    assertThat(verdicts.readValuesToList()).hasSize(2);
    // a sample 8 s late for window 0 (closed at 5 s + 1 s grace) is dropped
    metrics.pipeInput(key(), sample(Group.EXPERIMENTAL, T0 + 100, 10_000), T0 + 100);
    window(3, 20, 20);
    List<WindowVerdict> later = verdicts.readValuesToList();
    assertThat(later).extracting(WindowVerdict::getWindowStart).containsExactly(T0 + 10_000);
    assertThat(later.get(0).getExperimental().getMax())
        .isLessThan(100); // the late 10 s sample is not in it
  }

  @Test
  void theResultIsComputedInTheTimelinesSubTopologyWithoutARepartitionTopic() throws Exception {
    TopologyDescription description =
        AnalyzerTopology.build(topics, TopologyDriver.config(Map.of())).describe();
    TopologyDescription.Subtopology results =
        description.subtopologies().stream()
            .filter(s -> nodeNames(s).contains("results"))
            .findFirst()
            .orElseThrow();
    assertThat(nodeNames(results))
        .contains(AnalyzerTopology.RESULTS_DUE, "result-per-commit", "results-sink");
    for (TopologyDescription.Node node : results.nodes()) {
      if (node.name().equals("result-per-commit") || node.name().equals("results")) {
        assertThat(((TopologyDescription.Processor) node).stores())
            .as(node.name())
            .contains(ResultProcessor.STORE);
      }
    }
    assertThat(description.toString())
        .as("the results table is fed in its own sub-topology, not through a topic")
        .doesNotContain("results-per-commit-repartition")
        .doesNotContain(AnalyzerTopology.RESULTS_DUE + "-repartition");
  }

  /**
   * The steps before the window are one node (docs/adr/0092) sending each record to one of its
   * children by name, sharded or not; the sub-topology's topics, internal ones included, keep their
   * names (a renamed repartition topic would break an upgrade).
   */
  @Test
  void aSampleReachesItsWindowThroughOneNodeAndTheTopicsKeepTheirNames() throws Exception {
    for (String shards : List.of("1", "8")) {
      TopologyDescription.Subtopology samples =
          AnalyzerTopology.build(
                  topics, TopologyDriver.config(Map.of("topics.metrics.shards", shards)))
              .describe()
              .subtopologies()
              .stream()
              .filter(s -> nodeNames(s).contains("metrics-source"))
              .findFirst()
              .orElseThrow();
      TopologyDescription.Node source = node(samples, "metrics-source");
      assertThat(source.successors())
          .extracting(TopologyDescription.Node::name)
          .as(shards)
          .containsExactly("sample-intake");
      String window =
          shards.equals("1") ? AnalyzerTopology.WINDOW_CLOSE : AnalyzerTopology.WINDOW_AGGREGATE;
      assertThat(node(samples, "sample-intake").successors())
          .extracting(TopologyDescription.Node::name)
          .as(shards)
          .containsExactlyInAnyOrder(
              AnalyzerTopology.METRICS_DEAD_LETTERS, AnalyzerTopology.RUN_BY_EXPERIMENT, window);
      Set<String> topicNames =
          samples.nodes().stream()
              .map(
                  n ->
                      n instanceof TopologyDescription.Sink sink
                          ? sink.topic()
                          : n instanceof TopologyDescription.Source src
                              ? String.join(",", src.topicSet())
                              : null)
              .filter(java.util.Objects::nonNull)
              .collect(Collectors.toSet());
      assertThat(topicNames)
          .as(shards)
          .contains(
              topics.metrics().name(),
              topics.dlq().name(),
              "runs-by-experiment-repartition",
              shards.equals("1") ? topics.steadyState().name() : "partials-by-metric-repartition");
    }
  }

  private static TopologyDescription.Node node(TopologyDescription.Subtopology s, String name) {
    return s.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
  }

  private static Set<String> nodeNames(TopologyDescription.Subtopology s) {
    return s.nodes().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
  }
}
