package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parsesShortAndIsoForms() {
    assertThat(Durations.parse("d", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("d", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("d", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("d", "PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
  }

  @Test
  void parsesUnitsCombinedLargestFirst() {
    assertThat(Durations.parse("d", "1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("d", "1h5m")).isEqualTo(Duration.ofMinutes(65));
    assertThat(Durations.parse("d", "2s500ms")).isEqualTo(Duration.ofMillis(2500));
    assertThat(Durations.parse("d", "1h0m1s")).isEqualTo(Duration.ofSeconds(3601));
    assertThatThrownBy(() -> Durations.parse("d", "30s1m")).hasMessageContaining("'30s1m'");
    assertThatThrownBy(() -> Durations.parse("d", "")).hasMessageContaining("not a duration");
  }

  @Test
  void formatsAtTheEdgesOfEachUnit() {
    // milliseconds -> text: under a second, to a tenth under a minute (59.95 s rounds up into
    // minutes), to the second above
    Object[][] cases = {
      {0L, "0ms"},
      {999L, "999ms"},
      {1000L, "1s"},
      {1049L, "1s"},
      {1050L, "1.1s"},
      {7912L, "7.9s"},
      {11_100L, "11.1s"},
      {59_900L, "59.9s"},
      {59_949L, "59.9s"},
      {59_950L, "1m"},
      {60_000L, "1m"},
      {90_499L, "1m30s"},
      {90_500L, "1m31s"},
      {3_599_499L, "59m59s"},
      {3_599_500L, "1h"},
      {3_601_000L, "1h1s"},
      {5_400_000L, "1h30m"},
      {90_061_000L, "25h1m1s"},
      {-1500L, "-1.5s"}
    };
    for (Object[] c : cases) {
      assertThat(Durations.format(Duration.ofMillis((Long) c[0])))
          .as("%s ms", c[0])
          .isEqualTo(c[1]);
    }
  }

  @Test
  void aMeasuredFigureInMillisecondsReadsAsADurationAndNoneAsNa() {
    assertThat(Durations.format((Long) null)).isEqualTo("n/a");
    assertThat(Durations.format(0L)).isEqualTo("0ms");
    assertThat(Durations.format(7912L)).isEqualTo("7.9s");
    assertThat(Durations.format(12_500L)).isEqualTo("12.5s");
  }

  @Test
  void wholeSecondsAndLessThanASecondParseBackToThemselves() {
    long[] millis = {
      0,
      1,
      999,
      1000,
      59_000,
      60_000,
      90_000,
      3_599_000,
      3_600_000,
      5_400_000,
      86_400_000,
      90_061_000
    };
    for (long ms : millis) {
      Duration d = Duration.ofMillis(ms);
      assertThat(Durations.parse("d", Durations.format(d))).as(Durations.format(d)).isEqualTo(d);
    }
    for (long s = 0; s < 7200; s += 7) {
      Duration d = Duration.ofSeconds(s);
      assertThat(Durations.parse("d", Durations.format(d))).isEqualTo(d);
    }
  }

  @Test
  void limitsInMessagesShowWholeHoursAndZeroPlainly() {
    assertThat(Durations.formatLimit(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(Durations.formatLimit(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Durations.formatLimit(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.formatLimit(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.formatLimit(Duration.ofMillis(100))).isEqualTo("100ms");
    for (Duration d :
        new Duration[] {Duration.ofHours(24), Duration.ofMinutes(90), Duration.ZERO}) {
      assertThat(Durations.parse("d", Durations.formatLimit(d))).isEqualTo(d);
    }
  }

  @Test
  void badDurationNamesTheField() {
    assertThatThrownBy(() -> Durations.parse("attack.duration", "soon"))
        .hasMessageStartingWith("attack.duration: 'soon' is not a duration");
  }

  @Test
  void withinNamesTheOptionTheValueAndTheRange() {
    assertThat(Durations.within("--window", "10s", Duration.ofSeconds(1), Duration.ofHours(1)))
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(
            () -> Durations.within("--window", "2h", Duration.ofSeconds(1), Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--window 2h: must be between 1s and 1h");
    assertThatThrownBy(
            () -> Durations.within("--recovery", "2h", Duration.ZERO, Duration.ofHours(1)))
        .hasMessage("--recovery 2h: must be between 0s and 1h");
    assertThatThrownBy(() -> Durations.within("--steady", "soon", Duration.ZERO, null))
        .hasMessage("--steady 'soon': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S");
    assertThatThrownBy(() -> Durations.within("--steady", "500ms", Duration.ofSeconds(1), null))
        .hasMessage("--steady 500ms: must be at least 1s");
    assertThat(
            Durations.outOfRange(Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(1)))
        .isNull();
    assertThat(Durations.outOfRange(Duration.ZERO, Duration.ofSeconds(1), null))
        .isEqualTo("must be at least 1s");
  }
}
