package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.MetricShards;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestJvm;
import io.faultline.testsupport.TestTopics;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scale-out of the analyzer (docs/adr/0024): three instances with one application id, each a child
 * JVM as an operator runs it, share a 6-partition {@code metrics} and publish exactly what one
 * instance publishes: the same verdict for every window, once; the same alerts, none twice; the
 * same final result per experiment. Then again with one instance SIGKILLed mid-experiment: the
 * group rebalances to the two left and the figures still match. The same again with sharded keys
 * (docs/adr/0039).
 */
@Tag("side-by-side")
class AnalyzerInstancesIT {

  private static final int PARTITIONS = 6;
  private static final int INSTANCES = 3;
  private static final int SHARDS = 8;

  @Test
  void threeInstancesPublishWhatOneDoesAlsoWhenOneIsKilled() throws Exception {
    ScaleOutScenario scenario = new ScaleOutScenario();
    ScaleOutScenario.Published one = oneInstance(scenario);
    ScaleOutScenario.Published three = threeInstances(scenario, false);
    ScaleOutScenario.Published killed = threeInstances(scenario, true);

    for (ScaleOutScenario.Published p : List.of(one, three, killed)) {
      ScaleOutScenario.assertComplete(p);
    }
    assertThat(three.verdicts()).as("3 instances: every verdict").isEqualTo(one.verdicts());
    assertThat(three.alerts()).as("3 instances: the alerts").isEqualTo(one.alerts());
    assertThat(three.results()).as("3 instances: the results").isEqualTo(one.results());
    assertThat(killed.verdicts()).as("one killed: every verdict").isEqualTo(one.verdicts());
    assertThat(killed.alerts()).as("one killed: the alerts").isEqualTo(one.alerts());
    assertThat(killed.results()).as("one killed: the results").isEqualTo(one.results());
  }

  /**
   * The same with keys sharded by target ({@code topics.metrics.shards} 8, docs/adr/0032, 0039):
   * every experiment's metric spreads over several partitions, hence instances, and the shards'
   * windows are merged before the judge, on whichever instance owns the merged key. One instance
   * against three with one SIGKILLed right after a window is sent, before it is committed (it may
   * die inside its transaction); the input is paced window by window (ScaleOutScenario).
   */
  @Test
  void threeShardedInstancesPublishWhatOneDoesAlsoWhenOneIsKilledMidWindow() throws Exception {
    ScaleOutScenario scenario =
        new ScaleOutScenario(
            SHARDS, topics -> awaitCommitted(topics.prefix() + "analyzer", topics));
    // commits (and so the paced windows) every 300 ms rather than every second
    Map<String, String> sharded =
        Map.of(MetricShards.KEY, Integer.toString(SHARDS), "kafka.commit.interval.ms", "300");
    ScaleOutScenario.Published one = oneInstance(scenario, "one-sharded", sharded);
    ScaleOutScenario.Published killed = threeInstances(scenario, true, "killed-sharded", sharded);

    ScaleOutScenario.assertComplete(one);
    ScaleOutScenario.assertComplete(killed);
    assertThat(killed.verdicts())
        .as("sharded, one killed: every verdict")
        .isEqualTo(one.verdicts());
    assertThat(killed.alerts()).as("sharded, one killed: the alerts").isEqualTo(one.alerts());
    assertThat(killed.results()).as("sharded, one killed: the results").isEqualTo(one.results());
  }

  private static ScaleOutScenario.Published oneInstance(ScaleOutScenario scenario)
      throws Exception {
    return oneInstance(scenario, "one", Map.of());
  }

  private static ScaleOutScenario.Published oneInstance(
      ScaleOutScenario scenario, String name, Map<String, String> extra) throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix(name), PARTITIONS);
    // a killed instance leaves the group 6 s later, not Streams' 45 s
    AnalyzerSettings settings = AnalyzerSettings.forTestBroker(topics).sessionAtBrokerMinimum();
    extra.forEach(settings::set);
    try (AnalyzerApp.Running analyzer = AnalyzerApp.run(AnalyzerConfig.fromMap(settings.toMap()))) {
      return scenario.run(topics, () -> {});
    }
  }

  private static ScaleOutScenario.Published threeInstances(ScaleOutScenario scenario, boolean kill)
      throws Exception {
    return threeInstances(scenario, kill, kill ? "killed" : "three", Map.of());
  }

  private static ScaleOutScenario.Published threeInstances(
      ScaleOutScenario scenario, boolean kill, String name, Map<String, String> extra)
      throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix(name), PARTITIONS);
    String applicationId = topics.prefix() + "analyzer";
    List<Process> instances = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      for (int i = 0; i < INSTANCES; i++) {
        instances.add(startInstance(topics, i, extra));
      }
      awaitGroup(admin, applicationId, INSTANCES, instances);
      return scenario.run(
          topics,
          () -> {
            if (!kill) {
              return;
            }
            List<MemberDescription> before = awaitGroup(admin, applicationId, INSTANCES, instances);
            assertThat(before)
                .as("the instance about to be killed owns partitions")
                .anyMatch(
                    m ->
                        m.clientId().startsWith("instance-0")
                            && !m.assignment().topicPartitions().isEmpty());
            instances.get(0).destroyForcibly(); // SIGKILL: no close, no leave-group, no commit
            assertThat(instances.get(0).waitFor(10, TimeUnit.SECONDS)).isTrue();
            List<MemberDescription> after =
                awaitGroup(admin, applicationId, INSTANCES - 1, instances.subList(1, INSTANCES));
            assertThat(after).noneMatch(m -> m.clientId().startsWith("instance-0"));
          });
    } finally {
      for (Process p : instances) {
        p.destroy();
      }
      for (Process p : instances) {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** An analyzer as its own JVM ({@code faultline-analyzer --config FILE}), logging to a file. */
  private static Process startInstance(Topics topics, int index, Map<String, String> extra)
      throws IOException {
    // a killed instance leaves the group 6 s later, not Streams' 45 s
    AnalyzerSettings settings = AnalyzerSettings.forTestBroker(topics).sessionAtBrokerMinimum();
    extra.forEach(settings::set);
    settings.set("kafka.client.id", "instance-" + index);
    Properties props = new Properties();
    props.putAll(settings.toMap());
    Path dir = Files.createTempDirectory("analyzer-instance-" + index);
    Path config = dir.resolve("analyzer.properties");
    try (Writer w = Files.newBufferedWriter(config)) {
      props.store(w, null);
    }
    ProcessBuilder command =
        TestJvm.command(
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
            AnalyzerApp.class,
            "--config",
            config.toString());
    command.redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
    return command.start();
  }

  /**
   * Waits until the application has committed every record of {@code metrics}: its committed
   * offsets (exactly-once: written in the transaction with the window summaries and partials) have
   * reached the end of every partition. After a kill this includes the rebalance that hands the
   * victim's partitions to the others.
   */
  private static void awaitCommitted(String groupId, Topics topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topics.metrics().name(), p), OffsetSpec.latest());
      }
      long deadline = System.currentTimeMillis() + 120_000;
      String behind = "";
      while (System.currentTimeMillis() < deadline) {
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        behind =
            ends.entrySet().stream()
                .filter(
                    e -> {
                      OffsetAndMetadata c = committed.get(e.getKey());
                      long at = c == null ? 0 : c.offset();
                      return at < e.getValue().offset();
                    })
                .map(e -> e.getKey().toString())
                .sorted()
                .collect(Collectors.joining(", "));
        if (behind.isEmpty()) {
          return;
        }
        Thread.sleep(100);
      }
      throw new AssertionError(groupId + ": not committed within 120 s on " + behind);
    }
  }

  /**
   * Waits until the application's group is stable with {@code members} members that each own
   * partitions, failing early with the log of an instance that died.
   */
  private static List<MemberDescription> awaitGroup(
      Admin admin, String groupId, int members, List<Process> alive) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    String last = "not described yet";
    while (System.currentTimeMillis() < deadline) {
      for (Process p : alive) {
        assertThat(p.isAlive()).as("analyzer instance pid " + p.pid() + " alive").isTrue();
      }
      ConsumerGroupDescription group;
      try {
        group =
            admin
                .describeConsumerGroups(List.of(groupId))
                .all()
                .get(10, TimeUnit.SECONDS)
                .get(groupId);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof GroupIdNotFoundException)) {
          throw e;
        }
        last = "no group yet";
        Thread.sleep(250);
        continue;
      }
      last = group.groupState() + " with " + group.members().size() + " members";
      if (group.groupState() == GroupState.STABLE
          && group.members().size() == members
          && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
        return List.copyOf(group.members());
      }
      Thread.sleep(250);
    }
    throw new AssertionError(groupId + ": not stable with " + members + " members; " + last);
  }
}
