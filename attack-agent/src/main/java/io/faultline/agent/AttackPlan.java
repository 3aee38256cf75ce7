package io.faultline.agent;

import io.faultline.schema.AttackCommand;
import io.faultline.schema.Durations;
import io.faultline.schema.Group;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * A START command checked and resolved, before any fault runs: the executor, a duration within the
 * allowed range, the parameters, and the targets chosen once by {@link TargetSelection}. Every
 * problem is an {@link InvalidRecordException} naming the field and what is allowed.
 */
public record AttackPlan(
    Fault executor, Duration duration, Map<String, String> parameters, List<Target> targets) {

  /** Local process faults only, with no share limit (kept for callers that have no catalog). */
  public static AttackPlan of(
      AttackCommand command,
      Map<String, ? extends Fault> executors,
      Duration maxDuration,
      List<ProcessTarget> available,
      Random random) {
    return of(command, FaultCatalog.local(executors, () -> available), maxDuration, 100, random);
  }

  /**
   * Checks, in this order: the fault is known, the duration is between 1 s and {@code maxDuration},
   * the fault's parameters, the selector (EXPERIMENTAL only, a kind the fault takes), the blast
   * radius (at most {@code maxBlastRadiusPercent} of the EXPERIMENTAL targets the selector
   * addresses, and always at least one), and that each chosen process runs.
   */
  public static AttackPlan of(
      AttackCommand command,
      FaultCatalog catalog,
      Duration maxDuration,
      int maxBlastRadiusPercent,
      Random random) {
    return of(
        command, catalog, maxDuration, maxBlastRadiusPercent, random, (f, t) -> null, List.of());
  }

  /**
   * As above, choosing only targets that no active attack holds against this fault: {@code heldBy}
   * returns null for a free target, else the hold, e.g. {@code is held by attack a-1 (command c-7)
   * until <time>; zone-outage does not stack on one target}. The mode takes its count from all the
   * candidates and draws them from the free ones; when too few are free the command is refused
   * here, after the fault, duration and parameters are checked and the targets listed, and before
   * anything is written or touched (docs/adr/0085, 0090).
   *
   * <p>And within the blast radius across this agent's attacks (docs/adr/0096): the targets {@code
   * held} by its attacks (active, being applied or being recovered; {@code List.of()} for none)
   * that are among the selector's EXPERIMENTAL targets, plus the ones this attack adds, stay within
   * {@code maxBlastRadiusPercent} of them. The mode draws the targets so that they fit when a
   * choice does (a target already taken costs nothing); else the command is refused here, naming
   * what is held, by which attacks, and what is allowed.
   */
  public static AttackPlan of(
      AttackCommand command,
      FaultCatalog catalog,
      Duration maxDuration,
      int maxBlastRadiusPercent,
      Random random,
      BiFunction<Fault, Target, String> heldBy,
      List<BlastRadius.Held> held) {
    Fault executor = catalog.fault(command.getFault());
    String off = FaultCatalog.enabledBy(command.getFault());
    if (executor == null && off != null) {
      throw new InvalidRecordException(
          "fault", "'" + command.getFault() + "' is not enabled on this agent; set " + off);
    }
    if (executor == null) {
      throw new InvalidRecordException(
          "fault",
          "'"
              + abbreviate(command.getFault())
              + "' is unknown"
              + FaultSpecs.hint(command.getFault())
              + "; known faults: "
              + String.join(", ", catalog.faults().keySet()));
    }
    Duration duration = duration(command.getDurationMs(), maxDuration);
    executor.check(command.getParameters());
    TargetSelection.check(command.getTarget());
    List<Target> all = catalog.targets(command.getTarget(), executor);
    List<Target> candidates = TargetSelection.candidates(command.getTarget(), all);
    List<Target> narrowed = executor.narrow(candidates, command.getParameters());
    if (narrowed.isEmpty()) {
      throw new InvalidRecordException(
          "target",
          "no EXPERIMENTAL "
              + executor.kind()
              + " target is left for "
              + executor.fault()
              + " with parameters "
              + new java.util.TreeMap<>(command.getParameters()));
    }
    List<Target> experimental = all.stream().filter(t -> t.group() == Group.EXPERIMENTAL).toList();
    BlastRadius radius = BlastRadius.of(experimental, held, maxBlastRadiusPercent);
    List<Target> targets;
    try {
      targets =
          TargetSelection.pick(
              command.getTarget().getMode(),
              narrowed,
              t -> heldBy.apply(executor, t),
              radius,
              random);
    } catch (TargetSelection.OverRadius o) {
      throw o.radius.refusal(
          command.getCommandId(),
          executor.fault(),
          executor.kind(),
          command.getTarget().getMode(),
          o.more);
    } catch (TargetSelection.Held h) {
      throw new InvalidRecordException(
          "target",
          "command "
              + command.getCommandId()
              + ": "
              + executor.fault()
              + " on "
              + h.target.describe()
              + " "
              + h.hold
              + (h.candidates > 1
                  ? " ("
                      + h.held
                      + " of its "
                      + h.candidates
                      + " candidates held, mode "
                      + (command.getTarget().getMode() == null
                          ? "one"
                          : command.getTarget().getMode())
                      + " takes "
                      + h.wanted
                      + ")"
                  : "")
              + ": STOP that attack or start this one after it");
    }
    blastRadius(targets.size(), experimental.size(), maxBlastRadiusPercent, executor.kind());
    for (Target t : targets) {
      if (t instanceof ProcessTarget p && !p.isAlive()) {
        throw new InvalidRecordException(
            "target", t.describe() + " is not running (its target file may be stale)");
      }
    }
    return new AttackPlan(executor, duration, Map.copyOf(command.getParameters()), targets);
  }

  /**
   * Safety invariant 5, the share: an attack takes at most {@code percent} of the EXPERIMENTAL
   * targets, rounded down, but always may take one (a group of one could never be attacked
   * otherwise).
   */
  static void blastRadius(int chosen, int experimental, int percent, String kind) {
    int allowed = BlastRadius.allowed(experimental, percent);
    if (chosen > allowed) {
      throw new InvalidRecordException(
          "target.mode",
          "blast radius: "
              + chosen
              + " of "
              + experimental
              + " EXPERIMENTAL "
              + kind
              + " targets ("
              + Math.round(100.0 * chosen / experimental)
              + "%) is over agent.max.blast.radius.percent="
              + percent
              + " (at most "
              + allowed
              + " of "
              + experimental
              + ")");
    }
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
