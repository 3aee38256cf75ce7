package io.faultline.cli.experiment;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An experiment file, validated (see {@link ExperimentFileParser} and experiment.schema.json).
 * Every attack's {@code start} is an offset from the end of the steady-state warm-up.
 */
public record ExperimentDefinition(
    Metadata metadata,
    Groups groups,
    SteadyStateSpec steadyState,
    Method method,
    Guards guards,
    Recovery recovery,
    String source) {

  public record Metadata(
      String name, String owner, String description, Map<String, String> labels, String service) {

    /** The service of {@code faultline history}: {@code service}, else labels.service. */
    public static final String DEFAULT_SERVICE = "system";

    /** {@code service}, else {@code labels.service}, else {@value #DEFAULT_SERVICE}. */
    public String serviceOrDefault() {
      if (service != null) {
        return service;
      }
      String label = labels == null ? null : labels.get("service");
      return label == null || label.isBlank() ? DEFAULT_SERVICE : label;
    }
  }

  /** How the CONTROL and EXPERIMENTAL targets are found on one platform. */
  public record Groups(
      String platform, GroupSelector control, GroupSelector experimental, Local local) {}

  /** Local processes: names; Kubernetes: namespace + labels; AWS: tags. */
  public record GroupSelector(
      List<String> processes,
      String namespace,
      Map<String, String> labels,
      Map<String, String> tags) {}

  /**
   * Start Scale x2, the agent, the analyzer and the load probe beside the broker; with {@code
   * replicas} (2 or more; 0 = one process per group) each group is a multi-zone fleet instead
   * (docs/adr/0015). After {@code jvmWarmup}, the unjudged traffic goes on until both groups'
   * latency has settled, at most {@code jvmSettle} more (zero: no settling; docs/adr/0109).
   */
  public record Local(
      boolean start,
      String controlCpus,
      String experimentalCpus,
      Duration jvmWarmup,
      int rps,
      int replicas,
      Pipeline pipeline,
      Duration jvmSettle) {
    /** How long the warm-up waits at most for settled latencies when the file does not say. */
    public static final Duration DEFAULT_JVM_SETTLE = Duration.ofSeconds(60);

    /** A group's CPUs as taskset takes them (0, 0-1, 0,2-3), or none for unpinned. */
    public static final java.util.regex.Pattern CPUS =
        java.util.regex.Pattern.compile("none|\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

    /** What {@code controlCpus} and {@code experimentalCpus} allow, for error messages. */
    public static final String CPUS_ALLOWED = "a CPU list such as 0, 0-1 or 0,2-3, or none";

    /** The requests per second each group gets, at least and at most. */
    public static final int MIN_RPS = 1;

    public static final int MAX_RPS = 1000;
  }

  /**
   * {@code groups.local.pipeline}: instead of Scale's web API, each group is Scale's extraction on
   * a local Spark cluster (scale-spark), run {@code runs} times on a corpus of {@code songs}; the
   * batch verdict judges the job's duration at {@code alpha} with {@code tolerance} and the store's
   * checksum (docs/adr/0028). The method's clock starts when the experimental group's first run has
   * finished {@code attackAfter} of its tasks (docs/adr/0040).
   */
  public record Pipeline(
      int songs, int runs, int filesPerTask, double alpha, double tolerance, double attackAfter) {}

  public record SteadyStateSpec(
      Duration warmup,
      Duration window,
      Integer recoveryWindows,
      List<MetricSpec> metrics,
      List<SourceEntry> sources) {}

  /**
   * A telemetry source the collectors run for this experiment ({@code steadyState.sources}): its
   * collector type ({@code http}, {@code prometheus}, ...), interval and timeout (null = the
   * source's default), its settings, and how it finds each group's targets.
   */
  public record SourceEntry(
      String type,
      Duration interval,
      Duration timeout,
      Map<String, String> settings,
      Map<String, String> control,
      Map<String, String> experimental) {}

  public record MetricSpec(
      String name,
      String source,
      Map<String, String> sourceParameters,
      String direction,
      Double tolerance,
      Double alpha,
      boolean critical,
      Double abortThreshold,
      List<String> statistics,
      String severity) {

    /** {@code statistics}: mean, p99 or spread, in the file's order; empty = the default. */
    public MetricSpec {
      statistics = statistics == null ? List.of() : List.copyOf(statistics);
    }
  }

  public record Method(String mode, List<AttackSpec> attacks) {}

  public record AttackSpec(
      String name,
      String fault,
      Selector selector,
      Map<String, String> parameters,
      Duration start,
      Duration duration) {

    public Duration end() {
      return start.plus(duration);
    }
  }

  public record Selector(
      String kind, List<String> names, String namespace, Map<String, String> labels, String mode) {}

  public record Guards(
      Duration maxDuration,
      Integer maxTargets,
      Integer maxPercent,
      List<StopCondition> stopConditions,
      Duration checkInterval) {}

  /** A Prometheus query that returns a non-empty result, or a CloudWatch alarm in ALARM. */
  public record StopCondition(
      String type, String url, String query, String alarmName, String region) {}

  public record Recovery(Duration observe) {}

  /** Warm-up + the end of the last attack + recovery observation. */
  public Duration plannedDuration() {
    Duration lastEnd =
        method.attacks().stream()
            .map(AttackSpec::end)
            .max(Duration::compareTo)
            .orElse(Duration.ZERO);
    return steadyState.warmup().plus(lastEnd).plus(recovery.observe());
  }
}
