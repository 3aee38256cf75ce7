package io.faultline.schema;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds dlq records: the original key and bytes, with headers saying where they came from and why.
 */
public final class DeadLetters {

  public static final String SOURCE_TOPIC = "faultline.dlq.source.topic";
  public static final String SOURCE_PARTITION = "faultline.dlq.source.partition";
  public static final String SOURCE_OFFSET = "faultline.dlq.source.offset";
  public static final String REASON = "faultline.dlq.reason";
  public static final String COMPONENT = "faultline.dlq.component";

  private DeadLetters() {}

  public static Headers headers(
      String component, String sourceTopic, int partition, long offset, String reason) {
    Headers headers = new RecordHeaders();
    headers.add(COMPONENT, bytes(component));
    headers.add(SOURCE_TOPIC, bytes(sourceTopic));
    headers.add(SOURCE_PARTITION, bytes(Integer.toString(partition)));
    headers.add(SOURCE_OFFSET, bytes(Long.toString(offset)));
    headers.add(REASON, bytes(reason == null ? "unknown" : reason));
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
    return new ProducerRecord<>(
        topics.dlq().name(),
        null,
        key,
        value,
        headers(component, sourceTopic, partition, offset, reason));
  }

  public static String header(Headers headers, String name) {
    var header = headers.lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
