package io.faultline.agent.local;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;

/** The events the agent's ITs wait for on attack.events: a wait, not a bound (shared machine). */
final class AttackEventAwaits {

  private AttackEventAwaits() {}

  static AttackEvent started(TopicFollower<String, AttackEvent> events, String attackId)
      throws InterruptedException {
    return events.await(
        e -> e.getType() == AttackEventType.STARTED && e.getAttackId().equals(attackId),
        Duration.ofSeconds(60));
  }

  static AttackEvent rejected(TopicFollower<String, AttackEvent> events, String commandId)
      throws InterruptedException {
    return events.await(
        e -> e.getType() == AttackEventType.REJECTED && commandId.equals(e.getCommandId()),
        Duration.ofSeconds(60));
  }

  /** Waits past the longest pause of these tests (20 s). */
  static AttackEvent rolledBack(TopicFollower<String, AttackEvent> events, String attackId)
      throws InterruptedException {
    return events.await(
        e -> e.getType() == AttackEventType.ROLLED_BACK && e.getAttackId().equals(attackId),
        Duration.ofSeconds(90));
  }
}
