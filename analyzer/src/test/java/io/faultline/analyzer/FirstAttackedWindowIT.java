package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo's CPU burn on a real broker, with many samples between two commits (issue 18,
 * docs/adr/0053): the demo's experiment (a 30 s warm-up, 5 s windows, 1 s grace, latency and error
 * rate of an HTTP probe at 20 requests per second and group, a STARTED event at the attack's start)
 * and an experimental latency twice the control's from that start on. The first attacked window, or
 * the next, must be DEVIATING, and the attack's MTTD at most two windows.
 *
 * <p>{@code TopologyTestDriver} commits after every record, so a store that holds windows between
 * commits never holds more than one record there; this test commits every 8 s (below the 10 s
 * transaction timeout) and sends the whole experiment at once, so hundreds of samples, or the
 * summaries of several windows, go through each commit. Event time comes from the records: the
 * verdicts do not depend on when the analyzer reads them.
 */
@Tag("side-by-side")
class FirstAttackedWindowIT {

  private static final long WINDOW = 5_000;
  private static final int WARMUP_WINDOWS = 6; // the demo's 30 s
  private static final int WINDOWS = 14;
  private static final int PER_SECOND = 20; // the demo's probe rate per group
  private static final String LATENCY = "http.latency.ms";
  private static final String ERROR = "http.error";
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);
  private static final AvroSerde<Experiment> EXPERIMENTS = AvroSerde.of(Experiment.class);

  @Test
  void rawSamplesShowTheShiftInTheFirstAttackedWindow() throws Exception {
    assertDetected("exp-first-raw", false, false);
  }

  @Test
  void collectorSummariesShowTheShiftInTheFirstAttackedWindow() throws Exception {
    assertDetected("exp-first-summaries", true, false);
  }

  /**
   * As the demo runs: the default commit interval (1 s), and each window's summaries sent only once
   * the window before the last is judged, so commits fall between windows and the STARTED event is
   * read before its window closes (the anchor, docs/adr/0042, is in place: the half-attacked window
   * 6 has a log likelihood ratio of 9.9 here against 6.0 unanchored, below the alarm's).
   */
  @Test
  void summariesPacedByTheVerdictsShowTheShiftInTheFirstAttackedWindow() throws Exception {
    assertDetected("exp-first-paced", true, true);
  }

  private void assertDetected(String experiment, boolean summaries, boolean paced)
      throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("firstwin"));
    AnalyzerSettings settings = AnalyzerSettings.forTestBroker(topics);
    if (!paced) {
      settings.set("kafka.commit.interval.ms", "8000");
    }
    AnalyzerConfig config = AnalyzerConfig.fromMap(settings.toMap());
    // aligned to the window, long enough ago that the whole run is in the past
    long t0 = (System.currentTimeMillis() / WINDOW) * WINDOW - 600_000;
    long startedAt = t0 + 2_300; // the demo's start is not on a window's edge
    long attackAt = startedAt + WARMUP_WINDOWS * WINDOW; // in window 6
    int attacked = (int) ((attackAt - t0) / WINDOW);
    try (AnalyzerApp.Running analyzer = AnalyzerApp.run(config);
        var producer = LatencySamples.producer();
        var verdicts = TopicFollower.startCommitted(topics.steadyState());
        var results = TopicFollower.startCommitted(topics.results());
        var starts = TopicFollower.startCommitted(topics.attackStarts())) {
      declare(producer, topics, experiment, startedAt);
      send(producer, topics, experiment, t0, attackAt, summaries, paced ? verdicts : null, starts);

      List<WindowVerdict> judged =
          verdicts
              .awaitAtLeast(WINDOWS, v -> LATENCY.equals(v.getMetric()), Duration.ofSeconds(180))
              .stream()
              .filter(v -> LATENCY.equals(v.getMetric()))
              .sorted(Comparator.comparingLong(WindowVerdict::getWindowStart))
              .toList();
      List<String> seen = new ArrayList<>();
      for (WindowVerdict v : judged) {
        seen.add(
            (v.getWindowStart() - t0) / WINDOW
                + " "
                + v.getState()
                + " control "
                + v.getControl().getMean()
                + " experimental "
                + v.getExperimental().getMean()
                + " n "
                + v.getControl().getCount()
                + "/"
                + v.getExperimental().getCount()
                + " statistic "
                + v.getTestStatistic()
                + " attack "
                + v.getActiveAttackId());
      }
      String story = String.join("\n", seen);
      System.out.println(experiment + ", latency per window:\n" + story);
      assertThat(judged).as(story).hasSize(WINDOWS);
      for (WindowVerdict v : judged.subList(0, WARMUP_WINDOWS)) {
        assertThat(v.getState()).as(story).isEqualTo(SteadyState.INSUFFICIENT_DATA);
      }
      for (WindowVerdict v : judged) {
        assertThat(v.getControl().getCount()).as(story).isEqualTo(WINDOW / 1000 * PER_SECOND);
        assertThat(v.getExperimental().getCount()).as(story).isEqualTo(WINDOW / 1000 * PER_SECOND);
      }
      int first =
          judged.stream()
              .filter(v -> v.getState() == SteadyState.DEVIATING)
              .mapToInt(v -> (int) ((v.getWindowStart() - t0) / WINDOW))
              .min()
              .orElse(-1);
      assertThat(first).as("first DEVIATING window\n" + story).isBetween(attacked, attacked + 1);
      for (WindowVerdict v : judged.subList(attacked + 2, WINDOWS)) {
        assertThat(v.getState()).as(story).isEqualTo(SteadyState.DEVIATING);
      }

      ExperimentResult result =
          results.await(
              r ->
                  !r.getAttacks().isEmpty()
                      && r.getAttacks().get(0).getMttdMs() != null
                      && r.getExperimentId().equals(experiment),
              Duration.ofSeconds(120));
      assertThat(result.getAttacks().get(0).getMttdMs())
          .as("MTTD\n" + story)
          .isBetween(0L, 2 * WINDOW);
    }
  }

  private static void declare(
      KafkaProducer<String, byte[]> producer, Topics topics, String experiment, long startedAt)
      throws Exception {
    List<MetricHypothesis> hypotheses = new ArrayList<>();
    for (var m : List.of(new Object[] {LATENCY, 0.25}, new Object[] {ERROR, 0.02})) {
      hypotheses.add(
          MetricHypothesis.newBuilder()
              .setMetric((String) m[0])
              .setDirection(HypothesisDirection.INCREASE)
              .setTolerance((Double) m[1])
              .setAlpha(0.01)
              .setCritical(true)
              .build());
    }
    Experiment e =
        Experiment.newBuilder()
            .setExperimentId(experiment)
            .setName("first attacked window")
            .setStartedAt(startedAt)
            .setWindowMs(WINDOW)
            .setWarmupMs(WARMUP_WINDOWS * WINDOW)
            .setRecoveryWindows(3)
            .setHypotheses(hypotheses)
            .build();
    producer
        .send(
            new ProducerRecord<>(
                topics.experiments().name(), null, startedAt, experiment, EXPERIMENTS.encode(e)))
        .get();
  }

  /**
   * The probe's samples in time order, the STARTED event when their time reaches the attack, then
   * one late sample that closes every window. With {@code summaries}, one summary per window, group
   * and metric, sent 200 ms after the window's end as the collector does (docs/adr/0043). With
   * {@code pace}, window w is sent once windows up to w - 2 are judged (w - 1 closes only when w's
   * records move stream time past its end + grace), and the window after the attack's once the
   * analyzer's copy of the STARTED event is committed (the demo sends it seconds before that).
   */
  private static void send(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String experiment,
      long t0,
      long attackAt,
      boolean summaries,
      TopicFollower<?, WindowVerdict> pace,
      TopicFollower<?, AttackEvent> starts)
      throws Exception {
    boolean eventSent = false;
    long step = 1000 / PER_SECOND;
    for (int w = 0; w < WINDOWS; w++) {
      if (pace != null && w >= 2) {
        producer.flush();
        pace.awaitAtLeast(w - 1, v -> LATENCY.equals(v.getMetric()), Duration.ofSeconds(60));
      }
      if (pace != null && w == (attackAt - t0) / WINDOW + 1) {
        // the analyzer's copy of the event committed: read into the anchor's store in time
        starts.await(e -> true, Duration.ofSeconds(60));
      }
      Random random = new Random(w);
      long start = t0 + w * WINDOW;
      List<SampleSummaries.Accumulator> open = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        open.add(new SampleSummaries.Accumulator(start, WINDOW));
      }
      for (long ts = start; ts < start + WINDOW; ts += step) {
        if (!eventSent && ts >= attackAt) {
          started(producer, topics, experiment, attackAt);
          eventSent = true;
        }
        int g = 0;
        for (Group group : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          double factor = group == Group.EXPERIMENTAL && ts >= attackAt ? 2.0 : 1.0;
          double latency = factor * 8 * Math.exp(0.35 * random.nextGaussian());
          if (summaries) {
            open.get(2 * g).add(ts, latency);
            open.get(2 * g + 1).add(ts, 0);
          } else {
            sample(producer, topics, experiment, group, LATENCY, ts, latency, null);
            sample(producer, topics, experiment, group, ERROR, ts, 0, null);
          }
          g++;
        }
      }
      if (summaries) {
        int g = 0;
        for (Group group : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          for (int m = 0; m < 2; m++) {
            SampleSummaries.Accumulator a = open.get(2 * g + m);
            var summary = a.toSummary();
            sample(
                producer,
                topics,
                experiment,
                group,
                m == 0 ? LATENCY : ERROR,
                a.latest(),
                summary.getMean(),
                summary);
          }
          g++;
        }
      }
    }
    // moves each metric's stream time (its key's partition's) past the last window's end + grace
    for (String metric : List.of(LATENCY, ERROR)) {
      sample(
          producer,
          topics,
          experiment,
          Group.CONTROL,
          metric,
          t0 + (WINDOWS + 2) * WINDOW,
          8,
          null);
    }
    producer.flush();
  }

  private static void sample(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String experiment,
      Group group,
      String metric,
      long ts,
      double value,
      SampleSummary summary) {
    MetricSample s =
        MetricSample.newBuilder()
            .setExperimentId(experiment)
            .setMetric(metric)
            .setGroup(group)
            .setTarget(group == Group.CONTROL ? "scale-control" : "scale-experimental")
            .setTimestamp(ts)
            .setValue(value)
            .setSummary(summary)
            .build();
    LatencySamples.send(producer, topics, s, 1);
  }

  private static void started(
      KafkaProducer<String, byte[]> producer, Topics topics, String experiment, long at)
      throws Exception {
    AttackEvent e =
        AttackEvent.newBuilder()
            .setEventId("started-" + experiment)
            .setExperimentId(experiment)
            .setType(AttackEventType.STARTED)
            .setAttackId("cpu")
            .setFault("cpu-burn")
            .setTimestamp(at)
            .build();
    producer
        .send(
            new ProducerRecord<>(
                topics.attackEvents().name(), null, at, experiment, EVENTS.encode(e)))
        .get();
  }
}
