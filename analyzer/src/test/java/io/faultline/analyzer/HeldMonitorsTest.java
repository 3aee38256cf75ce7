package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * docs/adr/0107: the judge on {@link MetricMonitorsStore} gives the verdicts and stored monitors of
 * the store without it, with the monitors held across many windows and commits (the test driver
 * commits after every record, so it never holds one) and through crashes replayed from the last
 * commit.
 */
class HeldMonitorsTest {

  private static final AnalyzerConfig CONFIG =
      AnalyzerConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:1"));
  private static final String[] EXPERIMENTS = {"e0", "e1", "e2", "e3"};
  private static final String[] METRICS = {"latency.ms", "throughput", "jobs.failed"};
  private static final long T0 = 1_700_000_000_000L;
  private static final long WINDOW = CONFIG.window().toMillis();

  /**
   * Random interleavings of the windows of 12 metrics (experiments with a planned start anchored at
   * their first attack, one with a warm-up of its own, one with the defaults; some shifted after
   * the attack, a failure counter among them), a commit every 1 to 200 windows: every verdict, and
   * the store's bytes at every commit, equal those of the store without the layer. Half the seeds
   * cap clean monitors at 2, so some are read back from the store.
   */
  @Test
  void heldMonitorsGiveTheVerdictsAndStoredBytesOfEveryPutWritten() {
    for (long seed = 1; seed <= 12; seed++) {
      List<Record<Windowed<String>, WindowPair>> inputs = randomWindows(seed, 1_500);
      Map<Integer, Boolean> commits = HeldTask.commitPlan(seed, inputs.size(), 200, r -> true);
      Run plain = new Run(null);
      Run held = new Run(seed % 2 == 0 ? 2 : MetricMonitorsStore.CLEAN_MONITORS);
      for (int i = 0; i < inputs.size(); i++) {
        plain.process(inputs.get(i));
        held.process(inputs.get(i));
        if (commits.containsKey(i)) {
          held.commit(true);
          assertThat(held.stored()).as("seed %d, after %d", seed, i).isEqualTo(plain.stored());
        }
      }
      assertThat(plain.out).as("seed %d", seed).hasSize(inputs.size());
      assertThat(plain.out.stream().filter(s -> s.contains("\"DEVIATING\""))).isNotEmpty();
      assertThat(plain.out.stream().filter(s -> s.contains("\"STEADY\""))).isNotEmpty();
      assertThat(held.out).as("seed %d", seed).isEqualTo(plain.out);
    }
  }

  /**
   * Exactly-once, simulated: at random points the task crashes; the store is restored to what the
   * last commit wrote (the transaction aborts, the changelog is restored), the layer is closed
   * dirty and opened again, the verdicts since the commit are discarded, a new judge starts and the
   * windows after the commit are judged again. The verdicts and the store in the end are those of
   * one run on the store without the layer and without crashes: no monitor lost, none doubled.
   */
  @Test
  void crashesBetweenCommitsReplayedFromTheLastCommitGiveTheVerdictsOfNoCrash() {
    for (long seed = 1; seed <= 12; seed++) {
      List<Record<Windowed<String>, WindowPair>> inputs = randomWindows(seed, 1_200);
      Map<Integer, Boolean> commits = HeldTask.commitPlan(seed, inputs.size(), 60, r -> true);
      Run plain = new Run(null);
      inputs.forEach(plain::process);

      Run held = new Run(seed % 2 == 0 ? 2 : MetricMonitorsStore.CLEAN_MONITORS);
      int crashes = held.replayWithCrashes(inputs, commits, new Random(seed * 31), 30, 15);
      assertThat(crashes).as("seed %d", seed).isPositive();
      assertThat(held.out).as("seed %d", seed).isEqualTo(plain.out);
      assertThat(held.stored()).as("seed %d", seed).isEqualTo(plain.stored());
    }
  }

  /**
   * The point of the layer: a monitor held is never decoded again, and is encoded once per commit
   * that judged it, however many of its windows were judged in between; the store without the layer
   * decodes and encodes it per window.
   */
  @Test
  void aMonitorIsNeverDecodedWhileHeldAndEncodedOncePerCommitThatJudgedIt() {
    List<Record<Windowed<String>, WindowPair>> inputs = randomWindows(7, 1_500);
    Run plain = new Run(null);
    Run held = new Run(MetricMonitorsStore.CLEAN_MONITORS);
    Set<String> judgedSinceCommit = new HashSet<>();
    Set<String> keys = new HashSet<>();
    int expectedEncodes = 0;
    for (int i = 0; i < inputs.size(); i++) {
      plain.process(inputs.get(i));
      held.process(inputs.get(i));
      judgedSinceCommit.add(inputs.get(i).key().key());
      keys.add(inputs.get(i).key().key());
      if (i % 50 == 49 || i == inputs.size() - 1) {
        held.commit(true);
        expectedEncodes += judgedSinceCommit.size();
        judgedSinceCommit.clear();
      }
    }
    assertThat(held.out).isEqualTo(plain.out);
    assertThat(held.serde.encodes).isEqualTo(expectedEncodes);
    assertThat(held.serde.decodes).isZero(); // a new monitor is a miss, then held
    assertThat(plain.serde.encodes).isEqualTo(inputs.size());
    assertThat(plain.serde.decodes).isEqualTo(inputs.size() - keys.size());
    assertThat(held.serde.encodes).isLessThan(plain.serde.encodes / 3);
  }

  @Test
  void initCloseAndClearCacheDropWhatWasNotFlushedSoTheStoreIsReadAgain() {
    HeldTask.CountingSerde<WindowJudge.Monitor> serde =
        new HeldTask.CountingSerde<>(StateSerde.monitors());
    KeyValueStore<String, WindowJudge.Monitor> inner =
        HeldTask.inMemory(VerdictProcessor.STORE, serde);
    MetricMonitorsStore store = new MetricMonitorsStore(inner, 10);
    MockProcessorContext<String, WindowVerdict> mock = new MockProcessorContext<>();
    store.init(mock.getStateStoreContext(), store);
    store.put("k", monitor(1));
    assertThat(inner.get("k")).isNull(); // not written before the flush
    store.flushCache();
    assertThat(store.dirtyCount()).isZero();
    assertThat(store.cleanCount()).isOne();
    store.get("k").learnedFrom = 2;
    store.put("k", store.get("k"));
    store.clearCache();
    assertThat(store.get("k").learnedFrom).isEqualTo(1);

    store.put("k", monitor(3));
    store.init(mock.getStateStoreContext(), store); // a revived task
    assertThat(store.get("k").learnedFrom).isEqualTo(1);

    store.put("k", monitor(4));
    store.put("j", monitor(5));
    List<String> all = new ArrayList<>();
    try (KeyValueIterator<String, WindowJudge.Monitor> it = store.all()) {
      it.forEachRemaining(kv -> all.add(kv.key + "=" + kv.value.learnedFrom));
    }
    assertThat(all).containsExactly("j=5", "k=4"); // a read of several keys writes first
    assertThat(store.delete("k").learnedFrom).isEqualTo(4);
    assertThat(store.get("k")).isNull();
    assertThat(inner.get("k")).isNull();

    store.put("j", monitor(6));
    store.close(); // closed dirty: nothing written, nothing held
    assertThat(store.dirtyCount()).isZero();
    assertThat(store.cleanCount()).isZero();
    assertThat(serde.encodes).isEqualTo(3); // k=1 at the flush, j=5 and k=4 before all()
  }

  @Test
  void cleanMonitorsAreBoundedByCountDirtyOnesNever() {
    MetricMonitorsStore store =
        new MetricMonitorsStore(
            HeldTask.inMemory(VerdictProcessor.STORE, StateSerde.monitors()), 2);
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    for (String key : List.of("a", "b", "c", "d")) {
      store.put(key, monitor(key.charAt(0)));
    }
    assertThat(store.dirtyCount()).isEqualTo(4);
    store.flushCache();
    assertThat(store.cleanCount()).isEqualTo(2);
    assertThat(store.get("a").learnedFrom).isEqualTo('a'); // read back from the store
  }

  @Test
  void refusesKafkaStreamsRecordCacheInFrontOfIt() {
    StoreBuilder<KeyValueStore<String, WindowJudge.Monitor>> builder =
        MetricMonitorsStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(VerdictProcessor.STORE),
                Serdes.String(),
                StateSerde.monitors()));
    HeldTask.assertRefusesRecordCache(builder, VerdictProcessor.STORE, MetricMonitorsStore.class);
  }

  private static WindowJudge.Monitor monitor(int learnedFrom) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.learnedFrom = learnedFrom;
    return m;
  }

  /** The judge of one task, on the store with or without the layer. */
  private static final class Run
      extends HeldTask<Record<Windowed<String>, WindowPair>, WindowJudge.Monitor> {
    final MockProcessorContext<String, WindowVerdict> mock;
    VerdictProcessor judge;

    /** {@code cleanMonitors}: the layer's cap, or null for the store without the layer. */
    Run(Integer cleanMonitors) {
      this(new MockProcessorContext<>(), cleanMonitors);
    }

    private Run(MockProcessorContext<String, WindowVerdict> mock, Integer cleanMonitors) {
      super(
          mock.getStateStoreContext(),
          VerdictProcessor.STORE,
          StateSerde.monitors(),
          cleanMonitors == null ? null : inner -> new MetricMonitorsStore(inner, cleanMonitors));
      this.mock = mock;
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
      // e0 and e1 planned to start after 12 windows of warm-up, e2 a warm-up of its own
      definitions.put("e0", ValueAndTimestamp.make(experiment("e0", T0, 12 * WINDOW), 0));
      definitions.put("e1", ValueAndTimestamp.make(experiment("e1", T0, 12 * WINDOW), 0));
      definitions.put("e2", ValueAndTimestamp.make(experiment("e2", null, 8 * WINDOW), 0));
      KeyValueStore<String, AttackStarts.Starts> starts =
          Stores.keyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(AttackStarts.STORE),
                  Serdes.String(),
                  new JsonSerde<>(AttackStarts.Starts.class))
              .withLoggingDisabled()
              .build();
      starts.init(mock.getStateStoreContext(), starts);
      mock.addStateStore(starts);
      AttackStarts.Starts e0 = new AttackStarts.Starts();
      e0.add("a0", T0 + 20 * WINDOW + 300); // the first attack started late
      starts.put("e0", e0);
      start();
    }

    private void start() {
      judge =
          new VerdictProcessor(
              CONFIG.warmupWindows(),
              WINDOW,
              CONFIG.horizonWindows(),
              new Hypotheses(),
              new AnalyzerMetrics());
      judge.init(mock);
    }

    @Override
    void process(Record<Windowed<String>, WindowPair> window) {
      judge.process(window);
      for (MockProcessorContext.CapturedForward<? extends String, ? extends WindowVerdict> f :
          mock.forwarded()) {
        out.add(f.record().key() + " " + f.record().value());
      }
      mock.resetForwards();
    }

    @Override
    void commit(boolean layerFirst) {
      if (store instanceof MetricMonitorsStore layer) {
        layer.flushCache();
      }
    }

    @Override
    void restart() {
      mock.resetForwards();
      start();
    }
  }

  private static Experiment experiment(String id, Long startedAt, long warmupMs) {
    return Experiment.newBuilder()
        .setExperimentId(id)
        .setState(ExperimentState.RUNNING)
        .setStartedAt(startedAt)
        .setWarmupMs(warmupMs)
        .build();
  }

  /**
   * Each metric's windows in order, interleaved at random: 10-30 samples per group; e0's and e2's
   * experimental group 40% higher from window 30, the failure counters' counts rising there.
   */
  private static List<Record<Windowed<String>, WindowPair>> randomWindows(long seed, int n) {
    Random random = new Random(seed);
    Map<String, Integer> next = new HashMap<>();
    List<Record<Windowed<String>, WindowPair>> inputs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String e = EXPERIMENTS[random.nextInt(EXPERIMENTS.length)];
      String metric = METRICS[random.nextInt(METRICS.length)];
      String key = e + "|" + metric;
      int w = next.merge(key, 1, Integer::sum);
      boolean shifted = w >= 30 && (e.equals("e0") || e.equals("e2"));
      boolean counter = metric.endsWith(".failed");
      WindowPair pair =
          new WindowPair(new Summary(), new Summary(), new Quantiles(), new Quantiles());
      int samples = 10 + random.nextInt(21);
      for (int s = 0; s < samples; s++) {
        double c = counter ? w * 2 + random.nextInt(3) : 100 + 10 * random.nextGaussian();
        double x =
            counter
                ? w * 2 + random.nextInt(3) + (shifted ? 3 * (w - 29) : 0)
                : (shifted ? 140 : 100) + 10 * random.nextGaussian();
        pair.control().add(c);
        pair.controlQuantiles().add(c);
        pair.experimental().add(x);
        pair.experimentalQuantiles().add(x);
      }
      long start = T0 + w * WINDOW;
      inputs.add(
          new Record<>(new Windowed<>(key, new TimeWindow(start, start + WINDOW)), pair, start));
    }
    return inputs;
  }
}
