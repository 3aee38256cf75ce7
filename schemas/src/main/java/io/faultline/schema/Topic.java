package io.faultline.schema;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic, declared once: its full name, serdes and the settings it is created with.
 *
 * @param retention {@code null} for compacted topics
 */
public record Topic<K, V>(
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    boolean compacted,
    Duration retention) {}
