package io.faultline.testsupport;

import io.faultline.common.DaemonThreads;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows one topic of the test broker from its beginning on a thread of its own, decoding with the
 * topic's own serdes from the {@code Topics} registry, and waits for a record that matches.
 */
public final class TopicFollower<K, V> implements AutoCloseable {

  private final Topic<K, V> topic;
  private final List<ConsumerRecord<K, V>> records = new CopyOnWriteArrayList<>();
  private volatile boolean following = true;
  private final Thread thread;

  private final boolean committedOnly;
  private final String bootstrapServers;

  private TopicFollower(Topic<K, V> topic, boolean committedOnly, String bootstrapServers) {
    this.topic = topic;
    this.committedOnly = committedOnly;
    this.bootstrapServers = bootstrapServers;
    this.thread = DaemonThreads.named("follow-" + topic.name()).newThread(this::follow);
  }

  /** Starts following {@code topic} from offset 0. */
  public static <K, V> TopicFollower<K, V> start(Topic<K, V> topic) {
    return start(topic, false);
  }

  /**
   * Starts following {@code topic} from offset 0, reading only what transactions committed ({@code
   * isolation.level=read_committed}): what a consumer of an exactly-once producer sees.
   */
  public static <K, V> TopicFollower<K, V> startCommitted(Topic<K, V> topic) {
    return start(topic, true);
  }

  /** As {@link #startCommitted(Topic)} on another cluster (one a test runs itself). */
  public static <K, V> TopicFollower<K, V> startCommitted(
      Topic<K, V> topic, String bootstrapServers) {
    TopicFollower<K, V> follower = new TopicFollower<>(topic, true, bootstrapServers);
    follower.thread.start();
    return follower;
  }

  private static <K, V> TopicFollower<K, V> start(Topic<K, V> topic, boolean committedOnly) {
    TopicFollower<K, V> follower = new TopicFollower<>(topic, committedOnly, null);
    follower.thread.start();
    return follower;
  }

  private void follow() {
    Map<String, Object> config =
        bootstrapServers == null
            ? new HashMap<>(TestBroker.consumerConfig())
            : new HashMap<>(
                Map.of(
                    "bootstrap.servers",
                    bootstrapServers,
                    "group.id",
                    "it-" + UUID.randomUUID(),
                    "auto.offset.reset",
                    "earliest"));
    if (committedOnly) {
      config.put("isolation.level", "read_committed");
    }
    try (var consumer =
        new KafkaConsumer<>(
            config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      while (following) {
        for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(50))) {
          records.add(r);
        }
      }
    }
  }

  /** Every record so far, in arrival order; a live view. */
  public List<ConsumerRecord<K, V>> records() {
    return records;
  }

  /** Every value so far, in arrival order; a snapshot. */
  public List<V> values() {
    return records.stream().map(ConsumerRecord::value).toList();
  }

  /**
   * The latest value of each key so far, as a compacted topic reads: empty after a tombstone. A
   * snapshot; keys compare with {@code equals}, so not for {@code byte[]} keys.
   */
  public Map<K, Optional<V>> latestByKey() {
    Map<K, Optional<V>> latest = new HashMap<>();
    for (ConsumerRecord<K, V> r : records) {
      latest.put(r.key(), Optional.ofNullable(r.value()));
    }
    return latest;
  }

  /** The first value that matches, or an AssertionError naming the values seen by {@code limit}. */
  public V await(Predicate<V> match, Duration limit) throws InterruptedException {
    return awaitRecord(r -> match.test(r.value()), limit).value();
  }

  /** The first record that matches, or an AssertionError by {@code limit}. */
  public ConsumerRecord<K, V> awaitRecord(Predicate<ConsumerRecord<K, V>> match, Duration limit)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<K, V> r : records) {
        if (match.test(r)) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "no matching record on " + topic.name() + " within " + limit + "; so far: " + values());
  }

  /**
   * The records so far once {@code enough} holds of them, or at {@code limit} whatever arrived: for
   * tests that assert on the records themselves rather than fail at the deadline.
   */
  public List<ConsumerRecord<K, V>> recordsUntil(
      Predicate<List<ConsumerRecord<K, V>>> enough, Duration limit) throws InterruptedException {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (!enough.test(List.copyOf(records)) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    return List.copyOf(records);
  }

  /**
   * The matching values once there are at least {@code n}, or an AssertionError by {@code limit}.
   */
  public List<V> awaitAtLeast(int n, Predicate<V> match, Duration limit)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    List<V> matching = List.of();
    while (System.currentTimeMillis() < deadline) {
      matching = values().stream().filter(match).toList();
      if (matching.size() >= n) {
        return matching;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "only " + matching.size() + " of " + n + " on " + topic.name() + "; so far: " + values());
  }

  /** Stops the consumer and waits up to 5 s for its thread. */
  @Override
  public void close() throws InterruptedException {
    following = false;
    thread.join(5000);
  }
}
