package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestNameTest {

  private static final List<String> KEYS =
      List.of("agent.command.secret", "agent.max.duration", "agent.targets.dir");

  @Test
  void suggestsTheKnownNameATypoIsClosestTo() {
    assertThat(NearestName.among(KEYS, "agent.comand.secret")).contains("agent.command.secret");
    assertThat(NearestName.among(List.of("cores", "percent"), "corez")).contains("cores");
    assertThat(NearestName.among(List.of("gracePeriodSeconds"), "gracePeriod"))
        .contains("gracePeriodSeconds");
    assertThat(NearestName.among(List.of("cpu-burn", "disk-io"), "disk-io-pressure"))
        .contains("disk-io");
  }

  @Test
  void suggestsNothingWhenNoNameIsClose() {
    assertThat(NearestName.among(KEYS, "collector.rps")).isEmpty();
    assertThat(NearestName.hint(List.of("cores"), "size")).isEmpty();
    assertThat(NearestName.hint(List.of("cores"), "core")).isEqualTo("; did you mean cores?");
  }

  @Test
  void distanceIsTheNumberOfEdits() {
    assertThat(NearestName.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(NearestName.distance("", "abc")).isEqualTo(3);
    assertThat(NearestName.distance("same", "same")).isZero();
  }
}
