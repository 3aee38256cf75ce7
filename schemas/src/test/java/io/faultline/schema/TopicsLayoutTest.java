package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicsLayoutTest {

  @Test
  void aLayoutReplacesThePlannedCountsOfTheTopicsItNames() {
    Topics planned = new Topics("t.", 3);
    Topics actual = planned.withLayout(Map.of("t.attack.events", 12, "t.metrics", 6));

    assertThat(actual.attackEvents().partitions()).isEqualTo(12);
    assertThat(actual.metrics().partitions()).isEqualTo(6);
    assertThat(actual.alerts().partitions()).as("not in the layout: planned").isEqualTo(3);
    assertThat(actual.experiments().partitions()).isEqualTo(1);
    assertThat(actual.attackEvents().name()).isEqualTo(planned.attackEvents().name());
    assertThat(planned.attackEvents().partitions())
        .as("the planned registry unchanged")
        .isEqualTo(3);
  }

  @Test
  void partitionsComeFromTopicsPartitionsWithTheDefaultWhenAbsent() {
    assertThat(Topics.partitions(new ConfigReader(Map.of()))).isEqualTo(Topics.DEFAULT_PARTITIONS);
    assertThat(Topics.partitions(new ConfigReader(Map.of("topics.partitions", "12"))))
        .isEqualTo(12);
    assertThatThrownBy(() -> Topics.partitions(new ConfigReader(Map.of("topics.partitions", "0"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topics.partitions");
  }
}
