package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

  private static final String START =
      "{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\"START\",\"fault\":\"pause-process\","
          + "\"durationMs\":2000,\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"}}";

  private static AttackCommand valid() {
    return json(START);
  }

  @Test
  void refusesTrailingTokensAndDuplicateKeys() {
    assertThat(valid().getDurationMs()).isEqualTo(2000L);
    assertThat(json(START + "  \n").getCommandId()).isEqualTo("c");
    assertThatThrownBy(() -> json(START + "garbage"))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("bad JSON")
        .hasMessageContaining("Unrecognized token 'garbage'");
    assertThatThrownBy(() -> json(START + START))
        .hasMessageEndingWith(
            "trailing START_OBJECT after the command; a record holds exactly one JSON object");
    assertThatThrownBy(() -> json(START + " 7")).hasMessageContaining("trailing VALUE_NUMBER_INT");
    assertThatThrownBy(
            () ->
                json(
                    START.replace(
                        "{\"commandId\":\"c\",", "{\"commandId\":\"c\",\"commandId\":\"d\",")))
        .hasMessageContaining("Duplicate field 'commandId'");
  }

  @Test
  void refusesNumbersOutsideTheirFieldsRangeInsteadOfCuttingThem() {
    assertThatThrownBy(() -> json(START.replace("2000", "18446744073709554616")))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "durationMs: 18446744073709554616 is out of range: from 1000 to 86400000 ms (1s to 24h)");
    assertThatThrownBy(() -> json(START.replace("2000", "-5")))
        .hasMessageStartingWith("durationMs: -5 is out of range");
    assertThatThrownBy(
            () ->
                json(
                    START.replace(
                        "\"durationMs\":2000", "\"duration\":\"99999999999999999999999s\"")))
        .hasMessageStartingWith("duration: '99999999999999999999999s' is too long a duration");
    assertThatThrownBy(
            () -> json(START.replace("\"durationMs\":2000", "\"duration\":\"9999999999999999h\"")))
        .hasMessageStartingWith("duration: ");
    assertThatThrownBy(() -> json(START.replace("2000", "2000,\"issuedAt\":99999999999999999999")))
        .hasMessageStartingWith("issuedAt: 99999999999999999999 is out of range");
    assertThatThrownBy(() -> json(START.replace("2000", "2000,\"issuedAt\":-1")))
        .hasMessageStartingWith("issuedAt: -1: must be epoch milliseconds, 0 or more");
  }

  @Test
  void refusesInvalidUtf8AnywhereInJsonAndAvro() {
    byte[] bytes =
        START.replace("\"c\"", "\"c\",\"issuedBy\":\"ops-XX\"").getBytes(StandardCharsets.UTF_8);
    int at = new String(bytes, StandardCharsets.UTF_8).indexOf("XX");
    bytes[at] = (byte) 0xC3; // a lead byte followed by 'X', not a continuation byte
    byte[] json = bytes;
    assertThatThrownBy(() -> AttackCommandCodec.decode(json))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "invalid UTF-8 at byte "
                + at
                + " of "
                + json.length
                + "; a JSON command must be UTF-8");

    AttackCommand c = valid();
    c.setIssuedBy("ops-XX");
    byte[] avro = AttackCommandCodec.toAvro(c);
    int x = indexOf(avro, "XX".getBytes(StandardCharsets.UTF_8));
    avro[x] = (byte) 0xFF;
    assertThatThrownBy(() -> AttackCommandCodec.decode(avro))
        .hasMessageStartingWith("issuedBy: U+FFFD at index 4: invalid UTF-8");
  }

  @Test
  void refusesAvroWithTrailingBytesForgedLengthsOrAnotherSchema() {
    byte[] avro = AttackCommandCodec.toAvro(valid());
    assertThat(AttackCommandCodec.decode(avro)).isEqualTo(valid());
    byte[] longer = java.util.Arrays.copyOf(avro, avro.length + 3);
    assertThatThrownBy(() -> AttackCommandCodec.decode(longer))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("trailing bytes after the command");
    // the first string's length as a 2^31 zigzag varint: must be refused without allocating it
    byte[] forged = new byte[avro.length + 4];
    System.arraycopy(avro, 0, forged, 0, 10);
    byte[] huge = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
    System.arraycopy(huge, 0, forged, 10, huge.length);
    System.arraycopy(avro, 11, forged, 15, avro.length - 11);
    assertThatThrownBy(() -> AttackCommandCodec.decode(forged))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("cannot decode");
    byte[] other =
        AvroSerde.of(AttackEvent.class)
            .encode(
                AttackEvent.newBuilder()
                    .setEventId("x")
                    .setExperimentId("e")
                    .setType(AttackEventType.REJECTED)
                    .setTimestamp(1)
                    .setAgentId("a")
                    .build());
    assertThatThrownBy(() -> AttackCommandCodec.decode(other))
        .hasMessageContaining("Avro record of io.faultline.schema.AttackEvent");
  }

  @Test
  void namesTheJsonLimitInsteadOfFailingWithoutALocation() {
    String deep = "[".repeat(50_000) + "]".repeat(50_000);
    assertThatThrownBy(() -> json(START.replace("2000", "2000,\"parameters\":" + deep)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("JSON over a limit")
        .hasMessageContaining("nesting depth (101) exceeds the maximum allowed (100)")
        .hasMessageNotContaining("StreamReadConstraints");
    assertThatThrownBy(() -> json(START.replace("2000", "1" + "0".repeat(4999))))
        .hasMessageStartingWith("durationMs: JSON over a limit: Number value length")
        .hasMessageContaining("exceeds the maximum allowed (32)");
    assertThatThrownBy(
            () -> json(START.replace("\"victim\"", "\"" + "v".repeat(2 * 1024 * 1024) + "\"")))
        .hasMessageStartingWith("target.names[0]: JSON over a limit: String value length")
        .hasMessageContaining("exceeds the maximum allowed (1048576)");
  }

  @Test
  void boundsEveryStringAndListNamingTheFieldAndTheBound() {
    assertThatThrownBy(() -> json(START.replace("\"victim\"", "\"" + "v".repeat(614_400) + "\"")))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("target.names[0]: 614400 characters, at most 317");
    String many = "\"t\",".repeat(101) + "\"t\"";
    assertThatThrownBy(() -> json(START.replace("\"victim\"", many)))
        .hasMessage("target.names: 102 names, at most 100");
    assertThatThrownBy(() -> json(START.replace("\"c\"", "\"" + "c".repeat(129) + "\"")))
        .hasMessage("commandId: 129 characters, at most 128");
    assertThatThrownBy(() -> json(START.replace("pause-process", "p".repeat(64))))
        .hasMessage("fault: 64 characters, at most 63");
    assertThatThrownBy(
            () -> json(START.replace("\"c\"", "\"c\",\"issuedBy\":\"" + "i".repeat(257) + "\"")))
        .hasMessage("issuedBy: 257 characters, at most 256");
    assertThatThrownBy(
            () -> json(START.replace("\"c\"", "\"c\",\"attackId\":\"" + "a".repeat(201) + "\"")))
        .hasMessage("attackId: 201 characters, at most 200");
    assertThatThrownBy(
            () ->
                json(
                    START.replace(
                        "2000", "2000,\"parameters\":{\"dir\":\"" + "/".repeat(4097) + "\"}")))
        .hasMessage("parameters.dir: 4097 characters, at most 4096");
    assertThatThrownBy(
            () ->
                json(
                    START.replace(
                        "2000", "2000,\"parameters\":{\"" + "k".repeat(65) + "\":\"1\"}")))
        .hasMessage("parameters key: 65 characters, at most 64");
    StringBuilder params = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      params.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":1");
    }
    assertThatThrownBy(() -> json(START.replace("2000", "2000,\"parameters\":{" + params + "}")))
        .hasMessage("parameters: 33 entries, at most 32");
    assertThatThrownBy(() -> json(START.replace("\"victim\"", "\"vic\\ntim\"")))
        .hasMessage("target.names[0]: control character U+000A at index 3; not allowed");
    assertThatThrownBy(() -> json(START.replace("\"victim\"", "\"vic\\ud800tim\"")))
        .hasMessage(
            "target.names[0]: unpaired surrogate U+D800 at index 3: not encodable as UTF-8");
    assertThat(json(START.replace("\"victim\"", "\"vic\\ud83d\\ude00tim\"")).getTarget().getNames())
        .containsExactly("vic\ud83d\ude00tim");
    // the same bounds hold for Avro
    AttackCommand c = valid();
    c.getTarget().setNames(List.of("v".repeat(614_400)));
    byte[] avro = AttackCommandCodec.toAvro(c);
    assertThatThrownBy(() -> AttackCommandCodec.decode(avro))
        .hasMessage("target.names[0]: 614400 characters, at most 317");
  }

  @Test
  void quotesAtMostAFewCharactersOfAHostileValue() {
    assertThatThrownBy(
            () ->
                json(
                    "{\"commandId\":\"c\",\"experimentId\":\"e\",\"type\":\""
                        + "X".repeat(100_000)
                        + "\"}"))
        .hasMessage(
            "type: '"
                + "X".repeat(64)
                + "... (100000 characters)' is not one of START, STOP, HALT_ALL");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
