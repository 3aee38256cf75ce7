package io.faultline.analyzer;

import io.faultline.schema.DeadLetters;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw values; a record that cannot be decoded or validated is forwarded as failed, with the
 * dlq headers (source topic, partition, offset, reason) added, so a poison pill never stops the
 * topology. Valid records get their event time as the record timestamp.
 */
final class DecodeOrDeadLetter<T> implements FixedKeyProcessor<String, byte[], Decoded<T>> {

  private static final Logger log = LoggerFactory.getLogger(DecodeOrDeadLetter.class);

  private final Function<byte[], T> decoder;
  private final ToLongFunction<T> eventTime;
  private final UnaryOperator<String> keyCheck;
  private FixedKeyProcessorContext<String, Decoded<T>> context;

  /** decoder throws with a message naming the problem; eventTime may return -1 to keep it. */
  DecodeOrDeadLetter(Function<byte[], T> decoder, ToLongFunction<T> eventTime) {
    this(decoder, eventTime, key -> null);
  }

  /**
   * With {@code keyCheck}: null for a key that may be judged, else the reason its record goes to
   * the dlq undecoded; the check does its own logging (e.g. {@link ShardCountGuard}).
   */
  DecodeOrDeadLetter(
      Function<byte[], T> decoder, ToLongFunction<T> eventTime, UnaryOperator<String> keyCheck) {
    this.decoder = decoder;
    this.eventTime = eventTime;
    this.keyCheck = keyCheck;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Decoded<T>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    String misfit = keyCheck.apply(record.key());
    if (misfit != null) {
      deadLetter(record, misfit);
      return;
    }
    T value;
    try {
      value = decoder.apply(record.value());
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      var meta = context.recordMetadata().orElseThrow();
      log.warn(
          "poison record at {}-{}@{} sent to dlq: {}",
          meta.topic(),
          meta.partition(),
          meta.offset(),
          reason);
      deadLetter(record, reason);
      return;
    }
    long ts = eventTime.applyAsLong(value);
    var out = record.withValue(Decoded.ok(value));
    context.forward(ts >= 0 ? out.withTimestamp(ts) : out);
  }

  private void deadLetter(FixedKeyRecord<String, byte[]> record, String reason) {
    var meta = context.recordMetadata().orElseThrow();
    var headers = record.headers();
    long size = record.value() == null ? -1 : record.value().length;
    DeadLetters.headers("analyzer", meta.topic(), meta.partition(), meta.offset(), size, reason)
        .forEach(headers::add);
    // cut as every dlq record is, so that it fits the broker (a failed send would stop the app)
    context.forward(record.withValue(Decoded.failed(DeadLetters.value(record.value()), reason)));
  }
}
