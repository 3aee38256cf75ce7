package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandSignatureTest {

  private static AttackCommand command() {
    return AttackCommand.newBuilder()
        .setCommandId("c1")
        .setExperimentId("e1")
        .setType(CommandType.START)
        .setFault("cpu-burn")
        .setTarget(
            TargetSelector.newBuilder().setNames(List.of("x")).setGroup(Group.EXPERIMENTAL).build())
        .setDurationMs(30_000L)
        .setParameters(Map.of("cores", "2", "percent", "50"))
        .setIssuedAt(1_700_000_000_000L)
        .build();
  }

  @Test
  void signedCommandVerifiesAndAnyChangeBreaksIt() {
    AttackCommand signed = CommandSignature.signed(command(), "s3cret");
    assertThat(signed.getSignature()).hasSize(64);
    assertThat(CommandSignature.verify(signed, "s3cret")).isTrue();
    assertThat(CommandSignature.verify(signed, "other")).isFalse();
    AttackCommand tampered = AttackCommand.newBuilder(signed).setDurationMs(900_000L).build();
    assertThat(CommandSignature.verify(tampered, "s3cret")).isFalse();
    AttackCommand retargeted = AttackCommand.newBuilder(signed).build();
    retargeted.getTarget().setGroup(Group.CONTROL);
    assertThat(CommandSignature.verify(retargeted, "s3cret")).isFalse();
    assertThat(CommandSignature.verify(command(), "s3cret")).isFalse();
  }

  @Test
  void jsonAndAvroFormsSignAlike() {
    AttackCommand signed = CommandSignature.signed(command(), "k");
    String json =
        "{\"commandId\":\"c1\",\"experimentId\":\"e1\",\"type\":\"START\",\"fault\":\"cpu-burn\","
            + "\"target\":{\"names\":[\"x\"],\"group\":\"EXPERIMENTAL\"},\"durationMs\":30000,"
            + "\"parameters\":{\"percent\":\"50\",\"cores\":2},\"issuedAt\":1700000000000,"
            + "\"signature\":\""
            + signed.getSignature()
            + "\"}";
    AttackCommand fromJson = AttackCommandCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThat(CommandSignature.verify(fromJson, "k")).isTrue();
    AttackCommand fromAvro = AttackCommandCodec.decode(AttackCommandCodec.toAvro(signed));
    assertThat(CommandSignature.verify(fromAvro, "k")).isTrue();
  }
}
