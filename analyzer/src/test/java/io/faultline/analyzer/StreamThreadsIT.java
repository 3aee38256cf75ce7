package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;

/**
 * Two stream threads in one instance ({@code analyzer.stream.threads=2}, docs/adr/0069) publish
 * what one thread publishes: the scale-out scenario's six experiments on a 6-partition {@code
 * metrics}, so both threads own tasks of every sub-topology and share the instance's objects (its
 * metrics, serdes and result terms) while they run.
 */
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
}
