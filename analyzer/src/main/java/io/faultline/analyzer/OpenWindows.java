package io.faultline.analyzer;

import io.faultline.schema.MetricSample;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The tumbling windows of one experiment|metric: both groups' samples aggregated per window (store
 * {@code open-windows}) and each window forwarded once, when it closes, to the judge. It does in
 * one step what {@code windowedBy().aggregate()} and {@code suppress(untilWindowCloses)} did in two
 * (docs/adr/0038): every open window was written to a window store and to the suppression buffer,
 * both changelogged, and decoded once more by each at every commit.
 *
 * <p>The rules are Kafka Streams' own. Stream time is the largest sample time this task has seen
 * (kept in the store under {@code ~stream-time} whenever windows close, so a restart does not
 * reopen them). A sample whose window ended at least the grace before stream time is dropped
 * ({@link LatenessCounter} counts it); otherwise it is added to its window, whose record time is
 * the largest sample time in it. A window closes when its end + grace is at most stream time; the
 * closed windows go out in the order suppression emitted them, by start, then by key ({@link
 * ClosedWindows}, the rules this shares with {@link ShardMerge}).
 *
 * <p>The store is an {@link OpenWindowsStore}: it keeps the windows as objects and encodes and
 * writes each changed one once per commit, so a sample costs neither a decode nor an encode nor a
 * trip through Kafka Streams' record cache (docs/adr/0078); what it writes before each commit stays
 * the truth that exactly-once commits and restores. A window read here is the object the store
 * holds: it is changed only to be put back at once.
 */
final class OpenWindows implements Processor<String, MetricSample, Windowed<String>, WindowPair> {

  static final String STORE = "open-windows";
  private static final String STREAM_TIME = "~stream-time";

  private static final WindowPair EMPTY = new WindowPair();

  private final ClosedWindows windows;
  private ProcessorContext<Windowed<String>, WindowPair> context;
  private TimestampedKeyValueStore<String, WindowPair> store;
  private long streamTime = Long.MIN_VALUE;

  OpenWindows(long windowMs, long graceMs) {
    this.windows = new ClosedWindows(windowMs, graceMs);
  }

  @Override
  public void init(ProcessorContext<Windowed<String>, WindowPair> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    windows.reset();
    ValueAndTimestamp<WindowPair> time = store.get(STREAM_TIME);
    streamTime = time == null ? Long.MIN_VALUE : time.timestamp();
  }

  @Override
  public void process(Record<String, MetricSample> record) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    long ts = record.timestamp();
    boolean advanced = ts > streamTime;
    if (advanced) {
      streamTime = ts;
    }
    long start = windows.startOf(ts);
    if (!windows.isClosed(start, streamTime)) {
      String id = ClosedWindows.key(start, record.key());
      ValueAndTimestamp<WindowPair> window = store.get(id);
      window =
          window == null
              ? ValueAndTimestamp.make(new WindowPair().add(record.value()), ts)
              : ValueAndTimestamp.make(
                  window.value().add(record.value()), Math.max(window.timestamp(), ts));
      store.put(id, window);
    }
    if (advanced) {
      closeWindows();
    }
  }

  /** Forwards and forgets every window whose end + grace is at most the stream time. */
  private void closeWindows() {
    if (!windows.advance(streamTime)) {
      return;
    }
    // kept when windows close, not per sample: a restart from this time closes the same windows
    // and drops the same samples as one from any later time before the next close
    store.put(STREAM_TIME, ValueAndTimestamp.make(EMPTY, streamTime));
    for (ClosedWindows.Closed<ValueAndTimestamp<WindowPair>> closed : windows.take(store)) {
      context.forward(
          new Record<>(closed.window(), closed.value().value(), closed.value().timestamp()));
    }
  }
}
