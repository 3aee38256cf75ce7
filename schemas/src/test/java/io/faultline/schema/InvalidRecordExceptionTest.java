package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvalidRecordExceptionTest {

  @Test
  void aRefusalIsOneLineWhateverTheRecordHeld() {
    InvalidRecordException e =
        new InvalidRecordException(
            "target.names", "no process target named 'a\nb\r\u001b[31m\u0085\u2028\tc'");

    assertThat(e.getMessage())
        .isEqualTo("target.names: no process target named 'a\\nb\\r\\u001b[31m\\u0085\\u2028\\tc'")
        .doesNotContain("\n", "\r", "\u001b", "\u0085", "\u2028", "\t");
    assertThat(e.field()).isEqualTo("target.names");
  }

  @Test
  void aPlainMessageIsKeptAsItIs() {
    String message = "must be one of one, all, fixed:N, percent:N (1-100); got 'é ü'";
    assertThat(
            new InvalidRecordException("target.mode", message, new RuntimeException()).getMessage())
        .isEqualTo("target.mode: " + message);
    assertThat(new InvalidRecordException(null, "unreadable").getMessage()).isEqualTo("unreadable");
  }
}
