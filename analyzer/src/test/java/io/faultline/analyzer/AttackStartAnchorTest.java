package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.EDetector;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stream anchors the detector where the first attack really started, its STARTED event, not the
 * planned start (docs/adr/0042): one experiment whose warm-up ends at window 8 and whose attack
 * (and fault) starts 5 windows later, replayed through the topology with the event at several
 * places in the input.
 */
class AttackStartAnchorTest {

  private static final String EXPERIMENT = "exp-late";
  private static final String METRIC = "checkout.latency.ms";
  private static final long T0 = 1_700_000_000_000L; // a multiple of 5 s
  private static final long WINDOW = 5_000;
  private static final int WARMUP_WINDOWS = 8;
  private static final int PLANNED = WARMUP_WINDOWS; // the planned start's window
  private static final int STARTED = PLANNED + 5; // where the attack and its fault begin
  private static final int WINDOWS = 30;
  private static final int SEEDS = 50;

  /** Windows after its own that the late STARTED event arrives. */
  private static final int ARRIVAL = 4;

  private static final long STARTED_AT = T0 + STARTED * WINDOW + 1_200;

  private final Topics topics = new Topics("t.", 1);
  private final AvroSerde<MetricSample> samples = AvroSerde.of(MetricSample.class);

  /** Where the STARTED event goes into the input. */
  private sealed interface EventAt {}

  /** Before any sample. */
  private record First(long startedAt) implements EventAt {}

  /** After the samples of window {@code index} (windows close one window later). */
  private record After(int index, long startedAt) implements EventAt {}

  /** No STARTED event at all. */
  private record Never() implements EventAt {}

  @Test
  void anAttackFiveWindowsLateIsDetectedSoonerAnchoredAtItsStartedEvent() throws Exception {
    List<WindowVerdict> started = run(new First(STARTED_AT), 7);
    // the planned anchor: a STARTED at the planned start, as the stream anchored before
    List<WindowVerdict> planned = run(new First(T0 + PLANNED * WINDOW), 7);
    int atStarted = firstDeviating(started);
    int atPlanned = firstDeviating(planned);
    assertThat(atStarted).isGreaterThanOrEqualTo(STARTED);
    System.out.printf(
        "first DEVIATING window: anchored at STARTED %d, at the planned start %d%n",
        atStarted, atPlanned);
    assertThat(atPlanned).isGreaterThan(atStarted);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theVerdictsDoNotDependOnWhetherTheEventOrTheWindowsCameFirst(long seed) throws Exception {
    StateSerde<WindowJudge.Monitor> serde = StateSerde.monitors();
    List<WindowVerdict> first = run(new First(STARTED_AT), seed);
    byte[] firstState = serde.serialize("", lastMonitor);
    // the event after the windows up to its own: its window is judged when the next one's
    // samples close it, so the event comes in time
    List<WindowVerdict> inTime = run(new After(STARTED, STARTED_AT), seed);
    byte[] inTimeState = serde.serialize("", lastMonitor);
    // 3 windows after its window was judged: anchored after the fact
    List<WindowVerdict> late = run(new After(STARTED + ARRIVAL, STARTED_AT), seed);
    byte[] lateState = serde.serialize("", lastMonitor);
    assertThat(judged(inTime)).as("seed %d", seed).isEqualTo(judged(first));
    // a verdict shows the largest track's statistic only: every track's state, byte for byte
    // (the mean track's drift differed while the p99 track's statistic hid it, docs/adr/0075)
    assertThat(inTimeState).as("seed %d: the state, in time", seed).isEqualTo(firstState);
    assertThat(fromWindow(late, 0).subList(0, STARTED))
        .as("seed %d: before the attack", seed)
        .isEqualTo(fromWindow(first, 0).subList(0, STARTED));
    if (!states(first, STARTED, ARRIVAL).equals(states(late, STARTED, ARRIVAL))) {
      // ADR 0042's one exception: a window judged before the late event's arrival alarmed with
      // the anchor and not while it waited (or the other way), and the alarm changed the detector
      assertThat(states(first, STARTED, ARRIVAL))
          .as("seed %d: the windows before the late event's arrival", seed)
          .contains(SteadyState.DEVIATING);
      System.out.printf(
          "seed %d: an alarm before the late event's arrival with the event first: %s, late: %s%n",
          seed, states(first, STARTED, ARRIVAL), states(late, STARTED, ARRIVAL));
      return;
    }
    assertThat(lateState).as("seed %d: the state, late", seed).isEqualTo(firstState);
    assertThat(fromWindow(late, STARTED + ARRIVAL))
        .as("seed %d: from the event's arrival on", seed)
        .isEqualTo(fromWindow(first, STARTED + ARRIVAL));
  }

  /** The states of {@code count} windows from window {@code from}. */
  private static List<SteadyState> states(List<WindowVerdict> verdicts, int from, int count) {
    List<SteadyState> out = new ArrayList<>();
    for (WindowVerdict v : judged(verdicts).subList(from, from + count)) {
      out.add(v == null ? null : v.getState());
    }
    return out;
  }

  /** The seeds of the order property: ADR 0042's exactness showed at seed 3, not at seed 1. */
  static LongStream seeds() {
    return LongStream.rangeClosed(1, SEEDS);
  }

  @Test
  void aStartWithinTheWarmUpAnchorsAtItsEnd() throws Exception {
    long early = T0 + 3 * WINDOW;
    List<WindowVerdict> inWarmUp = run(new First(early), 3);
    List<WindowVerdict> atEnd = run(new First(T0 + PLANNED * WINDOW), 3);
    assertThat(judged(inWarmUp)).isEqualTo(judged(atEnd));
  }

  @Test
  void withoutAStartedEventTheAnchorWaits() throws Exception {
    List<WindowVerdict> never = run(new Never(), 3);
    List<WindowVerdict> started = run(new First(STARTED_AT), 3);
    // the same windows before the attack (the anchor is 1 in both), detected without the anchor
    // no sooner than with it
    assertThat(fromWindow(never, 0).subList(0, STARTED))
        .isEqualTo(fromWindow(started, 0).subList(0, STARTED));
    assertThat(firstDeviating(never)).isGreaterThanOrEqualTo(firstDeviating(started));
  }

  @Test
  void anEarlierStartArrivingAfterTheAnchorIsPlacedIsNotReadAndChangesNothing() throws Exception {
    List<WindowVerdict> once = run(new First(STARTED_AT), 5);
    // a second attack that started 4 windows before the first, reported 4 windows after it
    After earlier = new After(STARTED + 4, T0 + (STARTED - 4) * WINDOW);
    List<WindowVerdict> twice = run(new First(STARTED_AT), 5, earlier);
    assertThat(judged(twice)).isEqualTo(judged(once));
    // the anchor was placed when the first STARTED was read: the store is not read again, so the
    // monitor keeps the start it anchored at (docs/adr/0046)
    assertThat(lastMonitor.attackAt).isEqualTo(STARTED_AT);
    assertThat(VerdictProcessor.anchored(lastMonitor)).isTrue();
  }

  @Test
  void aMonitorIsAnchoredOnlyOnceEveryDetectorHasItsAnchor() {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    assertThat(VerdictProcessor.anchored(m)).as("no start, no tracks").isFalse();
    m.attackAt = STARTED_AT;
    assertThat(VerdictProcessor.anchored(m)).as("tracks not learned yet").isFalse();
    WindowJudge.Track mean = new WindowJudge.Track();
    WindowJudge.Track p99 = new WindowJudge.Track();
    m.tracks = new ArrayList<>(List.of(mean, p99));
    mean.detector.anchor = 3;
    p99.detector.anchor = EDetector.PENDING;
    assertThat(VerdictProcessor.anchored(m)).as("one anchor pending").isFalse();
    p99.detector.anchor = -1; // spent
    assertThat(VerdictProcessor.anchored(m)).isTrue();
    m.attackAt = 0;
    assertThat(VerdictProcessor.anchored(m)).as("no start").isFalse();
  }

  /** The latency metric's monitor as stored at the end of the last {@link #run}. */
  private WindowJudge.Monitor lastMonitor;

  private List<WindowVerdict> run(EventAt event, long seed) throws Exception {
    return run(event, seed, null);
  }

  /**
   * One replay, with {@code second} another attack's STARTED; the verdicts of the latency metric in
   * window order.
   */
  private List<WindowVerdict> run(EventAt event, long seed, After second) throws Exception {
    try (TopologyDriver analyzer = TopologyDriver.start(topics, Map.of())) {
      TestInputTopic<String, byte[]> metrics = analyzer.rawInput(topics.metrics());
      TestInputTopic<String, AttackEvent> events = analyzer.input(topics.attackEvents());
      TestOutputTopic<String, WindowVerdict> out = analyzer.output(topics.steadyState());
      analyzer
          .input(topics.experiments())
          .pipeInput(
              EXPERIMENT,
              Experiment.newBuilder()
                  .setExperimentId(EXPERIMENT)
                  .setName("late attack")
                  .setStartedAt(T0)
                  .setWarmupMs(WARMUP_WINDOWS * WINDOW)
                  .build(),
              T0);
      if (event instanceof First f) {
        started(events, f.startedAt());
      }
      Random random = new Random(seed);
      for (int w = 0; w <= WINDOWS; w++) {
        double factor = w >= STARTED ? 1.45 : 1.0;
        for (int i = 0; i < 3; i++) {
          long ts = T0 + w * WINDOW + i * 1_500L;
          sample(metrics, Group.CONTROL, ts, 100 * Math.exp(0.25 * random.nextGaussian()));
          sample(
              metrics,
              Group.EXPERIMENTAL,
              ts,
              factor * 100 * Math.exp(0.25 * random.nextGaussian()));
        }
        if (event instanceof After a && a.index() == w) {
          started(events, a.startedAt());
        }
        if (second != null && second.index() == w) {
          started(events, "attack-2", second.startedAt());
        }
      }
      lastMonitor =
          analyzer
              .driver
              .<String, WindowJudge.Monitor>getKeyValueStore(VerdictProcessor.STORE)
              .get(Topics.metricKey(EXPERIMENT, METRIC));
      List<WindowVerdict> verdicts = new ArrayList<>();
      for (WindowVerdict v : out.readValuesToList()) {
        if (METRIC.equals(v.getMetric())) {
          verdicts.add(v);
        }
      }
      return verdicts;
    }
  }

  private void sample(TestInputTopic<String, byte[]> metrics, Group group, long ts, double value) {
    metrics.pipeInput(
        Topics.metricKey(EXPERIMENT, METRIC),
        samples.encode(
            MetricSample.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setMetric(METRIC)
                .setGroup(group)
                .setTarget(group == Group.CONTROL ? "control" : "experiment")
                .setTimestamp(ts)
                .setValue(value)
                .setUnit("ms")
                .build()),
        ts);
  }

  private static void started(TestInputTopic<String, AttackEvent> events, long at) {
    started(events, "attack-1", at);
  }

  private static void started(TestInputTopic<String, AttackEvent> events, String attack, long at) {
    events.pipeInput(
        EXPERIMENT,
        AttackEvent.newBuilder()
            .setEventId("ev-started-" + attack)
            .setExperimentId(EXPERIMENT)
            .setAttackId(attack)
            .setType(AttackEventType.STARTED)
            .setFault("latency")
            .setTimestamp(at)
            .build(),
        at);
  }

  /** The verdicts by window index from T0 (null where none was published). */
  private static List<WindowVerdict> fromWindow(List<WindowVerdict> verdicts, int from) {
    List<WindowVerdict> out = new ArrayList<>();
    for (WindowVerdict v : verdicts) {
      if ((v.getWindowStart() - T0) / WINDOW >= from) {
        out.add(v);
      }
    }
    return out;
  }

  private static List<WindowVerdict> judged(List<WindowVerdict> verdicts) {
    List<WindowVerdict> out = new ArrayList<>();
    for (int w = 0; w <= WINDOWS; w++) {
      out.add(null);
    }
    for (WindowVerdict v : verdicts) {
      out.set((int) ((v.getWindowStart() - T0) / WINDOW), v);
    }
    return out;
  }

  /** The first DEVIATING window's index, or a large number when none. */
  private static int firstDeviating(List<WindowVerdict> verdicts) {
    for (WindowVerdict v : verdicts) {
      if (v.getState() == SteadyState.DEVIATING) {
        return (int) ((v.getWindowStart() - T0) / WINDOW);
      }
    }
    return Integer.MAX_VALUE;
  }
}
