package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  private final Topics topics = new Topics("t.", 3);

  @Test
  void keepsASmallRecordWholeWithWhereItCameFrom() {
    byte[] value = "bad".getBytes(StandardCharsets.UTF_8);
    var r = DeadLetters.record(topics, "agent", "t.attack.commands", 2, 41, null, value, "why");
    assertThat(r.topic()).isEqualTo("t.dlq");
    assertThat(r.value()).isEqualTo(value);
    assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC))
        .isEqualTo("t.attack.commands");
    assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("2");
    assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("41");
    assertThat(DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_SIZE)).isEqualTo("3");
    assertThat(DeadLetters.header(r.headers(), DeadLetters.REASON)).isEqualTo("why");
    assertThat(r.headers().lastHeader(DeadLetters.ORIGINAL_KEY_SIZE)).isNull();
  }

  @Test
  void cutsAValueOrKeyTooBigForTheBrokerAndSaysHowBigItWas() {
    byte[] value = new byte[DeadLetters.MAX_VALUE_BYTES + 1];
    byte[] key = new byte[5 * 1024 * 1024];
    var r = DeadLetters.record(topics, "agent", "src", 0, 7, key, value, "too big");
    assertThat(r.value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
    assertThat(r.key()).hasSize(DeadLetters.MAX_KEY_BYTES);
    assertThat(DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_SIZE))
        .isEqualTo(Integer.toString(value.length));
    assertThat(DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_KEY_SIZE))
        .isEqualTo(Integer.toString(key.length));
    assertThat(DeadLetters.value(new byte[10])).hasSize(10);
    assertThat(DeadLetters.key("k".repeat(100_000)).getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(DeadLetters.MAX_KEY_BYTES);
  }

  @Test
  void boundsTheReasonWithAMarker() {
    String reason = DeadLetters.reason("x".repeat(700_000));
    assertThat(reason)
        .hasSize(DeadLetters.MAX_REASON_CHARS)
        .endsWith("... (700000 characters, cut)");
    assertThat(DeadLetters.reason("short")).isEqualTo("short");
    assertThat(DeadLetters.reason(null)).isEqualTo("unknown");
    var headers = DeadLetters.headers("c", "src", 0, 1, 700_000, "y".repeat(700_000));
    assertThat(DeadLetters.header(headers, DeadLetters.REASON))
        .hasSize(DeadLetters.MAX_REASON_CHARS);
  }
}
