package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.WindowVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
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
      Set<Integer> commits = commitPlan(seed, inputs.size(), 200);
      Run plain = new Run(null);
      Run held = new Run(seed % 2 == 0 ? 2 : MetricMonitorsStore.CLEAN_MONITORS);
      for (int i = 0; i < inputs.size(); i++) {
        plain.process(inputs.get(i));
        held.process(inputs.get(i));
        if (commits.contains(i)) {
          held.commit();
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
      Set<Integer> commits = commitPlan(seed, inputs.size(), 60);
      Run plain = new Run(null);
      inputs.forEach(plain::process);

      Run held = new Run(seed % 2 == 0 ? 2 : MetricMonitorsStore.CLEAN_MONITORS);
      Random random = new Random(seed * 31);
      Map<String, String> committedStore = Map.of();
      int committedOut = 0;
      int committedInputs = 0;
      int crashes = 0;
      int i = 0;
      while (i < inputs.size()) {
        held.process(inputs.get(i));
        if (commits.contains(i)) {
          held.commit();
          committedStore = held.stored();
          committedOut = held.out.size();
          committedInputs = i + 1;
        } else if (random.nextInt(30) == 0 && crashes < 15) {
          crashes++;
          held.crash(committedStore);
          held.out.subList(committedOut, held.out.size()).clear();
          i = committedInputs;
          continue;
        }
        i++;
      }
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
        held.commit();
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
    CountingSerde serde = new CountingSerde();
    KeyValueStore<String, WindowJudge.Monitor> inner = inner(serde);
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
    MetricMonitorsStore store = new MetricMonitorsStore(inner(new CountingSerde()), 2);
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
    assertThatThrownBy(builder::withCachingEnabled)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining(VerdictProcessor.STORE);
    assertThat(builder.withLoggingDisabled().build()).isInstanceOf(MetricMonitorsStore.class);
  }

  private static WindowJudge.Monitor monitor(int learnedFrom) {
    WindowJudge.Monitor m = new WindowJudge.Monitor();
    m.learnedFrom = learnedFrom;
    return m;
  }

  private static KeyValueStore<String, WindowJudge.Monitor> inner(CountingSerde serde) {
    return Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(VerdictProcessor.STORE), Serdes.String(), serde)
        .withLoggingDisabled()
        .build();
  }

  /** After which windows the task commits: 1 to {@code maxGap} apart, and after the last. */
  private static Set<Integer> commitPlan(long seed, int n, int maxGap) {
    Random random = new Random(seed * 17);
    Set<Integer> commits = new HashSet<>();
    for (int i = random.nextInt(maxGap); i < n; i += 1 + random.nextInt(maxGap)) {
      commits.add(i);
    }
    commits.add(n - 1);
    return commits;
  }

  /** The judge of one task, on the store with or without the layer. */
  private static final class Run {
    final CountingSerde serde = new CountingSerde();
    final MockProcessorContext<String, WindowVerdict> mock = new MockProcessorContext<>();
    final KeyValueStore<String, WindowJudge.Monitor> inner = inner(serde);
    final KeyValueStore<String, WindowJudge.Monitor> store;
    final List<String> out = new ArrayList<>();
    VerdictProcessor judge;

    /** {@code cleanMonitors}: the layer's cap, or null for the store without the layer. */
    Run(Integer cleanMonitors) {
      store = cleanMonitors == null ? inner : new MetricMonitorsStore(inner, cleanMonitors);
      store.init(mock.getStateStoreContext(), store);
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

    void process(Record<Windowed<String>, WindowPair> window) {
      judge.process(window);
      for (MockProcessorContext.CapturedForward<? extends String, ? extends WindowVerdict> f :
          mock.forwarded()) {
        out.add(f.record().key() + " " + f.record().value());
      }
      mock.resetForwards();
    }

    void commit() {
      if (store instanceof MetricMonitorsStore layer) {
        layer.flushCache();
      }
    }

    /** Closed dirty, the store restored to {@code committed}, reopened, a new judge. */
    void crash(Map<String, String> committed) {
      store.close();
      List<String> keys = new ArrayList<>();
      try (KeyValueIterator<String, WindowJudge.Monitor> it = inner.all()) {
        it.forEachRemaining(kv -> keys.add(kv.key));
      }
      keys.forEach(inner::delete);
      committed.forEach(
          (key, hex) -> inner.put(key, serde.deserialize("", HexFormat.of().parseHex(hex))));
      store.init(mock.getStateStoreContext(), store);
      mock.resetForwards();
      start();
    }

    /** The store under the layer: every monitor's bytes (hex), by key. */
    Map<String, String> stored() {
      Map<String, String> all = new TreeMap<>();
      try (KeyValueIterator<String, WindowJudge.Monitor> it = inner.all()) {
        it.forEachRemaining(
            kv -> all.put(kv.key, HexFormat.of().formatHex(serde.encode(kv.value))));
      }
      return all;
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

  /** The monitors' serde, counting its encodes and decodes. */
  private static final class CountingSerde implements Serde<WindowJudge.Monitor> {
    private final StateSerde<WindowJudge.Monitor> serde = StateSerde.monitors();
    int encodes;
    int decodes;

    byte[] encode(WindowJudge.Monitor m) {
      return serde.serialize("", m);
    }

    WindowJudge.Monitor deserialize(String topic, byte[] bytes) {
      return serde.deserialize(topic, bytes);
    }

    @Override
    public org.apache.kafka.common.serialization.Serializer<WindowJudge.Monitor> serializer() {
      return (topic, m) -> {
        encodes++;
        return serde.serialize(topic, m);
      };
    }

    @Override
    public org.apache.kafka.common.serialization.Deserializer<WindowJudge.Monitor> deserializer() {
      return (topic, bytes) -> {
        decodes++;
        return serde.deserialize(topic, bytes);
      };
    }
  }
}
