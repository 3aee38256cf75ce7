package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The analyzer takes the partition counts from the topics as they are, not from its own {@code
 * topics.partitions} (left at its default of 3 here): on topics created with 12 partitions it sizes
 * its repartition topic like {@code attack.events} and publishes what it publishes on 3.
 */
@Tag("side-by-side")
class PartitionLayoutIT {

  @Test
  void publishesTheSameOnThreeAndOnTwelvePartitions() throws Exception {
    ScaleOutScenario scenario = new ScaleOutScenario();
    ScaleOutScenario.Published three = runOn(scenario, 3);
    ScaleOutScenario.Published twelve = runOn(scenario, 12);

    ScaleOutScenario.assertSame(three, twelve, "12 partitions");
  }

  private static ScaleOutScenario.Published runOn(ScaleOutScenario scenario, int partitions)
      throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("layout" + partitions), partitions);
    AnalyzerConfig config = AnalyzerConfig.fromMap(AnalyzerSettings.forTestBroker(topics).toMap());
    assertThat(config.topicsPartitions()).isEqualTo(Topics.DEFAULT_PARTITIONS);
    try (AnalyzerApp.Running analyzer = AnalyzerApp.run(config)) {
      return scenario.run(topics, () -> {});
    }
  }
}
