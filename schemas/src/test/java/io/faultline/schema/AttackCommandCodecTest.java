package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AttackCommandCodecTest {

  private static AttackCommand json(String text) {
    return AttackCommandCodec.decode(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsJsonCommandWithTheAvroFieldNames() {
    AttackCommand c =
        json(
            """
            {"commandId":"c1","experimentId":"e1","type":"START","fault":"cpu-burn",
             "target":{"kind":"process","names":["scale-experimental"],"group":"experimental"},
             "durationMs":30000,"parameters":{"cores":1,"percent":"80"}}
            """);
    assertThat(c.getType()).isEqualTo(CommandType.START);
    assertThat(c.getTarget().getGroup()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(c.getTarget().getNames()).containsExactly("scale-experimental");
    assertThat(c.getDurationMs()).isEqualTo(30_000L);
    assertThat(c.getParameters()).containsEntry("cores", "1").containsEntry("percent", "80");
  }

  @Test
  void acceptsAHumanDuration() {
    AttackCommand c =
        json("{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\"START\",\"duration\":\"2m\"}");
    assertThat(c.getDurationMs()).isEqualTo(120_000L);
  }

  @Test
  void readsAvroSingleObjectEncoding() {
    AttackCommand c =
        AttackCommand.newBuilder()
            .setCommandId("c1")
            .setExperimentId("e1")
            .setType(CommandType.HALT_ALL)
            .build();
    assertThat(AttackCommandCodec.decode(AttackCommandCodec.toAvro(c))).isEqualTo(c);
  }

  @Test
  void namesTheFieldOfEveryMistake() {
    assertThatThrownBy(() -> json("{\"experimentId\":\"e\",\"type\":\"START\"}"))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("commandId: is required");
    assertThatThrownBy(
            () -> json("{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\"EXPLODE\"}"))
        .hasMessageContaining("type: 'EXPLODE' is not one of START, STOP, HALT_ALL");
    assertThatThrownBy(
            () ->
                json(
                    "{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\"START\",\"durationMs\":\"soon\"}"))
        .hasMessageContaining("durationMs: must be an integer");
    assertThatThrownBy(
            () ->
                json(
                    "{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\"START\",\"target\":{\"group\":\"prod\"}}"))
        .hasMessageContaining("target.group: 'PROD' is not one of CONTROL, EXPERIMENTAL");
    assertThatThrownBy(() -> json("{\"commandId\":\"c\",\"bogus\":1}"))
        .hasMessageStartingWith("bogus: unknown field");
    assertThatThrownBy(() -> json("{\"commandId\": ")).hasMessageStartingWith("bad JSON");
  }

  @Test
  void rejectsBytesThatAreNeitherAvroNorJson() {
    assertThatThrownBy(() -> AttackCommandCodec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("expected Avro single-object encoding");
    assertThatThrownBy(() -> AttackCommandCodec.decode(new byte[0]))
        .hasMessageContaining("empty record");
  }
}
