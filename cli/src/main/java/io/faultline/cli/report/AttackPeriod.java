package io.faultline.cli.report;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One attack as it happened: from its STARTED event to its end (or the result's end), with what the
 * experimental group's clients saw until the next attack ({@code outage}, null without samples).
 */
public record AttackPeriod(
    String attackId,
    String fault,
    List<String> targets,
    long startedAt,
    Long endedAt,
    String endedBy,
    Long detectedAt,
    Long recoveredAt,
    Long mttdMs,
    Long mttrMs,
    List<String> deviatingMetrics,
    ServiceOutage outage) {

  /** How long it ran, or null when its end is unknown. */
  public Long durationMs() {
    return endedAt == null ? null : endedAt - startedAt;
  }

  AttackPeriod withOutage(ServiceOutage o) {
    return new AttackPeriod(
        attackId,
        fault,
        targets,
        startedAt,
        endedAt,
        endedBy,
        detectedAt,
        recoveredAt,
        mttdMs,
        mttrMs,
        deviatingMetrics,
        o);
  }

  /** Every attack of the recording, by start; the result's MTTD/MTTR where it has them. */
  static List<AttackPeriod> of(ExperimentRecording rec) {
    return of(rec, List.of());
  }

  /** The same, with the experimental database's promotions observed while it ran. */
  static List<AttackPeriod> of(
      ExperimentRecording rec, List<io.faultline.scale.fleet.FleetStatus.Promotion> promotions) {
    Map<String, AttackEvent> started = new LinkedHashMap<>();
    Map<String, AttackEvent> ended = new LinkedHashMap<>();
    for (AttackEvent e : rec.events()) {
      if (e.getAttackId() == null) {
        continue;
      }
      if (e.getType() == AttackEventType.STARTED) {
        started.putIfAbsent(e.getAttackId(), e);
      } else if (e.getType() == AttackEventType.STOPPED
          || e.getType() == AttackEventType.ROLLED_BACK
          || e.getType() == AttackEventType.FAILED) {
        ended.putIfAbsent(e.getAttackId(), e);
      }
    }
    Map<String, AttackOutcome> outcomes = new LinkedHashMap<>();
    if (rec.result() != null) {
      rec.result().getAttacks().forEach(a -> outcomes.put(a.getAttackId(), a));
    }
    List<AttackPeriod> out = new ArrayList<>();
    for (AttackEvent s : started.values()) {
      AttackEvent e = ended.get(s.getAttackId());
      AttackOutcome o = outcomes.remove(s.getAttackId());
      Long end = e != null ? Long.valueOf(e.getTimestamp()) : o == null ? null : o.getEndedAt();
      out.add(
          new AttackPeriod(
              s.getAttackId(),
              s.getFault(),
              List.copyOf(s.getTargets()),
              s.getTimestamp(),
              end,
              e == null
                  ? null
                  : e.getType() + (e.getReason() == null ? "" : " (" + e.getReason() + ")"),
              o == null ? null : o.getDetectedAt(),
              o == null ? null : o.getRecoveredAt(),
              o == null ? null : o.getMttdMs(),
              o == null ? null : o.getMttrMs(),
              o == null ? List.of() : List.copyOf(o.getDeviatingMetrics()),
              null));
    }
    // The analyzer knows of an attack whose STARTED event is gone (retention): keep it.
    for (AttackOutcome o : outcomes.values()) {
      out.add(
          new AttackPeriod(
              o.getAttackId(),
              o.getFault(),
              List.of(),
              o.getStartedAt(),
              o.getEndedAt(),
              null,
              o.getDetectedAt(),
              o.getRecoveredAt(),
              o.getMttdMs(),
              o.getMttrMs(),
              List.copyOf(o.getDeviatingMetrics()),
              null));
    }
    out.sort(Comparator.comparingLong(AttackPeriod::startedAt));
    List<AttackPeriod> withOutages = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      AttackPeriod a = out.get(i);
      long until = i + 1 < out.size() ? out.get(i + 1).startedAt() : Long.MAX_VALUE;
      withOutages.add(
          a.withOutage(ServiceOutage.of(rec.samples(), promotions, a.startedAt(), until)));
    }
    return List.copyOf(withOutages);
  }
}
