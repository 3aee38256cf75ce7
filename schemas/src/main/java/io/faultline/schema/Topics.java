package io.faultline.schema;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of faultline's topics (docs/architecture.md, Topics). Topic names appear nowhere
 * else.
 */
public final class Topics {

  public static final String DEFAULT_PREFIX = "faultline.";

  private final String prefix;
  private final Topic<String, Experiment> experiments;
  private final Topic<String, byte[]> attackCommands;
  private final Topic<String, AttackEvent> attackEvents;
  private final Topic<String, AttackState> attackState;
  private final Topic<String, MetricSample> metrics;
  private final Topic<String, WindowVerdict> steadyState;
  private final Topic<String, Alert> alerts;
  private final Topic<String, ExperimentResult> results;
  private final Topic<byte[], byte[]> dlq;
  private final Topic<String, ServiceHistory> history;

  public Topics(String prefix, int partitions) {
    this.prefix = prefix;
    Serde<String> keys = Serdes.String();
    Duration day = Duration.ofDays(1);
    experiments =
        new Topic<>(prefix + "experiments", keys, AvroSerde.of(Experiment.class), 1, true, null);
    // Commands stay raw bytes on the topic: they may be Avro or JSON (see AttackCommandCodec).
    attackCommands =
        new Topic<>(
            prefix + "attack.commands",
            keys,
            Serdes.ByteArray(),
            partitions,
            false,
            day.multipliedBy(7));
    attackEvents =
        new Topic<>(
            prefix + "attack.events",
            keys,
            AvroSerde.of(AttackEvent.class),
            partitions,
            false,
            day.multipliedBy(30));
    attackState =
        new Topic<>(
            prefix + "attack.state", keys, AvroSerde.of(AttackState.class), partitions, true, null);
    metrics =
        new Topic<>(
            prefix + "metrics", keys, AvroSerde.of(MetricSample.class), partitions, false, day);
    steadyState =
        new Topic<>(
            prefix + "steadystate",
            keys,
            AvroSerde.of(WindowVerdict.class),
            partitions,
            false,
            day.multipliedBy(7));
    alerts =
        new Topic<>(
            prefix + "alerts",
            keys,
            AvroSerde.of(Alert.class),
            partitions,
            false,
            day.multipliedBy(30));
    results =
        new Topic<>(
            prefix + "results", keys, AvroSerde.of(ExperimentResult.class), partitions, true, null);
    dlq =
        new Topic<>(
            prefix + "dlq",
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            partitions,
            false,
            day.multipliedBy(7));
    // Keyed by service|ISO week and service|all: compaction keeps each key's latest figures.
    history =
        new Topic<>(
            prefix + "history", keys, AvroSerde.of(ServiceHistory.class), partitions, true, null);
  }

  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX, 3);
  }

  public String prefix() {
    return prefix;
  }

  public Topic<String, Experiment> experiments() {
    return experiments;
  }

  public Topic<String, byte[]> attackCommands() {
    return attackCommands;
  }

  public Topic<String, AttackEvent> attackEvents() {
    return attackEvents;
  }

  public Topic<String, AttackState> attackState() {
    return attackState;
  }

  public Topic<String, MetricSample> metrics() {
    return metrics;
  }

  public Topic<String, WindowVerdict> steadyState() {
    return steadyState;
  }

  public Topic<String, Alert> alerts() {
    return alerts;
  }

  public Topic<String, ExperimentResult> results() {
    return results;
  }

  public Topic<byte[], byte[]> dlq() {
    return dlq;
  }

  public Topic<String, ServiceHistory> history() {
    return history;
  }

  public List<Topic<?, ?>> all() {
    return List.of(
        experiments,
        attackCommands,
        attackEvents,
        attackState,
        metrics,
        steadyState,
        alerts,
        results,
        dlq,
        history);
  }

  /** Key of the metrics and steadystate topics: both groups of one metric share a partition. */
  public static String metricKey(String experimentId, String metric) {
    return experimentId + "|" + metric;
  }
}
