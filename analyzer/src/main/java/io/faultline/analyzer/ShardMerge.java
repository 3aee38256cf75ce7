package io.faultline.analyzer;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second step of a sharded metric (docs/adr/0032): keeps the latest partial of every shard of
 * each open window of {@code experiment|metric} (store {@code shard-windows}) and, when the window
 * closes, forwards the shards merged, once, to the judge.
 *
 * <p>The close rule is Kafka Streams' own ({@link ClosedWindows}, shared with {@link OpenWindows}),
 * applied to this task's stream time, the largest record time among the partials it has read: a
 * window closes when its end + grace is at most the stream time. The partials carry their samples'
 * times, so in one task this is the moment the unsharded aggregation would have closed it. A shard
 * with no sample in a window sends nothing and is simply absent from the merge, as its samples
 * would have been from the unsharded window. A partial of a window that closed already (its
 * partition lags the others by more than the grace) is dropped and logged, never judged twice. The
 * stream time is kept in the store (key {@code ~stream-time}, after every window key), so a restart
 * does not reopen closed windows.
 */
final class ShardMerge implements Processor<String, ShardPartial, Windowed<String>, WindowPair> {

  private static final Logger log = LoggerFactory.getLogger(ShardMerge.class);

  static final String STORE = "shard-windows";
  private static final String STREAM_TIME = "~stream-time";

  private final ClosedWindows windows;
  private ProcessorContext<Windowed<String>, WindowPair> context;
  private KeyValueStore<String, ShardPartial.Shards> store;
  private long streamTime = Long.MIN_VALUE;
  private long late;

  ShardMerge(long windowMs, long graceMs) {
    this.windows = new ClosedWindows(windowMs, graceMs);
  }

  @Override
  public void init(ProcessorContext<Windowed<String>, WindowPair> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    windows.reset(); // a revived task starts again from the store, as OpenWindows does
    ShardPartial.Shards time = store.get(STREAM_TIME);
    streamTime = time == null ? Long.MIN_VALUE : time.timestamp;
  }

  @Override
  public void process(Record<String, ShardPartial> record) {
    ShardPartial partial = record.value();
    if (windows.isClosed(partial.windowStart(), streamTime)) {
      if (late++ % 1000 == 0) {
        log.warn(
            "{} shard {}: partial of the window at {} came after the window closed (its partition"
                + " lags the others by more than the grace); {} such partials dropped so far",
            record.key(),
            partial.shard(),
            java.time.Instant.ofEpochMilli(partial.windowStart()),
            late);
      }
      return;
    }
    String id = ClosedWindows.key(partial.windowStart(), record.key());
    ShardPartial.Shards shards = store.get(id);
    if (shards == null) {
      shards = new ShardPartial.Shards();
      shards.timestamp = record.timestamp();
    }
    shards.byShard.put(partial.shard(), partial.pair());
    shards.timestamp = Math.max(shards.timestamp, record.timestamp());
    store.put(id, shards);
    if (record.timestamp() > streamTime) {
      streamTime = record.timestamp();
      ShardPartial.Shards time = new ShardPartial.Shards();
      time.timestamp = streamTime;
      store.put(STREAM_TIME, time);
      closeWindows();
    }
  }

  /** Forwards and forgets every window whose end + grace is at most the stream time. */
  private void closeWindows() {
    if (!windows.advance(streamTime)) {
      return;
    }
    for (ClosedWindows.Closed<ShardPartial.Shards> closed : windows.take(store)) {
      context.forward(
          new Record<>(closed.window(), closed.value().merged(), closed.value().timestamp));
    }
  }
}
