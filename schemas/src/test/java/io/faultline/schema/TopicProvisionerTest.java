package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicProvisionerTest {

  @Test
  void compactedAndRetainedTopicsFollowTheArchitecture() {
    Topics topics = Topics.defaults();
    var experiments = TopicProvisioner.newTopic(topics.experiments(), (short) 1);
    assertThat(experiments.configs())
        .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    var events = TopicProvisioner.newTopic(topics.attackEvents(), (short) 1);
    assertThat(events.configs())
        .containsEntry(TopicConfig.RETENTION_MS_CONFIG, Long.toString(30L * 24 * 3600 * 1000));
    Set<String> names = topics.all().stream().map(Topic::name).collect(Collectors.toSet());
    assertThat(names)
        .containsExactlyInAnyOrder(
            "faultline.experiments",
            "faultline.attack.commands",
            "faultline.attack.events",
            "faultline.attack.starts",
            "faultline.attack.state",
            "faultline.metrics",
            "faultline.steadystate",
            "faultline.alerts",
            "faultline.results",
            "faultline.dlq",
            "faultline.history");
  }
}
