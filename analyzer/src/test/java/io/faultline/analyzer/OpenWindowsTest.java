package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

class OpenWindowsTest {

  private static Record<String, MetricSample> sample(String key, Group group, double v, long ts) {
    return new Record<>(
        key,
        MetricSample.newBuilder()
            .setExperimentId("e")
            .setMetric("m")
            .setGroup(group)
            .setTimestamp(ts)
            .setValue(v)
            .build(),
        ts);
  }

  private static TimestampedKeyValueStore<String, WindowPair> store(
      MockProcessorContext<Windowed<String>, WindowPair> context) {
    return register(
        context, OpenWindowsStore.builder(plainBuilder(), SERDE).withLoggingDisabled().build());
  }

  /**
   * The store as it was before docs/adr/0078: every put encoded (the record cache's part aside).
   */
  private static StoreBuilder<TimestampedKeyValueStore<String, WindowPair>> plainBuilder() {
    return Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(OpenWindows.STORE), Serdes.String(), SERDE)
        .withLoggingDisabled();
  }

  private static <S extends TimestampedKeyValueStore<String, WindowPair>> S register(
      MockProcessorContext<Windowed<String>, WindowPair> context, S store) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  @Test
  void forwardsEachWindowOnceWhenItClosesAndDropsASampleBeyondTheGrace() {
    MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
    store(context);
    OpenWindows windows = new OpenWindows(5_000, 1_000);
    windows.init(context);

    windows.process(sample("e|m", Group.CONTROL, 1, 1_000));
    windows.process(sample("e|m", Group.EXPERIMENTAL, 2, 4_600));
    windows.process(sample("e|n", Group.CONTROL, 3, 2_000));
    // stream time 5,900: the first window (end 5,000) is late but open within the grace
    windows.process(sample("e|m", Group.CONTROL, 4, 5_900));
    windows.process(sample("e|m", Group.CONTROL, 5, 4_900));
    assertThat(context.forwarded()).isEmpty();

    // stream time 6,000 = end + grace: both keys' first windows close, by key
    windows.process(sample("e|n", Group.CONTROL, 6, 6_000));
    assertThat(context.forwarded()).hasSize(2);
    var first = context.forwarded().get(0).record();
    assertThat(first.key().key()).isEqualTo("e|m");
    assertThat(first.key().window().start()).isZero();
    assertThat(first.key().window().end()).isEqualTo(5_000);
    assertThat(first.value().control().count()).isEqualTo(2);
    assertThat(first.value().control().sum()).isEqualTo(6.0);
    assertThat(first.value().experimental().count()).isEqualTo(1);
    assertThat(first.timestamp()).isEqualTo(4_900); // the latest sample time in the window
    assertThat(context.forwarded().get(1).record().key().key()).isEqualTo("e|n");

    // a sample of a closed window is dropped: that window is not forwarded again
    windows.process(sample("e|m", Group.CONTROL, 100, 4_950));
    windows.process(sample("e|m", Group.CONTROL, 7, 12_000));
    assertThat(context.forwarded()).hasSize(4);
    var second = context.forwarded().get(2).record();
    assertThat(second.key().key()).isEqualTo("e|m");
    assertThat(second.key().window().start()).isEqualTo(5_000);
    assertThat(second.value().control().count()).isEqualTo(1);
    assertThat(second.value().control().sum()).isEqualTo(4.0);
  }

  @Test
  void aRestartReadsItsOpenWindowsAndStreamTimeFromTheStore() {
    MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
    store(context);
    OpenWindows before = new OpenWindows(5_000, 0);
    before.init(context);
    before.process(sample("e|m", Group.CONTROL, 1, 1_000));
    before.process(sample("e|m", Group.CONTROL, 2, 6_000)); // closes [0, 5000)
    assertThat(context.forwarded()).hasSize(1);
    context.resetForwards();

    OpenWindows after = new OpenWindows(5_000, 0); // a new instance on the same store
    after.init(context);
    after.process(sample("e|m", Group.CONTROL, 9, 4_000)); // stream time 6,000 survived: dropped
    after.process(sample("e|m", Group.CONTROL, 3, 7_000));
    after.process(sample("e|m", Group.CONTROL, 4, 10_000)); // closes [5000, 10000)
    var window = onlyForwarded(context, 2, 5.0);
    assertThat(window.key().window().start()).isEqualTo(5_000);
  }

  @Test
  void aCrashBetweenCommitsKeepsTheCommittedWindowsAndLosesOnlyWhatCameAfter() {
    MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
    OpenWindowsStore store = (OpenWindowsStore) store(context);
    OpenWindows before = new OpenWindows(5_000, 0);
    before.init(context);
    before.process(sample("e|m", Group.CONTROL, 1, 1_000));
    before.process(sample("e|m", Group.CONTROL, 2, 2_000));
    store.flushCache(); // the commit
    before.process(sample("e|m", Group.CONTROL, 50, 3_000)); // never committed
    assertThat(store.dirtyCount()).isEqualTo(1);

    store.clearCache(); // what the crashed task held is gone; the store is as committed
    OpenWindows after = new OpenWindows(5_000, 0);
    after.init(context);
    after.process(sample("e|m", Group.CONTROL, 3, 4_000));
    after.process(sample("e|m", Group.CONTROL, 4, 5_000)); // closes [0, 5000)
    onlyForwarded(context, 3, 6.0);
  }

  /**
   * docs/adr/0078: the test driver commits after every record, so it never holds a window across
   * samples. Here the windows are held for 1 to 300 samples between commits (random), through late,
   * out-of-order and dropped samples, and every window forwarded must be, to the byte, the one the
   * store without the layer forwards.
   */
  @Test
  void windowsHeldBetweenCommitsAreForwardedExactlyAsWithEveryPutWritten() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Record<String, MetricSample>> records = randomSamples(seed, 6_000);
      List<String> expected = forwardedByPlainStore(records);
      MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
      OpenWindowsStore store = (OpenWindowsStore) store(context);
      OpenWindows windows = new OpenWindows(1_000, 300);
      windows.init(context);
      Random random = new Random(seed);
      List<String> forwarded = new ArrayList<>();
      int untilCommit = 1 + random.nextInt(300);
      for (Record<String, MetricSample> r : records) {
        windows.process(r);
        drain(context, forwarded);
        if (--untilCommit == 0) {
          store.flushCache();
          untilCommit = 1 + random.nextInt(300);
        }
      }
      assertThat(forwarded).as("seed %d", seed).hasSizeGreaterThan(100).isEqualTo(expected);
    }
  }

  /**
   * Exactly-once, simulated: at random points the task crashes; what it wrote to the store and
   * forwarded since its last commit is rolled back (the transaction aborts, the store is restored
   * to the changelog as committed), a new processor starts on the store and the samples after the
   * commit are read again. The windows forwarded in the end are those of one run without crashes.
   */
  @Test
  void crashesBetweenCommitsReplayedFromTheLastCommitForwardTheSameWindowsAsNoCrash() {
    for (long seed = 1; seed <= 20; seed++) {
      List<Record<String, MetricSample>> records = randomSamples(seed, 4_000);
      List<String> expected = forwardedByPlainStore(records);
      MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
      TimestampedKeyValueStore<String, WindowPair> inner = plainBuilder().build();
      OpenWindowsStore store = register(context, new OpenWindowsStore(inner, SERDE));
      Random random = new Random(seed * 31);
      List<String> forwarded = new ArrayList<>();
      List<KeyValue<String, ValueAndTimestamp<WindowPair>>> committedStore = List.of();
      int committedForwards = 0;
      int committedRecords = 0;
      int crashes = 0;
      OpenWindows windows = new OpenWindows(1_000, 300);
      windows.init(context);
      int i = 0;
      while (i < records.size()) {
        windows.process(records.get(i++));
        drain(context, forwarded);
        int dice = random.nextInt(100);
        if (dice < 2) { // the commit: the flush, then the transaction
          store.flushCache();
          committedStore = contents(inner);
          committedForwards = forwarded.size();
          committedRecords = i;
        } else if (dice == 2 && crashes < 15) { // a crash: closed dirty, revived from the changelog
          crashes++;
          store.close();
          for (var kv : contents(inner)) {
            inner.delete(kv.key);
          }
          committedStore.forEach(kv -> inner.put(kv.key, kv.value));
          store.init(context.getStateStoreContext(), store);
          forwarded.subList(committedForwards, forwarded.size()).clear();
          i = committedRecords;
          windows = new OpenWindows(1_000, 300);
          windows.init(context);
        }
      }
      assertThat(crashes).as("seed %d", seed).isPositive();
      assertThat(forwarded).as("seed %d", seed).isEqualTo(expected);
    }
  }

  /** The one window forwarded, with its control group's count and sum checked. */
  private static Record<? extends Windowed<String>, ? extends WindowPair> onlyForwarded(
      MockProcessorContext<Windowed<String>, WindowPair> context, long count, double sum) {
    assertThat(context.forwarded()).hasSize(1);
    var window = context.forwarded().get(0).record();
    assertThat(window.value().control().count()).isEqualTo(count);
    assertThat(window.value().control().sum()).isEqualTo(sum);
    return window;
  }

  private static List<KeyValue<String, ValueAndTimestamp<WindowPair>>> contents(
      TimestampedKeyValueStore<String, WindowPair> inner) {
    List<KeyValue<String, ValueAndTimestamp<WindowPair>>> all = new ArrayList<>();
    try (KeyValueIterator<String, ValueAndTimestamp<WindowPair>> it = inner.all()) {
      it.forEachRemaining(all::add);
    }
    return all;
  }

  private static List<String> forwardedByPlainStore(List<Record<String, MetricSample>> records) {
    MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
    register(context, plainBuilder().build());
    OpenWindows windows = new OpenWindows(1_000, 300);
    windows.init(context);
    List<String> forwarded = new ArrayList<>();
    for (Record<String, MetricSample> r : records) {
      windows.process(r);
      drain(context, forwarded);
    }
    return forwarded;
  }

  /** Each forwarded window as its key, bounds, record time and encoded value. */
  private static void drain(
      MockProcessorContext<Windowed<String>, WindowPair> context, List<String> into) {
    for (var f : context.forwarded()) {
      var r = f.record();
      into.add(
          r.key().key()
              + "@"
              + r.key().window().start()
              + "-"
              + r.key().window().end()
              + " t="
              + r.timestamp()
              + " "
              + HexFormat.of().formatHex(SERDE.serialize("", r.value())));
    }
    context.resetForwards();
  }

  private static final WindowPair.WindowPairSerde SERDE = new WindowPair.WindowPairSerde();

  /** 12 keys, both groups, times that jitter back by up to 1.5 windows (some beyond the grace). */
  private static List<Record<String, MetricSample>> randomSamples(long seed, int n) {
    Random random = new Random(seed);
    List<Record<String, MetricSample>> records = new ArrayList<>(n);
    long now = 10_000;
    for (int i = 0; i < n; i++) {
      now += random.nextInt(12);
      long ts = random.nextInt(10) == 0 ? now - random.nextInt(1_500) : now;
      String key = "e|m" + random.nextInt(12);
      Group group = random.nextBoolean() ? Group.CONTROL : Group.EXPERIMENTAL;
      records.add(sample(key, group, Math.exp(random.nextGaussian() + 2), ts));
    }
    return records;
  }
}
