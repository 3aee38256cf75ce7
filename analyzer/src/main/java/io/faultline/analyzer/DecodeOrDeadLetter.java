package io.faultline.analyzer;

import io.faultline.schema.DeadLetters;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw values; a record that cannot be decoded or validated is forwarded as failed, with the
 * dlq headers (source topic, partition, offset, reason) added, so a poison pill never stops the
 * topology. Valid records get their event time as the record timestamp. {@link SampleIntake} does
 * the same for samples, with the steps after it, and shares the dlq's side of it.
 */
final class DecodeOrDeadLetter<T> implements FixedKeyProcessor<String, byte[], Decoded<T>> {

  private static final Logger log = LoggerFactory.getLogger(DecodeOrDeadLetter.class);

  private final Function<byte[], T> decoder;
  private final ToLongFunction<T> eventTime;
  private FixedKeyProcessorContext<String, Decoded<T>> context;

  /** decoder throws with a message naming the problem; eventTime may return -1 to keep it. */
  DecodeOrDeadLetter(Function<byte[], T> decoder, ToLongFunction<T> eventTime) {
    this.decoder = decoder;
    this.eventTime = eventTime;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Decoded<T>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    T value;
    try {
      value = decoder.apply(record.value());
    } catch (RuntimeException e) {
      forwardFailed(record, poisonReason(context, e));
      return;
    }
    long ts = eventTime.applyAsLong(value);
    var out = record.withValue(Decoded.ok(value));
    context.forward(ts >= 0 ? out.withTimestamp(ts) : out);
  }

  private void forwardFailed(FixedKeyRecord<String, byte[]> record, String reason) {
    byte[] raw = deadLetter(context, record, reason);
    context.forward(record.withValue(Decoded.failed(raw, reason)));
  }

  /** Why {@code e}'s record could not be decoded, logged with the record's place. */
  static String poisonReason(FixedKeyProcessorContext<?, ?> context, RuntimeException e) {
    String reason = e.getMessage() == null ? e.toString() : e.getMessage();
    var meta = context.recordMetadata().orElseThrow();
    log.warn(
        "poison record at {}-{}@{} sent to dlq: {}",
        meta.topic(),
        meta.partition(),
        meta.offset(),
        reason);
    return reason;
  }

  /**
   * Adds the dlq headers (source topic, partition, offset, size, reason) to {@code record}'s and
   * returns its value as the dlq gets it.
   */
  static byte[] deadLetter(
      FixedKeyProcessorContext<?, ?> context,
      FixedKeyRecord<String, byte[]> record,
      String reason) {
    var meta = context.recordMetadata().orElseThrow();
    var headers = record.headers();
    long size = record.value() == null ? -1 : record.value().length;
    DeadLetters.headers("analyzer", meta.topic(), meta.partition(), meta.offset(), size, reason)
        .forEach(headers::add);
    // cut as every dlq record is, so that it fits the broker (a failed send would stop the app)
    return DeadLetters.value(record.value());
  }
}
