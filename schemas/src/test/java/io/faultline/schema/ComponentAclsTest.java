package io.faultline.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.ComponentAcls.Component;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class ComponentAclsTest {

  private final Topics topics = new Topics("faultline.", 3);

  private List<Component> writersOf(String topic) {
    return Arrays.stream(Component.values())
        .filter(
            c ->
                ComponentAcls.of(c, "User:" + c, topics, "faultline-analyzer").stream()
                    .anyMatch(b -> grants(b, topic, AclOperation.WRITE)))
        .toList();
  }

  private static boolean grants(AclBinding b, String topic, AclOperation op) {
    return b.pattern().resourceType() == ResourceType.TOPIC
        && b.pattern().name().equals(topic)
        && (b.entry().operation() == op || b.entry().operation() == AclOperation.ALL);
  }

  @Test
  void onlyTheCliAndTheAnalyzerMayWriteAttackCommands() {
    assertThat(writersOf(topics.attackCommands().name()))
        .containsExactlyInAnyOrder(Component.CLI, Component.ANALYZER);
  }

  @Test
  void theCollectorOnlyWritesMetricsAndTheDlqAndReadsExperimentsAndTheAnalyzersOutputs() {
    List<AclBinding> acls =
        ComponentAcls.of(Component.COLLECTOR, "User:c", topics, "faultline-analyzer");
    assertThat(acls)
        .filteredOn(b -> b.entry().operation() == AclOperation.WRITE)
        .extracting(b -> b.pattern().name())
        .containsExactlyInAnyOrder(topics.metrics().name(), topics.dlq().name());
    assertThat(acls)
        .filteredOn(b -> b.entry().operation() == AclOperation.READ)
        .extracting(b -> b.pattern().resourceType() + " " + b.pattern().name())
        .containsExactlyInAnyOrder(
            "TOPIC " + topics.experiments().name(),
            "TOPIC " + topics.steadyState().name(),
            "TOPIC " + topics.results().name(),
            "GROUP " + ComponentAcls.COLLECTOR_DERIVED_GROUP);
  }

  @Test
  void printsKafkaAclsCommandLines() {
    List<String> lines =
        ComponentAcls.asCommands(
            ComponentAcls.of(Component.AGENT, "User:agent", topics, "faultline-analyzer"));
    assertThat(lines)
        .contains(
            "kafka-acls.sh --bootstrap-server $BOOTSTRAP --command-config admin.properties --add"
                + " --allow-principal 'User:agent' --operation Read --topic"
                + " 'faultline.attack.commands'")
        .anyMatch(l -> l.endsWith("--topic 'faultline.' --resource-pattern-type prefixed"));
  }

  @Test
  void unknownComponentNamesWhatIsAllowed() {
    assertThatThrownBy(() -> Component.parse("grafana"))
        .hasMessage("component 'grafana': use agent, collector, analyzer or cli");
  }
}
