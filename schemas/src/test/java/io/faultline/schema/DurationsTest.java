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
  void badDurationNamesTheField() {
    assertThatThrownBy(() -> Durations.parse("attack.duration", "soon"))
        .hasMessageStartingWith("attack.duration: 'soon' is not a duration");
  }
}
