package io.faultline.agent.local;

import static io.faultline.agent.local.AttackEventAwaits.rejected;
import static io.faultline.agent.local.AttackEventAwaits.rolledBack;
import static io.faultline.agent.local.AttackEventAwaits.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The blast radius across the agent's attacks (docs/adr/0096), on real processes with the default
 * agent.max.blast.radius.percent=50: with half of four EXPERIMENTAL processes paused, a START that
 * would take a third is REJECTED before ACCEPTED (and its dry run says the same), a START whose
 * mode leaves a choice is drawn onto the ones already taken, the first attack is unaffected and
 * recovered, and once it has ended the refused START fits.
 */
class BlastRadiusAcrossAttacksIT {

  @Test
  void aSecondAttackOverTheShareIsRefusedAndTheFirstEndsUnaffected() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("radius"), 1);
    List<VictimProcess> victims = new ArrayList<>();
    try (VictimProcess control = VictimProcess.start()) {
      TargetFiles targets =
          TargetFiles.create("radius-targets")
              .write("c0", "name=c0\ngroup=CONTROL\npid=" + control.pid() + "\n");
      for (int i = 0; i < 4; i++) {
        VictimProcess v = VictimProcess.start();
        victims.add(v);
        targets.write("v" + i, "name=v" + i + "\ngroup=EXPERIMENTAL\npid=" + v.pid() + "\n");
      }
      try (AttackAgent agent =
              AgentMain.start(
                  AgentConfig.fromMap(
                      AgentSettings.forTestBroker(topics, "radius-agent", targets.dir()).toMap()));
          var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents())) {
        commands.send("radius", pause("c-half", "half", "all", "15s", false, "v0", "v1"));
        AttackEvent half = started(events, "half");
        String until =
            Instant.ofEpochMilli(Long.parseLong(half.getDetails().get("expiresAt"))).toString();
        assertThat(victims.get(0).state()).isEqualTo('T');
        assertThat(victims.get(1).state()).isEqualTo('T');

        // a third of four is over 50%: refused before ACCEPTED, naming what holds the rest
        commands.send("radius", pause("c-over", "over", "all", "2s", false, "v2"));
        String reason = rejected(events, "c-over").getReason();
        assertThat(reason)
            .startsWith(
                "target: command c-over: blast radius across this agent's attacks: 2 of 4"
                    + " EXPERIMENTAL process targets are taken (")
            .contains("v0 pid=" + victims.get(0).pid())
            .contains("v1 pid=" + victims.get(1).pid())
            .contains("by attack half (command c-half) until " + until)
            .endsWith(
                "and pause-process (mode all) would take 1 more: 3 of 4 (75%) is over"
                    + " agent.max.blast.radius.percent=50 (at most 2 of 4 at once, 0 free now):"
                    + " STOP one of those attacks or start this one after it");
        commands.send("radius", pause("c-over-dry", "over-dry", "all", "2s", true, "v2"));
        assertThat(rejected(events, "c-over-dry").getReason())
            .as("the dry run says the same")
            .isEqualTo(reason.replace("command c-over:", "command c-over-dry:"));

        // mode one of all four: drawn onto a process the first attack already takes
        commands.send("radius", pause("c-stacked", "stacked", "one", "3s", false));
        AttackEvent stacked = started(events, "stacked");
        assertThat(stacked.getTargets().get(0)).matches("v[01] pid=\\d+.*");
        AttackEvent stackedEnd = rolledBack(events, "stacked");
        assertThat(stackedEnd.getTargets().get(0)).contains("still held by attack half");
        assertThat(victims.get(2).state()).as("never touched").isNotEqualTo('T');
        assertThat(victims.get(3).state()).as("never touched").isNotEqualTo('T');
        assertThat(victims.get(0).state()).as("the first one unaffected").isEqualTo('T');
        assertThat(victims.get(1).state()).as("the first one unaffected").isEqualTo('T');

        AttackEvent halfEnd = rolledBack(events, "half");
        assertThat(halfEnd.getTimestamp())
            .as("at its own expiry")
            .isGreaterThanOrEqualTo(Long.parseLong(half.getDetails().get("expiresAt")) - 50);
        for (int i = 0; i < 4; i++) {
          assertThat(victims.get(i).state())
              .as("v%d after the first one's end", i)
              .isNotEqualTo('T');
        }

        // the first one's share is free again: the refused START fits, with its attack id
        commands.send("radius", pause("c-over-again", "over", "all", "2s", false, "v2"));
        assertThat(started(events, "over").getTargets().get(0))
            .startsWith("v2 pid=" + victims.get(2).pid());
        rolledBack(events, "over");
        assertThat(
                events.values().stream()
                    .filter(
                        e ->
                            List.of("c-over", "c-over-dry").contains(e.getCommandId())
                                && e.getType() != AttackEventType.REJECTED))
            .as("the refused ones touched nothing")
            .isEmpty();
        assertThat(
                events.values().stream()
                    .filter(e -> e.getType() == AttackEventType.ROLLED_BACK)
                    .map(AttackEvent::getAttackId))
            .as("each ends once")
            .containsExactlyInAnyOrder("half", "stacked", "over");
        assertThat(agent.activeAttacks()).isEmpty();
      }
      for (int i = 0; i < 4; i++) {
        assertThat(victims.get(i).state()).as("v%d: no fault left behind", i).isNotEqualTo('T');
      }
      assertThat(control.state()).isNotEqualTo('T');
    } finally {
      victims.forEach(VictimProcess::close);
    }
  }

  private static String pause(
      String commandId,
      String attackId,
      String mode,
      String duration,
      boolean dryRun,
      String... names) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\"radius\",\"type\":\"START\",\"attackId\":\""
        + attackId
        + "\",\"fault\":\"pause-process\",\"dryRun\":"
        + dryRun
        + ",\"target\":{\"kind\":\"process\",\"names\":["
        + String.join(",", java.util.Arrays.stream(names).map(n -> "\"" + n + "\"").toList())
        + "],\"group\":\"EXPERIMENTAL\",\"mode\":\""
        + mode
        + "\"},\"duration\":\""
        + duration
        + "\"}";
  }
}
