package io.faultline.schema;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of faultline's topics (docs/architecture.md, Topics). Topic names appear nowhere
 * else.
 *
 * <p>A registry's partition counts are what a component creates missing topics with ({@code
 * topics.partitions}, {@link #partitions(ConfigReader)}). Once the topics exist, their actual
 * layout counts: {@link TopicProvisioner#layout} returns the registry with the cluster's partition
 * counts (docs/adr/0024), so the analyzer sizes its repartition topic from the real source topic.
 */
public final class Topics {

  public static final String DEFAULT_PREFIX = "faultline.";

  /** The default of {@code topics.partitions}: partitions of a topic a component creates. */
  public static final int DEFAULT_PARTITIONS = 3;

  /** Config key of the partition count for topics a component creates (chart topics.partitions). */
  public static final String PARTITIONS_KEY = "topics.partitions";

  private final String prefix;
  private final int planned;
  private final Topic<String, Experiment> experiments;
  private final Topic<String, byte[]> attackCommands;
  private final Topic<String, AttackEvent> attackEvents;
  private final Topic<String, AttackEvent> attackStarts;
  private final Topic<String, AttackState> attackState;
  private final Topic<String, MetricSample> metrics;
  private final Topic<String, WindowVerdict> steadyState;
  private final Topic<String, Alert> alerts;
  private final Topic<String, ExperimentResult> results;
  private final Topic<byte[], byte[]> dlq;
  private final Topic<String, ServiceHistory> history;

  /** The registry whose topics are created with {@code partitions} partitions (experiments 1). */
  public Topics(String prefix, int partitions) {
    this(prefix, partitions, Map.of());
  }

  /**
   * The registry with the default partition count: for clients that only produce and consume, where
   * Kafka's metadata gives the partitions, for naming topics, and for creating them with the
   * default count (benches, tests).
   */
  public static Topics named(String prefix) {
    return new Topics(prefix, DEFAULT_PARTITIONS);
  }

  /** {@code topics.partitions} from a component's config: 1 to 1000, default 3. */
  public static int partitions(ConfigReader config) {
    return config.wholeNumber(PARTITIONS_KEY, Integer.toString(DEFAULT_PARTITIONS), 1, 1000);
  }

  /**
   * This registry with the partition counts a cluster has ({@code partitionsByName}: full topic
   * name to partition count); topics not in the map keep this registry's counts.
   */
  public Topics withLayout(Map<String, Integer> partitionsByName) {
    return new Topics(prefix, planned, Map.copyOf(partitionsByName));
  }

  private Topics(String prefix, int partitions, Map<String, Integer> actual) {
    this.prefix = prefix;
    this.planned = partitions;
    Serde<String> keys = Serdes.String();
    Duration day = Duration.ofDays(1);
    experiments =
        laidOut(
            actual, prefix + "experiments", keys, AvroSerde.of(Experiment.class), 1, true, null);
    // Commands stay raw bytes on the topic: they may be Avro or JSON (see AttackCommandCodec).
    attackCommands =
        laidOut(
            actual,
            prefix + "attack.commands",
            keys,
            Serdes.ByteArray(),
            partitions,
            false,
            day.multipliedBy(7));
    attackEvents =
        laidOut(
            actual,
            prefix + "attack.events",
            keys,
            AvroSerde.of(AttackEvent.class),
            partitions,
            false,
            day.multipliedBy(30));
    // The analyzer's copy of the STARTED events, read by every instance as a global store (the
    // detector's anchor, docs/adr/0042); kept as long as the events themselves.
    attackStarts =
        laidOut(
            actual,
            prefix + "attack.starts",
            keys,
            AvroSerde.of(AttackEvent.class),
            partitions,
            false,
            day.multipliedBy(30));
    attackState =
        laidOut(
            actual,
            prefix + "attack.state",
            keys,
            AvroSerde.of(AttackState.class),
            partitions,
            true,
            null);
    metrics =
        laidOut(
            actual,
            prefix + "metrics",
            keys,
            AvroSerde.of(MetricSample.class),
            partitions,
            false,
            day);
    steadyState =
        laidOut(
            actual,
            prefix + "steadystate",
            keys,
            AvroSerde.of(WindowVerdict.class),
            partitions,
            false,
            day.multipliedBy(7));
    alerts =
        laidOut(
            actual,
            prefix + "alerts",
            keys,
            AvroSerde.of(Alert.class),
            partitions,
            false,
            day.multipliedBy(30));
    results =
        laidOut(
            actual,
            prefix + "results",
            keys,
            AvroSerde.of(ExperimentResult.class),
            partitions,
            true,
            null);
    dlq =
        laidOut(
            actual,
            prefix + "dlq",
            Serdes.ByteArray(),
            Serdes.ByteArray(),
            partitions,
            false,
            day.multipliedBy(7));
    // Keyed by service|ISO week and service|all: compaction keeps each key's latest figures.
    history =
        laidOut(
            actual,
            prefix + "history",
            keys,
            AvroSerde.of(ServiceHistory.class),
            partitions,
            true,
            null);
  }

  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX, DEFAULT_PARTITIONS);
  }

  private static <K, V> Topic<K, V> laidOut(
      Map<String, Integer> actual,
      String name,
      Serde<K> keys,
      Serde<V> values,
      int partitions,
      boolean compacted,
      Duration retention) {
    return new Topic<>(
        name, keys, values, actual.getOrDefault(name, partitions), compacted, retention);
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

  /** STARTED events the analyzer copies from attack.events, keyed by experiment. */
  public Topic<String, AttackEvent> attackStarts() {
    return attackStarts;
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
        attackStarts,
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
