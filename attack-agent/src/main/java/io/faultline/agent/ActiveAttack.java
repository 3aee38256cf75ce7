package io.faultline.agent;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/** An attack this agent applied and has not yet recovered. */
final class ActiveAttack {

  final String attackId;
  final String experimentId;
  final String commandId;
  final Fault executor;
  final List<Target> targets;
  final Map<Target, Map<String, String>> recovery;
  final long startedAt;
  final long expiresAt;
  volatile ScheduledFuture<?> expiry;

  ActiveAttack(
      String attackId,
      String experimentId,
      String commandId,
      Fault executor,
      List<Target> targets,
      Map<Target, Map<String, String>> recovery,
      long startedAt,
      long expiresAt) {
    this.attackId = attackId;
    this.experimentId = experimentId;
    this.commandId = commandId;
    this.executor = executor;
    this.targets = targets;
    this.recovery = recovery;
    this.startedAt = startedAt;
    this.expiresAt = expiresAt;
  }
}
