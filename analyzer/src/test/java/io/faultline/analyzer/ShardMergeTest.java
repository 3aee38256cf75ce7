package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class ShardMergeTest {

  static WindowPair pair(double... values) {
    WindowPair pair = new WindowPair();
    for (double v : values) {
      pair.add(
          MetricSample.newBuilder()
              .setExperimentId("e")
              .setMetric("m")
              .setGroup(Group.CONTROL)
              .setTimestamp(1)
              .setValue(v)
              .build());
    }
    return pair;
  }

  private static MockProcessorContext<Windowed<String>, WindowPair> contextWithStore() {
    MockProcessorContext<Windowed<String>, WindowPair> context = new MockProcessorContext<>();
    KeyValueStore<String, ShardPartial.Shards> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ShardMerge.STORE),
                Serdes.String(),
                new ShardPartial.ShardsSerde())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return context;
  }

  @Test
  void aRevivedTaskClosesARestoredWindowWhenItsStreamTimePassesTheGraceNotAWindowLater() {
    ShardMerge merge = new ShardMerge(5_000, 1_000);
    MockProcessorContext<Windowed<String>, WindowPair> first = contextWithStore();
    merge.init(first);
    merge.process(new Record<>("e|m", new ShardPartial(0, 0, pair(1)), 4_000));
    merge.process(new Record<>("e|m", new ShardPartial(1, 5_000, pair(2)), 6_000));
    assertThat(first.forwarded()).hasSize(1);

    // the task is revived on its store as of the last commit, before window 0 closed
    MockProcessorContext<Windowed<String>, WindowPair> restored = contextWithStore();
    ShardMerge writer = new ShardMerge(5_000, 1_000);
    writer.init(restored);
    writer.process(new Record<>("e|m", new ShardPartial(0, 0, pair(1)), 4_000));
    merge.init(restored);
    merge.process(new Record<>("e|m", new ShardPartial(1, 5_000, pair(2)), 6_000));

    assertThat(restored.forwarded()).hasSize(1);
    var closed = restored.forwarded().get(0).record();
    assertThat(closed.key().window().start()).isZero();
    assertThat(closed.value().control().count()).isEqualTo(1);
  }

  @Test
  void mergesEveryShardOnceTheWindowClosesAndDropsAPartialThatComesAfter() {
    MockProcessorContext<Windowed<String>, WindowPair> context = contextWithStore();
    ShardMerge merge = new ShardMerge(5_000, 1_000);
    merge.init(context);

    merge.process(new Record<>("e|m", new ShardPartial(0, 0, pair(1)), 4_000));
    merge.process(new Record<>("e|m", new ShardPartial(3, 0, pair(2)), 4_500));
    // a later partial of shard 0 replaces its earlier one (each is the shard's window so far)
    merge.process(new Record<>("e|m", new ShardPartial(0, 0, pair(1, 3)), 4_600));
    // the next window's first partial: stream time 5,900 < end 5,000 + grace 1,000
    merge.process(new Record<>("e|m", new ShardPartial(1, 5_000, pair(7)), 5_900));
    assertThat(context.forwarded()).isEmpty();

    merge.process(new Record<>("e|m", new ShardPartial(1, 5_000, pair(7, 8)), 6_000));
    assertThat(context.forwarded()).hasSize(1);
    var closed = context.forwarded().get(0).record();
    assertThat(closed.key().key()).isEqualTo("e|m");
    assertThat(closed.key().window().start()).isZero();
    assertThat(closed.key().window().end()).isEqualTo(5_000);
    assertThat(closed.value().control().count()).isEqualTo(3);
    assertThat(closed.value().control().sum()).isEqualTo(6.0);
    assertThat(closed.timestamp()).isEqualTo(4_600);

    // shard 5 lagged: its partial of the closed window is dropped, the window is not judged again
    merge.process(new Record<>("e|m", new ShardPartial(5, 0, pair(100)), 4_900));
    merge.process(new Record<>("e|m", new ShardPartial(1, 5_000, pair(7, 8)), 12_000));
    assertThat(context.forwarded()).hasSize(2);
    assertThat(context.forwarded().get(1).record().key().window().start()).isEqualTo(5_000);
    assertThat(context.forwarded().get(1).record().value().control().count()).isEqualTo(2);
  }
}
