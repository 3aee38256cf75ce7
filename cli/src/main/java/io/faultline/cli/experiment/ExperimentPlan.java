package io.faultline.cli.experiment;

import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.GroupSelector;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.ExperimentDefinition.SourceEntry;
import io.faultline.collector.ExperimentSources;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandBounds;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentState;
import io.faultline.schema.Group;
import io.faultline.schema.HypothesisDirection;
import io.faultline.schema.HypothesisStatistic;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.SourceSpec;
import io.faultline.schema.TargetSelector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Turns a validated experiment file into the records faultline publishes. */
public final class ExperimentPlan {

  private final ExperimentDefinition definition;
  private final String experimentId;

  public ExperimentPlan(ExperimentDefinition definition, String experimentId) {
    this.definition = definition;
    this.experimentId = experimentId;
  }

  /**
   * An experiment id given on the command line ({@code run --experiment-id}, {@code attack
   * --experiment}, {@code halt}, {@code report}) as the agent's intake takes it (at most {@link
   * CommandBounds#ID} characters, no control character) and the analyzer keys it: not blank, no
   * {@code |}, which separates it from the metric in {@code experiment|metric}.
   *
   * @throws IllegalArgumentException naming the option, the id and what is allowed
   */
  public static String checkedId(String option, String id) {
    boolean allowed =
        !id.isBlank()
            && id.length() <= CommandBounds.ID
            && id.indexOf('|') < 0
            && id.chars().noneMatch(Character::isISOControl);
    if (!allowed) {
      throw new IllegalArgumentException(
          option
              + " '"
              + CommandBounds.quote(id)
              + "': must be 1 to "
              + CommandBounds.ID
              + " characters, not blank, without | or control characters");
    }
    return id;
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

  private static MetricHypothesis runFigure(String metric, double tolerance, double alpha) {
    return MetricHypothesis.newBuilder()
        .setMetric(metric)
        .setDirection(HypothesisDirection.INCREASE)
        .setTolerance(tolerance)
        .setAlpha(alpha)
        .setCritical(true)
        .build();
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
              .setSeverity(m.severity())
              .setStatistics(
                  m.statistics().stream()
                      .map(x -> HypothesisStatistic.valueOf(x.toUpperCase(Locale.ROOT)))
                      .toList())
              .build());
    }
    var local = definition.groups().local();
    if (local != null && local.pipeline() != null) {
      // the runs' figures the analyzer judges over runs (docs/adr/0035), at the file's alpha
      ExperimentDefinition.Pipeline p = local.pipeline();
      hypotheses.add(runFigure("pipeline.job.duration.ms", p.tolerance(), p.alpha()));
      hypotheses.add(runFigure("pipeline.tasks.failed", 0.0, p.alpha()));
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
        .setService(definition.metadata().serviceOrDefault())
        .setHypotheses(hypotheses)
        .setWarmupMs(definition.steadyState().warmup().toMillis())
        .setRecoveryWindows(definition.steadyState().recoveryWindows())
        .setSources(sources(definition))
        .build();
  }

  /**
   * The sources the collectors run for this experiment ({@code steadyState.sources}), completed
   * from the rest of the file: a Kubernetes source without selectors selects each group as {@code
   * groups} does (namespace and labels), and a Prometheus source gets one query per metric whose
   * {@code source} is a Prometheus query ({@code {group}} becomes the collector's {@code $group}).
   */
  public static List<SourceSpec> sources(ExperimentDefinition d) {
    List<SourceSpec> out = new ArrayList<>();
    for (SourceEntry e : d.steadyState().sources()) {
      Map<String, String> settings = new TreeMap<>(e.settings());
      Map<String, String> control = new TreeMap<>(e.control());
      Map<String, String> experimental = new TreeMap<>(e.experimental());
      String platform = d.groups().platform();
      if (e.type().equals("kubernetes")
          && control.isEmpty()
          && experimental.isEmpty()
          && !"local".equals(platform)) {
        control.putAll(kubernetesSelector(d.groups().control()));
        experimental.putAll(kubernetesSelector(d.groups().experimental()));
      }
      if (e.type().equals("prometheus")) {
        for (MetricSpec m : d.steadyState().metrics()) {
          String query = m.sourceParameters().get("query");
          if ("prometheus".equals(m.source()) && query != null) {
            settings.putIfAbsent("query." + m.name(), query.replace("{group}", "$group"));
          }
        }
      }
      out.add(
          SourceSpec.newBuilder()
              .setType(e.type())
              .setIntervalMs(e.interval() == null ? null : e.interval().toMillis())
              .setTimeoutMs(e.timeout() == null ? null : e.timeout().toMillis())
              .setSettings(settings)
              .setControl(control)
              .setExperimental(experimental)
              .build());
    }
    return out;
  }

  private static Map<String, String> kubernetesSelector(GroupSelector g) {
    Map<String, String> out = new TreeMap<>();
    if (g.namespace() != null) {
      out.put("namespace", g.namespace());
    }
    List<String> terms = new ArrayList<>();
    new TreeMap<>(g.labels()).forEach((k, v) -> terms.add(k + "=" + v));
    if (!terms.isEmpty()) {
      out.put("selector", String.join(",", terms));
    }
    return out;
  }

  /**
   * The collector's own rules applied to the file's sources, each error with its path in the file
   * ({@code steadyState.sources[0].settings.rps ...}).
   */
  static List<String> sourceErrors(ExperimentDefinition d) {
    List<String> out = new ArrayList<>();
    for (String e : ExperimentSources.check(sources(d))) {
      out.add(
          e.replaceAll("(?<![\\w.])sources(?=[\\[:])", "steadyState.sources")
              .replaceAll("(sources\\[\\d+\\])\\.(interval|timeout)Ms", "$1.$2"));
    }
    return out;
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
