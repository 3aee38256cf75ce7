package io.faultline.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dlq records: the original key and bytes, with headers saying where they came from and why.
 * The one mechanism every component uses, so that a dlq record always fits the broker: a value over
 * {@link #MAX_VALUE_BYTES} (or a key over {@link #MAX_KEY_BYTES}) is stored cut to that size, with
 * its original size in a header; the whole record stays on its source topic at the offset the
 * headers name. The reason is cut to {@link #MAX_REASON_CHARS} with a marker.
 */
public final class DeadLetters {

  public static final String SOURCE_TOPIC = "faultline.dlq.source.topic";
  public static final String SOURCE_PARTITION = "faultline.dlq.source.partition";
  public static final String SOURCE_OFFSET = "faultline.dlq.source.offset";
  public static final String REASON = "faultline.dlq.reason";
  public static final String COMPONENT = "faultline.dlq.component";

  /** The original value's size in bytes; present on every dlq record. */
  public static final String ORIGINAL_SIZE = "faultline.dlq.original.size";

  /** The original key's size in bytes; present only when the key was cut. */
  public static final String ORIGINAL_KEY_SIZE = "faultline.dlq.original.key.size";

  /** Half the broker's default message.max.bytes: room for the key and headers beside it. */
  public static final int MAX_VALUE_BYTES = 512 * 1024;

  public static final int MAX_KEY_BYTES = 16 * 1024;
  public static final int MAX_REASON_CHARS = 1024;

  private DeadLetters() {}

  /**
   * The dlq headers of a record whose value had {@code originalSize} bytes (-1 for a null value).
   */
  public static Headers headers(
      String component,
      String sourceTopic,
      int partition,
      long offset,
      long originalSize,
      String reason) {
    Headers headers = new RecordHeaders();
    headers.add(COMPONENT, bytes(component));
    headers.add(SOURCE_TOPIC, bytes(sourceTopic));
    headers.add(SOURCE_PARTITION, bytes(Integer.toString(partition)));
    headers.add(SOURCE_OFFSET, bytes(Long.toString(offset)));
    headers.add(ORIGINAL_SIZE, bytes(Long.toString(originalSize)));
    headers.add(REASON, bytes(reason(reason)));
    return headers;
  }

  public static ProducerRecord<byte[], byte[]> record(
      Topics topics,
      String component,
      String sourceTopic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      String reason) {
    Headers headers =
        headers(
            component, sourceTopic, partition, offset, value == null ? -1 : value.length, reason);
    if (key != null && key.length > MAX_KEY_BYTES) {
      headers.add(ORIGINAL_KEY_SIZE, bytes(Integer.toString(key.length)));
    }
    return new ProducerRecord<>(
        topics.dlq().name(), null, cut(key, MAX_KEY_BYTES), value(value), headers);
  }

  /** A dlq record for a consumed record with a text key (the agent's commands). */
  public static ProducerRecord<String, byte[]> record(
      Topics topics, String component, ConsumerRecord<String, byte[]> source, String reason) {
    byte[] value = source.value();
    Headers headers =
        headers(
            component,
            source.topic(),
            source.partition(),
            source.offset(),
            value == null ? -1 : value.length,
            reason);
    String key = key(source.key());
    if (key != null && key.length() < source.key().length()) {
      headers.add(
          ORIGINAL_KEY_SIZE,
          bytes(Integer.toString(source.key().getBytes(StandardCharsets.UTF_8).length)));
    }
    return new ProducerRecord<>(topics.dlq().name(), null, key, value(value), headers);
  }

  /** The value as the dlq stores it: whole up to {@link #MAX_VALUE_BYTES}, else its beginning. */
  public static byte[] value(byte[] original) {
    return cut(original, MAX_VALUE_BYTES);
  }

  /**
   * A key given as text (Kafka Streams' String keys), cut so that its UTF-8 form stays within
   * {@link #MAX_KEY_BYTES}.
   */
  public static String key(String original) {
    int chars = MAX_KEY_BYTES / 4; // a UTF-8 character takes at most 4 bytes
    return original == null || original.length() <= chars ? original : original.substring(0, chars);
  }

  /** A reason of at most {@link #MAX_REASON_CHARS} characters; a longer one ends with a marker. */
  public static String reason(String reason) {
    if (reason == null) {
      return "unknown";
    }
    if (reason.length() <= MAX_REASON_CHARS) {
      return reason;
    }
    String marker = "... (" + reason.length() + " characters, cut)";
    return reason.substring(0, MAX_REASON_CHARS - marker.length()) + marker;
  }

  public static String header(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] cut(byte[] bytes, int max) {
    return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
