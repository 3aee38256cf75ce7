package io.faultline.cli.report;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads whole topics from the beginning to their current end, without a consumer group. */
public final class TopicReader implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;

  public TopicReader(Map<String, Object> clientConfig) {
    Map<String, Object> conf = new HashMap<>(clientConfig);
    conf.put("group.id", "faultline-reader-" + UUID.randomUUID());
    conf.put("enable.auto.commit", "false");
    conf.put("isolation.level", "read_committed");
    conf.put("auto.offset.reset", "earliest");
    consumer = new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Every record of the topic now (empty when it does not exist), in partition-offset order. */
  public List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    if (infos == null || infos.isEmpty()) {
      return out;
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (!reached(end) && System.currentTimeMillis() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(out::add);
    }
    if (!reached(end)) {
      throw new IllegalStateException(
          "could not read " + topic + " to its end within " + Durations.format(timeout));
    }
    consumer.unsubscribe();
    return out;
  }

  /**
   * What compaction keeps of {@code records}: the last value per key in their order, a tombstone
   * removing it; a value {@code serde} cannot read (another tool's record) is passed over.
   */
  public static <T extends SpecificRecordBase> Map<String, T> latestPerKey(
      List<ConsumerRecord<String, byte[]>> records, AvroSerde<T> serde) {
    Map<String, T> latest = new LinkedHashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.value() == null) {
        latest.remove(r.key());
        continue;
      }
      try {
        latest.put(r.key(), serde.decode(r.value()));
      } catch (RuntimeException unreadable) {
        // not ours to judge here
      }
    }
    return latest;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
