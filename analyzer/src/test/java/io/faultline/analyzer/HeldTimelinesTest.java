package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * docs/adr/0100: the result processor and the publisher on {@link ExperimentTimelinesStore} give
 * the alerts, halts, results and stored timelines of the store without it, with the timelines held
 * across many inputs and commits (the test driver commits after every record, so it never holds
 * one) and through crashes replayed from the last commit.
 */
class HeldTimelinesTest {

  private static final String[] METRICS = {"m0", "m1", "m2", "m3", "m4"};
  private static final AnalyzerConfig CONFIG =
      AnalyzerConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:1"));

  /**
   * Random interleavings of verdicts (some replayed), attack events (some again, some ends before
   * their start) and batch runs (some again, some with another checksum or -0.0 for 0.0), a commit
   * every 1 to 200 inputs, the timelines' flush before or after the due table's: every alert, halt,
   * result due and result, and the store's bytes at every commit, equal those of the store without
   * the layer. Clean timelines are capped at two, so some are read back from the store.
   */
  @Test
  void heldTimelinesGiveTheOutputsAndStoredBytesOfEveryPutWritten() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Record<String, ResultInput>> inputs = randomInputs(seed, 3_000);
      Map<Integer, Boolean> commits =
          HeldTask.commitPlan(seed, inputs.size(), 200, Random::nextBoolean);
      Run plain = new Run(null);
      Run held = new Run(seed % 2 == 0 ? 2 : ExperimentTimelinesStore.CLEAN_TIMELINES);
      for (int i = 0; i < inputs.size(); i++) {
        plain.process(inputs.get(i));
        held.process(inputs.get(i));
        Boolean timelinesFirst = commits.get(i);
        if (timelinesFirst != null) {
          plain.commit(timelinesFirst);
          held.commit(timelinesFirst);
          assertThat(held.stored()).as("seed %d, after %d", seed, i).isEqualTo(plain.stored());
        }
      }
      assertThat(plain.out).as("seed %d", seed).hasSizeGreaterThan(200);
      assertThat(plain.out.stream().filter(s -> s.startsWith("alert "))).isNotEmpty();
      assertThat(plain.out.stream().filter(s -> s.startsWith("halt "))).isNotEmpty();
      assertThat(plain.out.stream().filter(s -> s.startsWith("result "))).hasSizeGreaterThan(20);
      assertThat(held.out).as("seed %d", seed).isEqualTo(plain.out);
    }
  }

  /**
   * Exactly-once, simulated: at random points the task crashes; the store is restored to what the
   * last commit wrote (the transaction aborts, the changelog is restored), the layer is closed
   * dirty and opened again, the outputs since the commit are discarded, new processors start and
   * the inputs after the commit are read again. The outputs in the end are those of one run on the
   * store without the layer and without crashes.
   */
  @Test
  void crashesBetweenCommitsReplayedFromTheLastCommitGiveTheOutputsOfNoCrash() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Record<String, ResultInput>> inputs = randomInputs(seed, 2_000);
      Map<Integer, Boolean> commits =
          HeldTask.commitPlan(seed, inputs.size(), 60, Random::nextBoolean);
      Run plain = new Run(null);
      for (int i = 0; i < inputs.size(); i++) {
        plain.process(inputs.get(i));
        if (commits.containsKey(i)) {
          plain.commit(commits.get(i));
        }
      }

      Run held = new Run(seed % 2 == 0 ? 2 : ExperimentTimelinesStore.CLEAN_TIMELINES);
      int crashes = held.replayWithCrashes(inputs, commits, new Random(seed * 31), 40, 15);
      assertThat(crashes).as("seed %d", seed).isPositive();
      assertThat(held.out).as("seed %d", seed).isEqualTo(plain.out);
      assertThat(held.stored()).as("seed %d", seed).isEqualTo(plain.stored());
    }
  }

  /**
   * The point of the layer: an experiment's timeline is decoded once while it is held and encoded
   * once per commit that changed it, however many of its metrics were judged in between; the store
   * without the layer decodes and encodes it per verdict, and once more per result.
   */
  @Test
  void aTimelineIsDecodedOnceWhileHeldAndEncodedOncePerCommitThatChangedIt() {
    List<Record<String, ResultInput>> inputs = randomInputs(7, 3_000);
    Run plain = new Run(null);
    Run held = new Run(ExperimentTimelinesStore.CLEAN_TIMELINES);
    Set<String> changedSinceCommit = new HashSet<>();
    Set<String> experiments = new HashSet<>();
    int expectedEncodes = 0;
    for (int i = 0; i < inputs.size(); i++) {
      plain.process(inputs.get(i));
      int before = held.dues;
      held.process(inputs.get(i));
      if (held.dues > before) { // a result due: the timeline changed and was put
        changedSinceCommit.add(inputs.get(i).key());
      }
      experiments.add(inputs.get(i).key());
      if (i % 50 == 49 || i == inputs.size() - 1) {
        plain.commit(true);
        held.commit(true);
        expectedEncodes += changedSinceCommit.size();
        changedSinceCommit.clear();
      }
    }
    assertThat(held.out).isEqualTo(plain.out);
    assertThat(held.serde.encodes).isEqualTo(expectedEncodes);
    // each experiment's timeline is read from the store at most once: when first asked for
    assertThat(held.serde.decodes).isLessThanOrEqualTo(experiments.size());
    assertThat(plain.serde.encodes).isGreaterThan(3 * held.serde.encodes);
    assertThat(plain.serde.decodes).isGreaterThan(10 * experiments.size());
  }

  /** The result processor, the table of due results and the publisher of one task. */
  private static final class Run extends HeldTask<Record<String, ResultInput>, ExperimentTimeline> {
    final MockProcessorContext<String, Object> mock;
    final Capture<Object> processorContext;
    final Capture<ExperimentResult> publisherContext;
    final LinkedHashMap<String, Record<String, Long>> due = new LinkedHashMap<>();
    final AnalyzerMetrics metrics = new AnalyzerMetrics();
    ResultProcessor processor;
    ResultPublisher publisher;
    int dues;

    /** {@code cleanTimelines}: the layer's cap, or null for the store without the layer. */
    Run(Integer cleanTimelines) {
      this(new MockProcessorContext<>(), cleanTimelines);
    }

    private Run(MockProcessorContext<String, Object> mock, Integer cleanTimelines) {
      super(
          mock.getStateStoreContext(),
          ResultProcessor.STORE,
          StateSerde.timelines(),
          cleanTimelines == null
              ? null
              : inner -> new ExperimentTimelinesStore(inner, cleanTimelines, Long.MAX_VALUE));
      this.mock = mock;
      processorContext = new Capture<>(mock);
      publisherContext = new Capture<>(mock);
      mock.addStateStore(store);
      TimestampedKeyValueStore<String, Experiment> definitions =
          Stores.timestampedKeyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(Hypotheses.STORE),
                  Serdes.String(),
                  AvroSerde.of(Experiment.class))
              .withLoggingDisabled()
              .build();
      definitions.init(mock.getStateStoreContext(), definitions);
      mock.addStateStore(definitions);
      definitions.put("e0", ValueAndTimestamp.make(aborting("e0"), 0));
      definitions.put("e2", ValueAndTimestamp.make(aborting("e2"), 0));
      start();
    }

    private void start() {
      ResultTerms terms = ResultTerms.of(CONFIG, metrics);
      processor = new ResultProcessor(terms);
      processor.init(processorContext);
      publisher = new ResultPublisher(terms);
      publisher.init(publisherContext);
    }

    @Override
    void process(Record<String, ResultInput> input) {
      processor.process(InternalFixedKeyRecordFactory.create(input));
      for (Record<String, Object> r : processorContext.drain()) {
        if (r.value() instanceof ResultProcessor.ResultDue d) {
          dues++;
          out.add("due " + r.key() + " " + d.at());
          due.remove(r.key()); // the record cache moves a key put again to the end
          due.put(r.key(), new Record<>(r.key(), d.at(), r.timestamp()));
        } else if (r.value() instanceof AttackCommand halt) {
          AttackCommand copy = AttackCommand.newBuilder(halt).setIssuedAt(0).build(); // wall clock
          out.add("halt " + r.key() + " " + copy);
        } else {
          out.add("alert " + r.key() + " " + r.value());
        }
      }
    }

    /** The commit's flush: the timelines' layer and the due table, in either order. */
    @Override
    void commit(boolean timelinesFirst) {
      if (timelinesFirst) {
        flushTimelines();
      }
      for (Record<String, Long> r : due.values()) {
        publisher.process(InternalFixedKeyRecordFactory.create(r));
        for (Record<String, Object> result : publisherContext.drain()) {
          out.add("result " + result.key() + " " + result.value());
        }
      }
      due.clear();
      if (!timelinesFirst) {
        flushTimelines();
      }
    }

    private void flushTimelines() {
      if (store instanceof ExperimentTimelinesStore layer) {
        layer.flushCache();
      }
    }

    @Override
    void restart() {
      due.clear(); // in memory, not logged: gone with the task
      processorContext.drain();
      publisherContext.drain();
      start();
    }
  }

  /** An experiment whose hypotheses abort on an effect beyond 80%. */
  private static Experiment aborting(String id) {
    List<MetricHypothesis> hypotheses = new ArrayList<>();
    for (String m : METRICS) {
      hypotheses.add(
          MetricHypothesis.newBuilder()
              .setMetric(m)
              .setDirection(HypothesisDirection.EITHER)
              .setAbortThreshold(0.8)
              .setCritical(m.equals("m0"))
              .build());
    }
    return Experiment.newBuilder()
        .setExperimentId(id)
        .setState(ExperimentState.RUNNING)
        .setHypotheses(hypotheses)
        .build();
  }

  /**
   * Four experiments, five metrics each, windows of 1 s judged in order with one in ten replayed;
   * attacks started and stopped (some events twice, some stops first); batch runs with two
   * checksums, some sent again, some samples not a run's.
   */
  private static List<Record<String, ResultInput>> randomInputs(long seed, int n) {
    Random random = new Random(seed);
    List<Record<String, ResultInput>> inputs = new ArrayList<>(n);
    Map<String, Integer> nextWindow = new HashMap<>();
    Map<String, TreeMap<Integer, WindowVerdict>> judged = new HashMap<>();
    long t0 = 1_700_000_000_000L;
    for (int i = 0; i < n; i++) {
      String e = "e" + random.nextInt(4);
      int dice = random.nextInt(100);
      if (dice < 75) {
        String metric = METRICS[random.nextInt(METRICS.length)];
        String key = e + "|" + metric;
        TreeMap<Integer, WindowVerdict> earlier = judged.computeIfAbsent(key, k -> new TreeMap<>());
        WindowVerdict v;
        if (!earlier.isEmpty() && random.nextInt(10) == 0) {
          v = earlier.get(earlier.ceilingKey(random.nextInt(earlier.lastKey() + 1)));
        } else {
          int w = nextWindow.merge(key, 1, Integer::sum);
          v = verdict(random, e, metric, t0 + w * 1_000L);
          earlier.put(w, v);
        }
        inputs.add(new Record<>(e, ResultInput.of(v), v.getWindowEnd()));
      } else if (dice < 88) {
        int attack = random.nextInt(3);
        boolean start = random.nextInt(3) > 0;
        long at = t0 + (attack * 60 + (start ? 5 : 40)) * 1_000L + random.nextInt(500);
        AttackEvent event =
            AttackEvent.newBuilder()
                .setEventId("ev" + i)
                .setExperimentId(e)
                .setType(
                    start
                        ? AttackEventType.STARTED
                        : random.nextInt(8) == 0 ? AttackEventType.FAILED : AttackEventType.STOPPED)
                .setAttackId(random.nextInt(20) == 0 ? null : e + "-a" + attack)
                .setFault("latency")
                .setTimestamp(at)
                .build();
        inputs.add(new Record<>(e, ResultInput.of(event), at));
      } else {
        int run = 1 + random.nextInt(4);
        boolean runSample = random.nextInt(10) > 0;
        Map<String, String> labels =
            runSample
                ? Map.of(
                    PipelineRuns.RUN_LABEL,
                    String.valueOf(run),
                    PipelineRuns.CHECKSUM_LABEL,
                    random.nextInt(4) == 0 ? "bbbb" : "aaaa")
                : Map.of();
        double value =
            random.nextInt(3) == 0
                ? (random.nextBoolean() ? 0.0 : -0.0)
                : 1_000 * (1 + random.nextInt(3));
        MetricSample s =
            MetricSample.newBuilder()
                .setExperimentId(e)
                .setMetric(
                    random.nextBoolean() ? "pipeline.job.duration.ms" : "pipeline.tasks.failed")
                .setGroup(random.nextBoolean() ? Group.CONTROL : Group.EXPERIMENTAL)
                .setTimestamp(t0 + run * 60_000L)
                .setValue(value)
                .setLabels(labels)
                .build();
        inputs.add(new Record<>(e, ResultInput.ofRun(s), s.getTimestamp()));
      }
    }
    return inputs;
  }

  private static WindowVerdict verdict(Random random, String e, String metric, long start) {
    int s = random.nextInt(10);
    SteadyState state =
        s < 5
            ? SteadyState.STEADY
            : s < 8
                ? SteadyState.DEVIATING
                : s < 9 ? SteadyState.INSUFFICIENT_DATA : SteadyState.UNKNOWN;
    double control = 100 + random.nextGaussian();
    double effect = state == SteadyState.DEVIATING ? random.nextGaussian() * 0.6 : 0.02;
    return WindowVerdict.newBuilder()
        .setExperimentId(e)
        .setMetric(metric)
        .setWindowStart(start)
        .setWindowEnd(start + 1_000)
        .setControl(group(control))
        .setExperimental(group(control * (1 + effect)))
        .setEffect(effect)
        .setTestStatistic(random.nextGaussian())
        .setState(state)
        .build();
  }

  private static GroupStatistics group(double mean) {
    return GroupStatistics.newBuilder()
        .setCount(20)
        .setMean(mean)
        .setVariance(1)
        .setMin(mean - 3)
        .setMax(mean + 3)
        .setSum(20 * mean)
        .build();
  }

  /**
   * A fixed-key processor's context (kafka-streams-test-utils 4.1 has none): forwards captured,
   * stores and the rest from a {@link MockProcessorContext}.
   */
  private static final class Capture<V> implements FixedKeyProcessorContext<String, V> {
    private final MockProcessorContext<String, Object> mock;
    private final List<Record<String, Object>> forwarded = new ArrayList<>();

    Capture(MockProcessorContext<String, Object> mock) {
      this.mock = mock;
    }

    List<Record<String, Object>> drain() {
      List<Record<String, Object>> out = new ArrayList<>(forwarded);
      forwarded.clear();
      return out;
    }

    @Override
    public <K extends String, W extends V> void forward(FixedKeyRecord<K, W> record) {
      forwarded.add(new Record<>(record.key(), record.value(), record.timestamp()));
    }

    @Override
    public <K extends String, W extends V> void forward(
        FixedKeyRecord<K, W> record, String childName) {
      forward(record);
    }

    @Override
    public String applicationId() {
      return mock.applicationId();
    }

    @Override
    public TaskId taskId() {
      return mock.taskId();
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
      return Optional.empty();
    }

    @Override
    public Serde<?> keySerde() {
      return mock.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
      return mock.valueSerde();
    }

    @Override
    public File stateDir() {
      return mock.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
      return mock.metrics();
    }

    @Override
    public <S extends StateStore> S getStateStore(String name) {
      return mock.getStateStore(name);
    }

    @Override
    public Cancellable schedule(Duration interval, PunctuationType type, Punctuator callback) {
      return () -> {}; // the series' sweep is not this test's
    }

    @Override
    public void commit() {}

    @Override
    public Map<String, Object> appConfigs() {
      return mock.appConfigs();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
      return mock.appConfigsWithPrefix(prefix);
    }

    @Override
    public long currentSystemTimeMs() {
      return 0;
    }

    @Override
    public long currentStreamTimeMs() {
      return 0;
    }
  }
}
