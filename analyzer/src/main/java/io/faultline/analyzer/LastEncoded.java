package io.faultline.analyzer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde that encodes a record sent to several sinks once: each stream thread remembers the last
 * value it encoded (the object itself, not an equal one) and its bytes, and returns those bytes
 * when the same object is encoded again (docs/adr/0097: a verdict goes to {@code steadystate} and
 * to {@code verdicts-by-experiment-repartition}, one after the other). The bytes are the inner
 * serde's for that object, so only an object changed between its two encodes would differ: the
 * values must not be changed once forwarded. Reads go to the inner serde.
 */
final class LastEncoded<T> implements Serde<T> {

  private static final class Last {
    Object value;
    byte[] bytes;
  }

  private final Serde<T> inner;
  private final ThreadLocal<Last> last = ThreadLocal.withInitial(Last::new);

  LastEncoded(Serde<T> inner) {
    this.inner = inner;
  }

  byte[] serialize(String topic, T value) {
    if (value == null) {
      return inner.serializer().serialize(topic, null);
    }
    Last l = last.get();
    if (l.value == value) {
      return l.bytes;
    }
    byte[] bytes = inner.serializer().serialize(topic, value);
    l.value = value;
    l.bytes = bytes;
    return bytes;
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return inner.deserializer();
  }
}
