package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import org.junit.jupiter.api.Test;

class AttackStartsTest {

  @Test
  void keepsTheEarliestStartOfTheFirstAttacksOnly() {
    AttackStarts.Starts starts = new AttackStarts.Starts();
    assertThat(starts.first()).isZero();
    assertThat(starts.add("a-2", 2_000)).isTrue();
    assertThat(starts.add("a-1", 1_500)).isTrue(); // an earlier attack's event arriving later
    assertThat(starts.add("a-1", 1_800)).isFalse(); // a retry starts again: the first one counts
    assertThat(starts.add("a-1", 1_000)).isTrue();
    assertThat(starts.first()).isEqualTo(1_000);
    for (int i = 3; i <= 20; i++) {
      starts.add("a-" + i, 500);
    }
    assertThat(starts.attacks).hasSize(AttackStarts.MAX_ATTACKS);
    assertThat(starts.first()).isEqualTo(500);
    assertThat(starts.latest()).isEqualTo(2_000);
  }

  @Test
  void onlyStartedEventsWithATimeAndAnExperimentCount() {
    AttackEvent.Builder e =
        AttackEvent.newBuilder()
            .setEventId("e")
            .setExperimentId("exp")
            .setType(AttackEventType.STARTED)
            .setTimestamp(1_000);
    assertThat(AttackStarts.isStart(e.build())).isTrue();
    assertThat(AttackStarts.isStart(e.setType(AttackEventType.STOPPED).build())).isFalse();
    assertThat(AttackStarts.isStart(e.setType(AttackEventType.FAILED).build())).isFalse();
    e.setType(AttackEventType.STARTED);
    assertThat(AttackStarts.isStart(e.setTimestamp(0).build())).isFalse();
    assertThat(AttackStarts.isStart(e.setTimestamp(1_000).setExperimentId("").build())).isFalse();
  }
}
