package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two stream threads in one instance ({@code analyzer.stream.threads=2}, docs/adr/0069) publish
 * what one thread publishes: the scale-out scenario's six experiments on a 6-partition {@code
 * metrics}, so both threads own tasks of every sub-topology and share the instance's objects (its
 * metrics, serdes and result terms) while they run.
 */
@Tag("side-by-side")
class StreamThreadsIT {

  @Test
  void twoStreamThreadsPublishWhatOneDoes() throws Exception {
    ScaleOutScenario scenario = new ScaleOutScenario();
    ScaleOutScenario.Published one = runWith(scenario, 1);
    ScaleOutScenario.Published two = runWith(scenario, 2);

    ScaleOutScenario.assertSame(one, two, "2 stream threads");
  }

  private static ScaleOutScenario.Published runWith(ScaleOutScenario scenario, int threads)
      throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("threads" + threads), 6);
    AnalyzerConfig config =
        AnalyzerConfig.fromMap(
            AnalyzerSettings.forTestBroker(topics)
                .set(AnalyzerConfig.STREAM_THREADS, Integer.toString(threads))
                .toMap());
    try (AnalyzerApp.Running analyzer = AnalyzerApp.run(config)) {
      // a thread whose consumer joins the group after the first rebalance owns nothing until the
      // next one (a CI run saw 18 and 0 mid-experiment): start once every thread owns tasks
      assertThat(everyThreadOwnsTasksWithin(analyzer, threads, Duration.ofSeconds(60)))
          .as("every one of %d stream threads owns active tasks before the input", threads)
          .isTrue();
      List<Integer> tasksPerThread = new ArrayList<>();
      ScaleOutScenario.Published published =
          scenario.run(
              topics,
              () -> {
                for (ThreadMetadata t : analyzer.streams().metadataForLocalThreads()) {
                  tasksPerThread.add(t.activeTasks().size());
                }
              });
      assertThat(tasksPerThread)
          .as("active tasks per stream thread mid-experiment")
          .hasSize(threads)
          .allMatch(n -> n > 0);
      return published;
    }
  }

  private static boolean everyThreadOwnsTasksWithin(
      AnalyzerApp.Running analyzer, int threads, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() - deadline < 0) {
      var local = analyzer.streams().metadataForLocalThreads();
      if (local.size() == threads && local.stream().allMatch(t -> !t.activeTasks().isEmpty())) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
