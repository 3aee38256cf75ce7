package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A round over group targets: one failing target is marked, only all failing fails the round. */
class TargetRoundTest {

  private final Samples samples = new Samples("e1");
  private final ConfigMap.GroupTarget up = new ConfigMap.GroupTarget(Group.CONTROL, "up", "u");
  private final ConfigMap.GroupTarget down =
      new ConfigMap.GroupTarget(Group.EXPERIMENTAL, "down", "d");
  private final ConfigMap.GroupTarget broken =
      new ConfigMap.GroupTarget(Group.EXPERIMENTAL, "broken", "b");

  private List<MetricSample> observe(ConfigMap.GroupTarget t, long ts) throws IOException {
    return switch (t.name()) {
      case "up" -> List.of(samples.of("m.a", t.group(), t.name(), ts, 1, ""));
      case "down" -> throw new IOException("connection refused");
      default -> throw new IllegalStateException("unexpected JSON");
    };
  }

  @Test
  void aFailingTargetGetsEveryMetricAsFailedWithTheReasonAndTheOthersGoOn() throws Exception {
    List<MetricSample> out =
        TargetRound.collect(
            List.of(down, up, broken), List.of("m.a", "m.b"), samples, this::observe);
    assertThat(out)
        .extracting(s -> s.getTarget() + " " + s.getMetric() + " " + s.getError())
        .containsExactly(
            "down m.a true", "down m.b true", "up m.a false", "broken m.a true", "broken m.b true");
    assertThat(out.get(0).getLabels()).containsEntry("reason", "IOException: connection refused");
    assertThat(out.get(3).getLabels()).containsEntry("reason", "IOException: unexpected JSON");
    assertThat(out.get(0).getValue()).isNaN();
  }

  @Test
  void theRoundFailsWithTheLatestErrorOnlyWhenEveryTargetFails() {
    assertThatThrownBy(
            () ->
                TargetRound.collect(List.of(down, broken), List.of("m.a"), samples, this::observe))
        .isInstanceOf(IOException.class)
        .hasMessage("unexpected JSON")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> TargetRound.collect(List.of(down), List.of("m.a"), samples, this::observe))
        .hasMessage("connection refused");
  }
}
