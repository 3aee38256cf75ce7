package io.faultline.cli.experiment;

import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Turns a validated experiment file into the records faultline publishes. */
public final class ExperimentPlan {

  private final ExperimentDefinition definition;
  private final String experimentId;

  public ExperimentPlan(ExperimentDefinition definition, String experimentId) {
    this.definition = definition;
    this.experimentId = experimentId;
  }

  public static String newExperimentId(ExperimentDefinition d) {
    return d.metadata().name() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String experimentId() {
    return experimentId;
  }

  public ExperimentDefinition definition() {
    return definition;
  }

  /** The Experiment record in a given lifecycle state, with the hypotheses and the file as run. */
  public Experiment experiment(
      ExperimentState state, long createdAt, Long startedAt, Long endedAt) {
    List<MetricHypothesis> hypotheses = new ArrayList<>();
    for (MetricSpec m : definition.steadyState().metrics()) {
      hypotheses.add(
          MetricHypothesis.newBuilder()
              .setMetric(m.name())
              .setDirection(HypothesisDirection.valueOf(m.direction().toUpperCase(Locale.ROOT)))
              .setTolerance(m.tolerance())
              .setAlpha(m.alpha())
              .setCritical(m.critical())
              .setAbortThreshold(m.abortThreshold())
              .build());
    }
    var labels = new HashMap<>(definition.metadata().labels());
    if (definition.metadata().owner() != null) {
      labels.putIfAbsent("owner", definition.metadata().owner());
    }
    return Experiment.newBuilder()
        .setExperimentId(experimentId)
        .setName(definition.metadata().name())
        .setState(state)
        .setCreatedAt(createdAt)
        .setStartedAt(startedAt)
        .setEndedAt(endedAt)
        .setWindowMs(definition.steadyState().window().toMillis())
        .setDefinition(definition.source())
        .setLabels(labels)
        .setHypotheses(hypotheses)
        .setWarmupMs(definition.steadyState().warmup().toMillis())
        .setRecoveryWindows(definition.steadyState().recoveryWindows())
        .build();
  }

  /** The attack id of method[index]: stable, readable, unique per run. */
  public String attackId(int index) {
    return experimentId + "-" + index + "-" + definition.method().attacks().get(index).name();
  }

  /** The START command of method[index] (EXPERIMENTAL only, always). */
  public AttackCommand start(int index, boolean dryRun) {
    AttackSpec a = definition.method().attacks().get(index);
    var s = a.selector();
    return AttackCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setExperimentId(experimentId)
        .setType(CommandType.START)
        .setAttackId(attackId(index))
        .setFault(a.fault())
        .setTarget(
            TargetSelector.newBuilder()
                .setKind(s.kind())
                .setNames(s.names())
                .setNamespace(s.namespace())
                .setLabels(new HashMap<>(s.labels()))
                .setGroup(Group.EXPERIMENTAL)
                .setMode(s.mode())
                .build())
        .setDurationMs(a.duration().toMillis())
        .setParameters(new HashMap<>(a.parameters()))
        .setDryRun(dryRun)
        .build();
  }

  public AttackCommand haltAll() {
    return AttackCommand.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setExperimentId(experimentId)
        .setType(CommandType.HALT_ALL)
        .build();
  }
}
