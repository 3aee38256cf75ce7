package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
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
    TimestampedKeyValueStore<String, WindowPair> store =
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(OpenWindows.STORE),
                Serdes.String(),
                new WindowPair.WindowPairSerde())
            .withLoggingDisabled()
            .build();
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
    assertThat(context.forwarded()).hasSize(1);
    var window = context.forwarded().get(0).record();
    assertThat(window.key().window().start()).isEqualTo(5_000);
    assertThat(window.value().control().count()).isEqualTo(2);
    assertThat(window.value().control().sum()).isEqualTo(5.0);
  }
}
