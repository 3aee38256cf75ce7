package io.faultline.analyzer;

import io.faultline.schema.MetricSample;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * A sample's steps between the {@code metrics} source and its window, in one node (docs/adr/0092):
 * the key's shard checked ({@link ShardCountGuard}), the value decoded and validated, a failure
 * sent to the dlq's child with the dlq headers ({@link DecodeOrDeadLetter}'s), a source's "could
 * not observe" marker dropped (a gap, not data: the collector also publishes
 * collector.source.errors, which is judged like any metric), the sample counted by {@link
 * LatenessCounter}, and passed on with its observation time as the record time to the runs' child
 * when it is a batch run's ({@link PipelineRuns#isRunSample}), else to the windows' child.
 *
 * <p>Each record goes to one child, by name: the decode, the dead-letter split, the filters and the
 * count were eight nodes, each a forward and a record copy per sample. The children receive
 * different values: the dlq's the raw bytes (cut as every dlq record is), the others the {@link
 * MetricSample}.
 */
final class SampleIntake implements FixedKeyProcessor<String, byte[], Object> {

  /** The names of the nodes a record goes to. */
  record Children(String deadLetters, String runs, String windows) {}

  private final Function<byte[], MetricSample> decoder;
  private final UnaryOperator<String> keyCheck;
  private final LatenessCounter lateness;
  private final Children children;
  private FixedKeyProcessorContext<String, Object> context;

  /**
   * {@code decoder} decodes and validates, throwing with a message naming the problem; {@code
   * keyCheck} gives null for a key that may be judged, else the reason its record goes to the dlq
   * undecoded (it does its own logging).
   */
  SampleIntake(
      Function<byte[], MetricSample> decoder,
      UnaryOperator<String> keyCheck,
      LatenessCounter lateness,
      Children children) {
    this.decoder = decoder;
    this.keyCheck = keyCheck;
    this.lateness = lateness;
    this.children = children;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    String misfit = keyCheck.apply(record.key());
    if (misfit != null) {
      deadLetter(record, misfit);
      return;
    }
    MetricSample sample;
    try {
      sample = decoder.apply(record.value());
    } catch (RuntimeException e) {
      deadLetter(record, DecodeOrDeadLetter.poisonReason(context, e));
      return;
    }
    if (sample.getError()) {
      return;
    }
    long ts = sample.getTimestamp();
    lateness.count(sample, ts);
    context.forward(
        record.withValue((Object) sample).withTimestamp(ts),
        PipelineRuns.isRunSample(sample) ? children.runs() : children.windows());
  }

  private void deadLetter(FixedKeyRecord<String, byte[]> record, String reason) {
    byte[] raw = DecodeOrDeadLetter.deadLetter(context, record, reason);
    context.forward(record.withValue((Object) raw), children.deadLetters());
  }
}
