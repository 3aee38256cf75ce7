package io.faultline.agent;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command's events (ACCEPTED, STARTED, FAILED, REJECTED) on attack.events, sent without waiting.
 * One Kafka did not take (the broker away longer than {@code agent.producer.delivery.timeout}, or a
 * batch the idempotent producer gave up on after a broker restart, KAFKA-15591) is handed over to
 * the outbox, which keeps it on disk and sends it again every second until Kafka takes it, with the
 * same event id; only a record too large for the broker, which no retry would deliver, is lost
 * (given to {@code lost}: logged and counted). The callback runs on the producer's network thread,
 * so it only hands the record over: the outbox's fsync runs on the outbox's own writer thread
 * (docs/adr/0079).
 */
final class CommandEvents {

  /** What becomes of an event no retry delivers: {@code what} names it for the log. */
  interface Lost {
    void lost(String what, String topic, Exception why);
  }

  private static final Logger log = LoggerFactory.getLogger(CommandEvents.class);

  private final Producer<String, byte[]> producer;
  private final Outbox outbox;
  private final String topic;
  private final Lost lost;

  CommandEvents(Producer<String, byte[]> producer, Outbox outbox, String topic, Lost lost) {
    this.producer = producer;
    this.outbox = outbox;
    this.topic = topic;
    this.lost = lost;
  }

  /** Sends an event keyed by its experiment; {@code what} names it in a WARN if it fails. */
  void send(String key, byte[] value, String what) {
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (meta, e) -> {
          if (e == null) {
            return;
          }
          if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            lost.lost(what, topic, e);
            return;
          }
          log.warn(
              "{} not taken by {} ({}); kept in the outbox, sent again until it is",
              what,
              topic,
              e.toString());
          outbox.handOver(topic, key, value);
        });
  }
}
