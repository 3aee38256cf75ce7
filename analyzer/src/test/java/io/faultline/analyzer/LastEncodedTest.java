package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AvroSerde;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/** A verdict sent to two sinks is encoded once, to the bytes of its own encode (ADR 0097). */
class LastEncodedTest {

  private final AvroSerde<WindowVerdict> avro = AvroSerde.of(WindowVerdict.class);
  private final AtomicInteger encodes = new AtomicInteger();
  private final Serde<WindowVerdict> counting =
      Serdes.serdeFrom(
          (topic, v) -> {
            encodes.incrementAndGet();
            return avro.serialize(topic, v);
          },
          avro);
  private final LastEncoded<WindowVerdict> serde = new LastEncoded<>(counting);

  @Test
  void theSameVerdictEncodedTwiceInARowIsEncodedOnce() {
    WindowVerdict v = verdict(1);
    byte[] first = serde.serializer().serialize("steadystate", v);
    byte[] second = serde.serializer().serialize("verdicts-by-experiment-repartition", v);
    assertThat(second).isSameAs(first).isEqualTo(avro.serialize("x", v));
    assertThat(encodes).hasValue(1);
    assertThat(serde.deserializer().deserialize("steadystate", second)).isEqualTo(v);
  }

  @Test
  void anEqualVerdictThatIsAnotherObjectOrOneBetweenIsEncodedAgain() {
    WindowVerdict a = verdict(1);
    WindowVerdict b = verdict(2);
    byte[] first = serde.serializer().serialize("t", a);
    serde.serializer().serialize("t", verdict(1));
    assertThat(encodes).hasValue(2);
    serde.serializer().serialize("t", b);
    byte[] again = serde.serializer().serialize("t", a);
    assertThat(encodes).hasValue(4);
    assertThat(again).isNotSameAs(first).isEqualTo(first);
    assertThat(serde.serializer().serialize("t", null)).isNull();
  }

  @Test
  void eachThreadRemembersItsOwnLastVerdict() throws Exception {
    WindowVerdict v = verdict(3);
    byte[] here = serde.serializer().serialize("t", v);
    byte[][] there = new byte[1][];
    Thread other = new Thread(() -> there[0] = serde.serializer().serialize("t", v));
    other.start();
    other.join();
    assertThat(encodes).hasValue(2);
    assertThat(there[0]).isNotSameAs(here).isEqualTo(here);
  }

  private static WindowVerdict verdict(int i) {
    GroupStatistics g = new GroupStatistics(10L, 1.0 * i, 2.0, 0.0, 3.0, 10.0, 1.0, 2.0, 3.0);
    return new WindowVerdict(
        "exp-" + i,
        "http.latency.ms",
        5000L * i,
        5000L * i + 5000,
        g,
        g,
        0.1,
        0.2,
        null,
        SteadyState.STEADY,
        null,
        null,
        null,
        null);
  }
}
