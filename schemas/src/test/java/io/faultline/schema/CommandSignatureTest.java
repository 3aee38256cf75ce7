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

  @Test
  void namesThatJoinAlikeSignDifferently() {
    AttackCommand one = command();
    one.getTarget().setNames(List.of("a,b"));
    AttackCommand two = command();
    two.getTarget().setNames(List.of("a", "b"));
    assertThat(CommandSignature.sign(one, "k")).isNotEqualTo(CommandSignature.sign(two, "k"));
    AttackCommand signed = CommandSignature.signed(one, "k");
    signed.getTarget().setNames(List.of("a", "b"));
    assertThat(CommandSignature.verify(signed, "k")).isFalse();
  }

  @Test
  void theSignatureCoversEveryFieldAndIgnoresMapOrder() {
    AttackCommand signed = CommandSignature.signed(command(), "k");
    AttackCommand reordered = AttackCommand.newBuilder(signed).build();
    var params = new java.util.LinkedHashMap<String, String>();
    params.put("percent", "50");
    params.put("cores", "2");
    reordered.setParameters(params);
    assertThat(CommandSignature.verify(reordered, "k")).isTrue();
    AttackCommand dry = AttackCommand.newBuilder(signed).setDryRun(true).build();
    assertThat(CommandSignature.verify(dry, "k")).isFalse();
    AttackCommand by = AttackCommand.newBuilder(signed).setIssuedBy("someone").build();
    assertThat(CommandSignature.verify(by, "k")).isFalse();
  }

  @Test
  void aSignatureOfThePreviousReleaseIsStillAcceptedForOneRelease() {
    AttackCommand legacy = AttackCommand.newBuilder(command()).build();
    legacy.setSignature(CommandSignature.signLegacy(legacy, "k"));
    assertThat(CommandSignature.verify(legacy, "k")).isTrue();
    assertThat(CommandSignature.verify(legacy, "other")).isFalse();
    assertThat(legacy.getSignature()).isNotEqualTo(CommandSignature.sign(command(), "k"));
  }
}
