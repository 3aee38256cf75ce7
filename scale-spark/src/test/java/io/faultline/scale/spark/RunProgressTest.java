package io.faultline.scale.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run's progress as the driver's listener feeds it (no Spark started). */
class RunProgressTest {

  @Test
  void countsEachPartitionOnceAndPlacesALossInTheRun() {
    RunProgress p = new RunProgress();
    p.stageSubmitted(2); // the warm-up job before any run: not a run's stage
    p.taskSucceeded(0);
    p.begin(1, 10_000);
    p.stageSubmitted(41);
    p.taskSucceeded(0);
    p.taskSucceeded(1);
    p.executorLost(12_400);
    p.taskSucceeded(1); // its retry after the loss: still one partition
    p.stageSubmitted(3); // a later stage attempt keeps the run's task count

    assertThat(p.tasksDone()).isEqualTo(2);
    assertThat(p.losses()).containsExactly(new RunProgress.Loss(2_400, 2));
    Map<String, Object> f = p.figures();
    assertThat(f)
        .containsEntry("run", 1)
        .containsEntry("startedAt", 10_000L)
        .containsEntry("tasks", 41)
        .containsEntry("tasksDone", 2)
        .containsEntry("losses", List.of(Map.of("atMs", 2_400L, "tasksDone", 2)));
  }

  @Test
  void aNewRunStartsFromNothing() {
    RunProgress p = new RunProgress();
    p.begin(1, 0);
    p.stageSubmitted(5);
    p.taskSucceeded(4);
    p.executorLost(100);
    p.begin(2, 1_000);

    assertThat(p.figures())
        .containsEntry("run", 2)
        .containsEntry("tasks", 0)
        .containsEntry("tasksDone", 0)
        .containsEntry("losses", List.of());
  }

  @Test
  void anExecutorLostBeforeAnyRunIsNoRunsLoss() {
    RunProgress p = new RunProgress();
    p.executorLost(5_000);
    assertThat(p.losses()).isEmpty();
  }
}
