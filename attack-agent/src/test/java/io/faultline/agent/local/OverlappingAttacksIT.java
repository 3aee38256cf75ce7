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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attacks of one fault on one target at once (docs/adr/0085): pauses of one process share the stop
 * and the last one to end resumes it; a zone outage of a zone already down is REJECTED up front,
 * naming the attack that holds it and until when, and dead-lettered. The probe of 2026-12-07 saw
 * the first pause's SIGCONT resume a process two later pauses still held.
 */
@Tag("side-by-side")
class OverlappingAttacksIT {

  @Test
  void overlappingPausesHoldTheProcessUntilTheLastOnesExpiry() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("overlap"), 1);
    try (VictimProcess victim = VictimProcess.start()) {
      TargetFiles targets =
          TargetFiles.create("overlap-targets")
              .write("victim", "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
      try (AttackAgent agent =
              AgentMain.start(
                  AgentConfig.fromMap(
                      AgentSettings.forTestBroker(topics, "overlap-agent", targets.dir())
                          .toMap()));
          var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents())) {
        // staggered: the shortest sent last, so each of the first two ends while the longest holds
        List<String> durations = List.of("20s", "4s", "2s");
        for (int i = 0; i < durations.size(); i++) {
          commands.send("overlap", pause("p" + i, durations.get(i)));
        }
        List<AttackEvent> started =
            events.awaitAtLeast(
                3, e -> e.getType() == AttackEventType.STARTED, Duration.ofSeconds(60));
        long lastExpiry =
            started.stream()
                .filter(e -> e.getAttackId().equals("p0"))
                .mapToLong(e -> Long.parseLong(e.getDetails().get("expiresAt")))
                .findFirst()
                .orElseThrow();
        for (String shorter : List.of("p2", "p1")) {
          AttackEvent ended = rolledBack(events, shorter);
          assertThat(ended.getTargets().get(0))
              .as("%s ends while p0 holds the stop", shorter)
              .contains("still held by attack p0")
              .doesNotContain("SIGCONT");
          // read at once: nothing resumed the process when the shorter pause ended
          if (System.currentTimeMillis() < lastExpiry - 1000) {
            assertThat(victim.state()).as("after %s's end", shorter).isEqualTo('T');
          }
        }
        AttackEvent last = rolledBack(events, "p0");
        assertThat(last.getTargets().get(0)).contains("SIGCONT");
        // by its own timer (the two clocks of the JVM may differ by a few ms)
        assertThat(last.getTimestamp()).isGreaterThanOrEqualTo(lastExpiry - 50);
        assertThat(victim.state()).as("running after the last one's expiry").isNotEqualTo('T');
        assertThat(
                events.values().stream()
                    .filter(e -> e.getType() == AttackEventType.ROLLED_BACK)
                    .map(AttackEvent::getAttackId))
            .as("each pause ends once")
            .containsExactlyInAnyOrder("p0", "p1", "p2");
      }
    }
  }

  @Test
  void aZoneOutageOfAZoneAlreadyDownIsRejectedNamingTheHolderIntoTheDlq() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("overlap-zone"), 1);
    try (VictimProcess web = VictimProcess.start()) {
      TargetFiles targets =
          TargetFiles.create("overlap-zone-targets")
              .write(
                  "exp-web-1",
                  "name=exp-web-1\ngroup=EXPERIMENTAL\npid="
                      + web.pid()
                      + "\nzone=zone-a\nrole=web\n");
      try (AttackAgent agent =
              AgentMain.start(
                  AgentConfig.fromMap(
                      AgentSettings.forTestBroker(topics, "overlap-zone-agent", targets.dir())
                          .toMap()));
          var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents());
          TopicFollower<byte[], byte[]> dlq = TopicFollower.start(topics.dlq())) {
        commands.send("zones", zone("z-first", "zone-first", "30s"));
        AttackEvent first = started(events, "zone-first");
        commands.send("zones", zone("z-second", "zone-second", "5s"));
        AttackEvent rejected = rejected(events, "z-second");
        assertThat(rejected.getReason())
            .startsWith("target: command z-second: zone-outage on zone zone-a")
            .contains("held by attack zone-first (command z-first) until ")
            .contains(
                Instant.ofEpochMilli(Long.parseLong(first.getDetails().get("expiresAt")))
                    .toString())
            .doesNotContain("\n");
        assertThat(dlq.await(r -> new String(r).contains("z-second"), Duration.ofSeconds(30)))
            .as("the refused record on the dlq")
            .isNotNull();
        assertThat(events.values())
            .as("the second one touched nothing")
            .noneMatch(
                e ->
                    "zone-second".equals(e.getAttackId())
                        && e.getType() != AttackEventType.REJECTED);
        assertThat(web.state()).as("still down by the first").isEqualTo('T');
        assertThat(agent.activeAttacks()).containsExactly("zone-first");
      }
      assertThat(web.state()).as("close() recovered the first").isNotEqualTo('T');
    }
  }

  @Test
  void aPauseInsideAStoppedZoneAndAZoneAroundAPausedProcessAreRefusedLeavingNothingBehind()
      throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("overlap-cross"), 1);
    try (VictimProcess web = VictimProcess.start()) {
      TargetFiles targets =
          TargetFiles.create("overlap-cross-targets")
              .write(
                  "victim",
                  "name=victim\ngroup=EXPERIMENTAL\npid=" + web.pid() + "\nzone=zone-a\n");
      try (AttackAgent agent =
              AgentMain.start(
                  AgentConfig.fromMap(
                      AgentSettings.forTestBroker(topics, "overlap-cross-agent", targets.dir())
                          .toMap()));
          var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents())) {
        commands.send("zones", zone("z-first", "zone-first", "60s"));
        started(events, "zone-first");
        // a pause's end would resume a process the zone still holds: refused, before ACCEPTED
        commands.send("overlap", pause("c-pause-1", "p-in-zone", "60s"));
        assertThat(rejected(events, "c-pause-1").getReason())
            .startsWith("target: command c-pause-1: pause-process on victim pid=" + web.pid())
            .contains("is held by attack zone-first (command z-first) until ")
            .contains("its zone-outage stops pid " + web.pid() + " too");
        assertThat(web.state()).as("still down by the zone").isEqualTo('T');

        commands.send("zones", stop("z-stop", "zone-first"));
        events.await(
            e -> e.getType() == AttackEventType.STOPPED && e.getAttackId().equals("zone-first"),
            Duration.ofSeconds(60));
        assertThat(web.state()).as("the zone's end resumed it").isNotEqualTo('T');
        // the refusal took nothing: the same attack id starts once the zone is back
        commands.send("overlap", pause("c-pause-2", "p-in-zone", "60s"));
        started(events, "p-in-zone");

        commands.send("zones", zone("z-around", "zone-around", "5s"));
        assertThat(rejected(events, "z-around").getReason())
            .startsWith("target: command z-around: zone-outage on zone zone-a")
            .contains("is held by attack p-in-zone (command c-pause-2) until ")
            .contains("its pause-process stops pid " + web.pid() + " too");
        assertThat(events.values())
            .as("the refused ones touched nothing")
            .noneMatch(
                e ->
                    e.getType() != AttackEventType.REJECTED
                        && ("zone-around".equals(e.getAttackId())
                            || "c-pause-1".equals(e.getCommandId())));
        assertThat(agent.activeAttacks()).containsExactly("p-in-zone");
        assertThat(web.state()).as("paused").isEqualTo('T');
      }
      assertThat(web.state()).as("close() resumed it").isNotEqualTo('T');
    }
  }

  private static String stop(String commandId, String attackId) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\"zones\",\"type\":\"STOP\",\"attackId\":\""
        + attackId
        + "\"}";
  }

  private static String pause(String attackId, String duration) {
    return pause(UUID.randomUUID().toString(), attackId, duration);
  }

  private static String pause(String commandId, String attackId, String duration) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\"overlap\",\"type\":\"START\",\"attackId\":\""
        + attackId
        + "\",\"fault\":\"pause-process\","
        + "\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},\"duration\":\""
        + duration
        + "\"}";
  }

  private static String zone(String commandId, String attackId, String duration) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\"zones\",\"type\":\"START\",\"attackId\":\""
        + attackId
        + "\",\"fault\":\"zone-outage\",\"parameters\":{\"signal\":\"STOP\"},"
        + "\"target\":{\"kind\":\"zone\",\"names\":[\"zone-a\"],\"group\":\"EXPERIMENTAL\"},"
        + "\"duration\":\""
        + duration
        + "\"}";
  }
}
