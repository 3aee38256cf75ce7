package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

  private static ConfigReader with(String key, String value) {
    return new ConfigReader(Map.of(key, value));
  }

  @Test
  void absentAndBlankKeysTakeTheDefault() {
    ConfigReader c = new ConfigReader(Map.of("a.blank", "  ", "a.set", " x "));
    assertThat(c.get("a.blank", "d")).isEqualTo("d");
    assertThat(c.get("a.absent", "d")).isEqualTo("d");
    assertThat(c.get("a.set", "d")).isEqualTo("x");
    assertThat(c.has("a.blank")).isFalse();
    assertThat(c.raw("a.blank")).isEqualTo("  ");
    assertThat(c.duration("a.blank", "5s", Duration.ZERO, null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.optionalWholeNumber("a.absent", 0, 10)).isNull();
  }

  @Test
  void durationsNameTheKeyTheValueAsWrittenAndTheRange() {
    assertThat(with("k", "1m30s").duration("k", "1s", Duration.ofSeconds(1), Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(
            () -> with("k", "25h").duration("k", "1s", Duration.ofSeconds(1), Duration.ofHours(24)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k 25h: must be between 1s and 24h");
    assertThatThrownBy(
            () -> with("k", "0s").duration("k", "1s", Duration.ofMillis(100), Duration.ofHours(1)))
        .hasMessage("k 0s: must be between 100ms and 1h");
    assertThatThrownBy(() -> with("k", "0s").duration("k", "1s", Duration.ofSeconds(1), null))
        .hasMessage("k 0s: must be at least 1s");
    assertThatThrownBy(() -> with("k", "soon").duration("k", "1s", Duration.ZERO, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k 'soon': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S");
    assertThatThrownBy(() -> with("k", "PT-5S").duration("k", "1s", Duration.ZERO, null))
        .hasMessage("k 'PT-5S': must not be negative");
  }

  @Test
  void numbersAreBoundedAndNameWhatIsAllowed() {
    assertThat(with("n", " 7 ").wholeNumber("n", "1", 1, 10)).isEqualTo(7);
    assertThatThrownBy(() -> with("n", "many").wholeNumber("n", "1", 1, 1000))
        .hasMessage("n 'many': must be a whole number from 1 to 1000");
    assertThatThrownBy(() -> with("n", "0").wholeNumber("n", "1", 1, 1000))
        .hasMessage("n '0': must be a whole number from 1 to 1000");
    assertThatThrownBy(() -> with("n", "3000000000").wholeNumber("n", "1", 1, 1000))
        .hasMessage("n '3000000000': must be a whole number from 1 to 1000");
    assertThat(with("n", "-3").longNumber("n", "0", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(-3);
    assertThatThrownBy(() -> with("n", "x").longNumber("n", "0", Long.MIN_VALUE, Long.MAX_VALUE))
        .hasMessage("n 'x': must be a whole number");
    assertThatThrownBy(() -> with("p", "70000").optionalWholeNumber("p", 0, 65535))
        .hasMessage("p '70000': must be a whole number from 0 to 65535");
    assertThat(with("r", "0.5").number("r", "1", 0.001, 100_000)).isEqualTo(0.5);
    assertThatThrownBy(() -> with("r", "fast").number("r", "1", 0.001, 100_000))
        .hasMessage("r 'fast': must be a number from 0.001 to 100000.0");
    assertThatThrownBy(() -> with("r", "NaN").number("r", "1", 0, 1))
        .hasMessage("r 'NaN': must be a number from 0.0 to 1.0");
    assertThatThrownBy(() -> with("c", "1").numberBelow("c", "0.9", 0.5, 1))
        .hasMessage("c '1': must be a number from 0.5 to below 1.0");
  }

  @Test
  void booleansChoicesAndTexts() {
    assertThat(with("b", "TRUE").bool("b", "false")).isTrue();
    assertThatThrownBy(() -> with("b", "yes").bool("b", "false"))
        .hasMessage("b 'yes': must be true or false");
    assertThat(with("g", "Control").choice("g", null, List.of("control", "experimental")))
        .isEqualTo("control");
    assertThatThrownBy(
            () -> with("g", "canary").choice("g", null, List.of("control", "experimental")))
        .hasMessage("g 'canary': must be control or experimental");
    assertThatThrownBy(
            () -> with("s", "promethus").choice("s", null, List.of("http", "prometheus", "host")))
        .hasMessage(
            "s 'promethus': must be one of http, prometheus or host; did you mean prometheus?");
    assertThatThrownBy(
            () -> new ConfigReader(Map.of()).required("bootstrap.servers", "e.g. h:9092"))
        .hasMessage("bootstrap.servers: required (e.g. h:9092)");
    assertThatThrownBy(() -> with("d", " ").nonBlank("d", "x", "a directory"))
        .hasMessage("d: must not be empty; a directory");
    assertThat(new ConfigReader(Map.of()).nonBlank("d", "x", "")).isEqualTo("x");
  }

  @Test
  void readsThroughAStrictConfigCountAsRead() {
    StrictConfig strict = StrictConfig.of(Map.of("agent.lease", "3s", "agent.leese", "3s"));
    new ConfigReader(strict).duration("agent.lease", "30s", Duration.ofSeconds(2), null);
    assertThatThrownBy(() -> strict.refuseUnread("agent", "agent."))
        .hasMessageStartingWith("agent.leese: unknown key of the agent; did you mean agent.lease?");
  }
}
