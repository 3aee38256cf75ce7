package io.faultline.agent.local;

import static io.faultline.agent.local.AttackEventAwaits.rejected;
import static io.faultline.agent.local.AttackEventAwaits.rolledBack;
import static io.faultline.agent.local.AttackEventAwaits.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The write-ahead attack.state record is sent before ACCEPTED and awaited before the fault
 * (docs/adr/0103): when attack.state refuses it (its topic takes no record of that size), the START
 * is ACCEPTED, then REJECTED, and the process is never paused; once attack.state takes records
 * again, a START of the same target runs.
 */
class WriteAheadBeforeTheFaultIT {

  @Test
  void aWriteAheadRecordKafkaRefusesRejectsTheStartAndAppliesNoFault() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("write-ahead"), 1);
    try (VictimProcess victim = VictimProcess.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TargetFiles targets =
          TargetFiles.create("write-ahead-targets")
              .write("v0", "name=v0\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
      maxMessageBytes(admin, topics, "16");
      try (AttackAgent agent =
              AgentMain.start(
                  AgentConfig.fromMap(
                      AgentSettings.forTestBroker(topics, "write-ahead-agent", targets.dir())
                          .toMap()));
          var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents())) {
        commands.send("write-ahead", pause("c-refused", "refused"));
        assertThat(rejected(events, "c-refused").getReason())
            .startsWith("cannot record attack.state before applying: ");
        assertThat(
                events.values().stream()
                    .filter(e -> e.getCommandId().equals("c-refused"))
                    .map(AttackEvent::getType))
            .containsExactly(AttackEventType.ACCEPTED, AttackEventType.REJECTED);
        assertThat(victim.state()).as("never paused").isNotEqualTo('T');
        assertThat(agent.activeAttacks()).isEmpty();

        // a START refused after its checks has used its attack id: the next one takes another
        maxMessageBytes(admin, topics, "1048588");
        commands.send("write-ahead", pause("c-again", "paused"));
        started(events, "paused");
        assertThat(victim.state()).isEqualTo('T');
        rolledBack(events, "paused");
      }
      assertThat(victim.state()).as("no fault left behind").isNotEqualTo('T');
    }
  }

  private static void maxMessageBytes(Admin admin, Topics topics, String bytes) throws Exception {
    ConfigResource topic =
        new ConfigResource(ConfigResource.Type.TOPIC, topics.attackState().name());
    admin
        .incrementalAlterConfigs(
            Map.of(
                topic,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", bytes), AlterConfigOp.OpType.SET))))
        .all()
        .get();
  }

  private static String pause(String commandId, String attackId) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\"write-ahead\",\"type\":\"START\",\"attackId\":\""
        + attackId
        + "\",\"fault\":\"pause-process\",\"target\":{\"kind\":\"process\",\"names\":[\"v0\"],"
        + "\"group\":\"EXPERIMENTAL\"},\"duration\":\"2s\"}";
  }
}
