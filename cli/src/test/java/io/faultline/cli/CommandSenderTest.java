package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.CommandSignature;
import io.faultline.schema.CommandType;
import io.faultline.schema.Topics;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class CommandSenderTest {

  private static final String SECRET = "0123456789abcdef-secret";
  private static final Topics TOPICS = new Topics("t.", 3);

  private static AttackCommand halt() {
    return AttackCommand.newBuilder()
        .setCommandId("c-1")
        .setExperimentId("e-1")
        .setType(CommandType.HALT_ALL)
        .build();
  }

  @Test
  void signsWhenASecretIsSetAndPublishesTheAvroFormKeyedByExperiment() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    CommandSender sender =
        new CommandSender(producer, TOPICS, "tester", SECRET, () -> 42L, Duration.ofSeconds(1));
    AttackCommand sent = sender.send(halt());
    assertThat(producer.history()).hasSize(1);
    var record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(TOPICS.attackCommands().name());
    assertThat(record.key()).isEqualTo("e-1");
    AttackCommand decoded = AttackCommandCodec.decode(record.value());
    assertThat(decoded.getIssuedAt()).isEqualTo(42L);
    assertThat(decoded.getIssuedBy()).isEqualTo("tester");
    assertThat(decoded.getSignature()).isEqualTo(sent.getSignature()).isNotNull();
    assertThat(CommandSignature.verify(decoded, SECRET)).isTrue();
  }

  @Test
  void sendsUnsignedWithoutASecretAndNamesAFailedSend() {
    MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    CommandSender sender =
        new CommandSender(producer, TOPICS, "tester", null, () -> 1L, Duration.ofSeconds(1));
    assertThat(sender.send(halt()).getSignature()).isNull();

    MockProducer<String, byte[]> failing =
        new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    CommandSender unacknowledged =
        new CommandSender(failing, TOPICS, "tester", null, () -> 1L, Duration.ofMillis(50));
    assertThatThrownBy(() -> unacknowledged.send(halt()))
        .hasMessageContaining("HALT_ALL command was not acknowledged");
  }
}
