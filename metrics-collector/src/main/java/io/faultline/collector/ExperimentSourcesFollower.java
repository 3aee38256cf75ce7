package io.faultline.collector;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.DeadLetters;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.SourceSpec;
import io.faultline.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sources an experiment names ({@code Experiment.sources}) while it is PENDING or RUNNING.
 * Reads the whole compacted experiments topic (assigned, no consumer group: every collector sees
 * every experiment), starts a {@link SourceRunner} when an experiment with sources appears,
 * restarts it when its sources change, and stops it when the experiment ends (COMPLETED, ABORTED,
 * FAILED, deleted) or is older than {@code maxAge}, so a run whose CLI died does not collect
 * forever. A record that cannot be decoded, or whose sources are invalid, is logged with the field
 * at fault and sent to the dlq as it was; the collector goes on.
 */
public final class ExperimentSourcesFollower implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExperimentSourcesFollower.class);

  static final Set<ExperimentState> COLLECTING =
      Set.of(ExperimentState.PENDING, ExperimentState.RUNNING);

  private record Running(SourceRunner runner, List<SourceSpec> sources, long since) {}

  private final Map<String, String> base;
  private final Topics topics;
  private final Map<String, Object> clientConfig;
  private final Function<CollectorConfig, SourceRunner> starter;
  private final Duration maxAge;
  private final Clock clock;
  private final AvroSerde<Experiment> serde = AvroSerde.of(Experiment.class);
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Set<String> expired = ConcurrentHashMap.newKeySet();
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean closed;
  private volatile long lastPoll;
  private volatile String failure;
  private final long created;
  private long deadLettered;

  /**
   * @param base the collector's own config (bootstrap.servers, kafka.*, defaults for sources)
   * @param starter builds and starts the runner of a config ({@link CollectorMain#run})
   */
  public ExperimentSourcesFollower(
      Map<String, String> base,
      Topics topics,
      Function<CollectorConfig, SourceRunner> starter,
      Duration maxAge,
      Clock clock) {
    this.base = Map.copyOf(base);
    this.topics = topics;
    this.starter = starter;
    this.maxAge = maxAge;
    this.clock = clock;
    this.created = clock.millis();
    Map<String, Object> conf = new HashMap<>(ConfigSource.subset(base, "kafka."));
    conf.put("bootstrap.servers", base.get("bootstrap.servers"));
    this.clientConfig = Map.copyOf(conf);
  }

  /**
   * A follower whose runners publish into {@code sink} ({@link CollectorMain#run}), on the system
   * clock.
   */
  public static ExperimentSourcesFollower into(
      SampleSink sink, Map<String, String> base, Topics topics, Duration maxAge) {
    return into(sink, base, topics, maxAge, CollectorMetrics.unscraped());
  }

  /** As {@link #into(SampleSink, Map, Topics, Duration)}, counting into {@code metrics}. */
  public static ExperimentSourcesFollower into(
      SampleSink sink,
      Map<String, String> base,
      Topics topics,
      Duration maxAge,
      CollectorMetrics metrics) {
    return new ExperimentSourcesFollower(
        base,
        topics,
        config -> CollectorMain.run(config, sink, metrics),
        maxAge,
        Clock.systemUTC());
  }

  /** Runs {@link #run} on a new daemon thread of this name; {@link #close} ends it. */
  public Thread start(String threadName) {
    Thread t = DaemonThreads.named(threadName).newThread(this);
    t.setUncaughtExceptionHandler(
        (thread, e) -> log.error("following the experiments topic stopped: {}", e.toString(), e));
    t.start();
    return t;
  }

  /** Experiment id to the runner of its sources, for tests and health. */
  public Map<String, SourceRunner> runners() {
    Map<String, SourceRunner> out = new HashMap<>();
    running.forEach((id, r) -> out.put(id, r.runner()));
    return out;
  }

  /** Records sent to the dlq so far. */
  public synchronized long deadLettered() {
    return deadLettered;
  }

  /** Null while the topic is read; else why not (for /health). */
  public String health() {
    if (failure != null) {
      return "following " + topics.experiments().name() + " failed: " + failure;
    }
    long since = clock.millis() - (lastPoll > 0 ? lastPoll : created);
    return since > 60_000
        ? topics.experiments().name() + " was not polled for " + since / 1000 + " s"
        : null;
  }

  @Override
  public void run() {
    Map<String, Object> conf = new HashMap<>(clientConfig);
    conf.put("enable.auto.commit", "false");
    conf.put("auto.offset.reset", "earliest");
    conf.put("client.id", "faultline-collector-experiments");
    conf.put("allow.auto.create.topics", "false");
    String topic = topics.experiments().name();
    try (KafkaConsumer<byte[], byte[]> c =
            new KafkaConsumer<>(conf, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> dlq = dlqProducer()) {
      consumer = c;
      if (closed) {
        return;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(60))) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      if (partitions.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      catchUp(c, partitions, dlq);
      log.info(
          "following {} ({} partitions): an experiment that names sources gets them while it runs",
          topic,
          partitions.size());
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          handle(r, dlq);
        }
        lastPoll = clock.millis();
        expire();
      }
    } catch (WakeupException e) {
      if (!closed) {
        failure = e.toString();
        throw e;
      }
    } catch (RuntimeException e) {
      failure = e.getMessage() == null ? e.toString() : e.getMessage();
      throw e;
    } finally {
      running.keySet().forEach(id -> stop(id, "the collector stops"));
    }
  }

  /**
   * Reads up to the end offsets of the start and handles only the latest record of each key: a
   * restarted collector must not briefly re-run the sources of an experiment that has since ended
   * (the compacted topic may still hold its PENDING and RUNNING records).
   */
  private void catchUp(
      KafkaConsumer<byte[], byte[]> c,
      List<TopicPartition> partitions,
      KafkaProducer<byte[], byte[]> dlq) {
    Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(60));
    Map<String, ConsumerRecord<byte[], byte[]>> latest = new java.util.LinkedHashMap<>();
    List<ConsumerRecord<byte[], byte[]>> keyless = new ArrayList<>();
    while (!closed && partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
        if (r.key() == null) {
          keyless.add(r);
        } else {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          latest.remove(key); // keep the order of the latest records
          latest.put(key, r);
        }
      }
    }
    keyless.forEach(r -> handle(r, dlq));
    latest.values().forEach(r -> handle(r, dlq));
  }

  private KafkaProducer<byte[], byte[]> dlqProducer() {
    Map<String, Object> conf = new HashMap<>(clientConfig);
    conf.put("acks", "all");
    conf.put("client.id", "faultline-collector-dlq");
    conf.putIfAbsent("max.block.ms", "5000");
    return new KafkaProducer<>(conf, new ByteArraySerializer(), new ByteArraySerializer());
  }

  void handle(ConsumerRecord<byte[], byte[]> r, KafkaProducer<byte[], byte[]> dlq) {
    String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      if (key != null) {
        stop(key, "its record was deleted");
      }
      return;
    }
    Experiment e;
    try {
      e = serde.decode(r.value());
    } catch (RuntimeException ex) {
      deadLetter(r, dlq, "cannot decode an Experiment: " + ex.getMessage());
      return;
    }
    String id = e.getExperimentId();
    if (!COLLECTING.contains(e.getState()) || e.getSources().isEmpty()) {
      stop(id, "it is " + e.getState() + (e.getSources().isEmpty() ? " without sources" : ""));
      return;
    }
    Running current = running.get(id);
    if (current != null && current.sources().equals(e.getSources())) {
      return;
    }
    long age = clock.millis() - e.getCreatedAt();
    if (age > maxAge.toMillis()) {
      if (expired.add(id)) {
        log.info(
            "experiment {}: {} since {} ms ago, older than collector.experiment.max.age {};"
                + " not collecting",
            id,
            e.getState(),
            age,
            maxAge);
      }
      return;
    }
    CollectorConfig config;
    try {
      config = ExperimentSources.config(e, base);
    } catch (IllegalArgumentException ex) {
      stop(id, "its new definition is invalid");
      deadLetter(r, dlq, ex.getMessage());
      return;
    }
    stop(id, "its sources changed");
    String what =
        e.getSources().stream()
            .map(
                s ->
                    s.getType()
                        + (s.getIntervalMs() == null ? "" : " every " + s.getIntervalMs() + " ms"))
            .collect(Collectors.joining(", "));
    log.info("experiment {} is {}: starting its sources {}", id, e.getState(), what);
    running.put(id, new Running(starter.apply(config), e.getSources(), e.getCreatedAt()));
  }

  private void expire() {
    for (var entry : running.entrySet()) {
      if (clock.millis() - entry.getValue().since() > maxAge.toMillis()) {
        expired.add(entry.getKey());
        stop(
            entry.getKey(),
            "it was created more than collector.experiment.max.age " + maxAge + " ago");
      }
    }
  }

  private void stop(String id, String why) {
    Running r = running.remove(id);
    if (r != null) {
      r.runner().close();
      log.info(
          "experiment {}: stopped its sources ({} samples published) because {}",
          id,
          r.runner().published(),
          why);
    }
  }

  private synchronized void deadLetter(
      ConsumerRecord<byte[], byte[]> r, KafkaProducer<byte[], byte[]> dlq, String reason) {
    log.warn(
        "{}-{}@{}: {}; the record goes to {} as it was",
        r.topic(),
        r.partition(),
        r.offset(),
        DeadLetters.reason(reason),
        topics.dlq().name());
    deadLettered++;
    dlq.send(
        DeadLetters.record(
            topics, "collector", r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason),
        (meta, e) -> {
          if (e != null) {
            log.error(
                "{}-{}@{}: LOST, cannot write it to {}: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                topics.dlq().name(),
                e.toString());
          }
        });
  }

  @Override
  public void close() {
    closed = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}
