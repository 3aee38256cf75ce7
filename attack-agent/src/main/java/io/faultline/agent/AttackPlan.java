package io.faultline.agent;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A START command checked and resolved, before any fault runs: the executor, a duration within the
 * allowed range, the parameters, and the targets chosen once by {@link TargetSelection}. Every
 * problem is an {@link InvalidRecordException} naming the field and what is allowed.
 */
public record AttackPlan(
    FaultExecutor executor,
    Duration duration,
    Map<String, String> parameters,
    List<ProcessTarget> targets) {

  /**
   * Checks, in this order: the fault is known, the duration is between 1 s and {@code maxDuration},
   * the fault's parameters, the selector (EXPERIMENTAL only), and that each chosen target runs.
   */
  public static AttackPlan of(
      AttackCommand command,
      Map<String, FaultExecutor> executors,
      Duration maxDuration,
      List<ProcessTarget> available,
      Random random) {
    FaultExecutor executor = executors.get(command.getFault());
    if (executor == null) {
      throw new InvalidRecordException(
          "fault",
          "'"
              + abbreviate(command.getFault())
              + "' is unknown; known faults: "
              + String.join(", ", executors.keySet()));
    }
    Duration duration = duration(command.getDurationMs(), maxDuration);
    executor.validate(command.getParameters());
    List<ProcessTarget> targets = TargetSelection.select(command.getTarget(), available, random);
    for (ProcessTarget t : targets) {
      if (!t.isAlive()) {
        throw new InvalidRecordException(
            "target", t.describe() + " is not running (its target file may be stale)");
      }
    }
    return new AttackPlan(executor, duration, Map.copyOf(command.getParameters()), targets);
  }

  static Duration duration(Long ms, Duration maxDuration) {
    String allowed =
        "must be between "
            + Durations.format(AgentConfig.MIN_DURATION)
            + " and "
            + Durations.format(maxDuration);
    if (ms == null) {
      throw new InvalidRecordException(
          "durationMs", "required for START (or duration, e.g. \"30s\"); " + allowed);
    }
    if (ms < AgentConfig.MIN_DURATION.toMillis() || ms > maxDuration.toMillis()) {
      throw new InvalidRecordException("durationMs", ms + " ms " + allowed);
    }
    return Duration.ofMillis(ms);
  }

  /** Keeps a hostile 10 kB fault name out of events and logs. */
  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "... (" + text.length() + " chars)";
  }
}
