package io.faultline.cli;

import io.faultline.schema.Alert;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandType;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one experiment on attack.events, steadystate, alerts and results (read_committed), keeps
 * the latest verdict per metric and the latest result, and hands each event and alert to a listener
 * as it arrives.
 */
final class ExperimentFollower implements ExperimentFeed, Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExperimentFollower.class);

  private final String experimentId;
  private final Topics topics;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Consumer<Object> listener;
  private final Map<String, WindowVerdict> latestVerdicts = new ConcurrentHashMap<>();
  private final AvroSerde<AttackEvent> events = AvroSerde.of(AttackEvent.class);
  private final AvroSerde<WindowVerdict> verdicts = AvroSerde.of(WindowVerdict.class);
  private final AvroSerde<Alert> alerts = AvroSerde.of(Alert.class);
  private final AvroSerde<ExperimentResult> results = AvroSerde.of(ExperimentResult.class);
  private final long createdAt = System.currentTimeMillis();
  private volatile ExperimentResult latestResult;
  private volatile boolean running = true;

  ExperimentFollower(
      String bootstrapServers, Topics topics, String experimentId, Consumer<Object> listener) {
    this(Map.of("bootstrap.servers", bootstrapServers), topics, experimentId, listener);
  }

  /**
   * Follows with the given Kafka client properties (TLS, SASL pass through). The listener also gets
   * each WindowVerdict, and each HALT_ALL command for this experiment (an analyzer's auto-abort, or
   * another operator's halt).
   */
  ExperimentFollower(
      Map<String, Object> clientConfig,
      Topics topics,
      String experimentId,
      Consumer<Object> listener) {
    this.experimentId = experimentId;
    this.topics = topics;
    this.listener = listener;
    Map<String, Object> conf = new java.util.HashMap<>(clientConfig);
    conf.put("group.id", "faultline-follower-" + UUID.randomUUID());
    conf.put("auto.offset.reset", "earliest");
    conf.put("enable.auto.commit", "false");
    conf.put("isolation.level", "read_committed");
    this.consumer =
        new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void run() {
    consumer.subscribe(
        List.of(
            topics.attackEvents().name(),
            topics.steadyState().name(),
            topics.alerts().name(),
            topics.results().name(),
            topics.attackCommands().name()));
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          handle(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void handle(ConsumerRecord<String, byte[]> r) {
    try {
      String topic = r.topic();
      if (topic.equals(topics.attackEvents().name())) {
        AttackEvent e = events.decode(r.value());
        if (experimentId.equals(e.getExperimentId())) {
          listener.accept(e);
        }
      } else if (topic.equals(topics.steadyState().name())) {
        WindowVerdict v = verdicts.decode(r.value());
        if (experimentId.equals(v.getExperimentId())) {
          latestVerdicts.put(v.getMetric(), v);
          listener.accept(v);
        }
      } else if (topic.equals(topics.alerts().name())) {
        Alert a = alerts.decode(r.value());
        if (experimentId.equals(a.getExperimentId())) {
          listener.accept(a);
        }
      } else if (topic.equals(topics.results().name())) {
        ExperimentResult result = results.decode(r.value());
        if (experimentId.equals(result.getExperimentId())) {
          latestResult = result;
          listener.accept(result);
        }
      } else if (topic.equals(topics.attackCommands().name())) {
        // Only commands sent since this follower started: an old `halt --all` is history.
        boolean recent = r.timestamp() >= createdAt - 1000;
        if (recent && (experimentId.equals(r.key()) || "*".equals(r.key()))) {
          AttackCommand c = AttackCommandCodec.decode(r.value());
          if (c.getType() == CommandType.HALT_ALL) {
            listener.accept(c);
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn(
          "skipping unreadable record on {} at offset {}: {}",
          r.topic(),
          r.offset(),
          e.getMessage());
    }
  }

  @Override
  public Map<String, WindowVerdict> latestVerdicts() {
    return new TreeMap<>(latestVerdicts);
  }

  @Override
  public ExperimentResult latestResult() {
    return latestResult;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
