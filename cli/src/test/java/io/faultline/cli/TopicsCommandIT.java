package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `faultline topics create|list|acls` against a real broker: the Helm chart's topics Job. */
@Tag("side-by-side")
class TopicsCommandIT {

  @Test
  void createsTheMissingTopicsOnceListsThemAndPrintsAcls() throws Exception {
    String prefix = "topics-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String[] kafka = {
      "--bootstrap-server", TestBroker.bootstrapServers(), "--topics-prefix", prefix
    };

    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    TopicsCommand.ListTopics before = new TopicsCommand.ListTopics();
    before.out = new PrintStream(listed, true, StandardCharsets.UTF_8);
    assertThat(new CommandLine(before).execute(kafka)).as("topics missing").isEqualTo(1);
    assertThat(listed.toString(StandardCharsets.UTF_8)).contains("MISSING  " + prefix + "metrics");

    ByteArrayOutputStream first = new ByteArrayOutputStream();
    TopicsCommand.Create create = new TopicsCommand.Create();
    create.out = new PrintStream(first, true, StandardCharsets.UTF_8);
    String[] args = concat(kafka, "--partitions", "2", "--min-insync-replicas", "1");
    assertThat(new CommandLine(create).execute(args)).isZero();
    assertThat(first.toString(StandardCharsets.UTF_8))
        .contains("created  " + prefix + "attack.commands")
        .doesNotContain("exists");

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    TopicsCommand.Create again = new TopicsCommand.Create();
    again.out = new PrintStream(second, true, StandardCharsets.UTF_8);
    assertThat(new CommandLine(again).execute(args)).isZero();
    assertThat(second.toString(StandardCharsets.UTF_8))
        .contains("exists   " + prefix + "attack.commands")
        .doesNotContain("created");

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      var d = admin.describeTopics(java.util.List.of(prefix + "metrics")).allTopicNames().get();
      assertThat(d.get(prefix + "metrics").partitions()).hasSize(2);
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, prefix + "metrics");
      var config = admin.describeConfigs(java.util.List.of(r)).all().get().get(r);
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
    }

    ByteArrayOutputStream after = new ByteArrayOutputStream();
    TopicsCommand.ListTopics list = new TopicsCommand.ListTopics();
    list.out = new PrintStream(after, true, StandardCharsets.UTF_8);
    assertThat(new CommandLine(list).execute(kafka)).isZero();
    assertThat(after.toString(StandardCharsets.UTF_8)).doesNotContain("MISSING");

    ByteArrayOutputStream acls = new ByteArrayOutputStream();
    TopicsCommand.Acls print = new TopicsCommand.Acls();
    print.out = new PrintStream(acls, true, StandardCharsets.UTF_8);
    assertThat(new CommandLine(print).execute("agent", "--principal", "User:agent")).isZero();
    assertThat(acls.toString(StandardCharsets.UTF_8))
        .contains(
            "--allow-principal 'User:agent' --operation Read --topic 'faultline.attack.commands'");
    assertThat(
            new CommandLine(new TopicsCommand.Acls()).execute("grafana", "--principal", "User:g"))
        .isEqualTo(2);
    assertThat(
            new CommandLine(new TopicsCommand.Create()).execute(concat(kafka, "--partitions", "0")))
        .isEqualTo(2);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
