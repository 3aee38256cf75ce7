package io.faultline.cli.experiment;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.cli.experiment.ExperimentDefinition.AttackSpec;
import io.faultline.cli.experiment.ExperimentDefinition.GroupSelector;
import io.faultline.cli.experiment.ExperimentDefinition.Groups;
import io.faultline.cli.experiment.ExperimentDefinition.Guards;
import io.faultline.cli.experiment.ExperimentDefinition.Local;
import io.faultline.cli.experiment.ExperimentDefinition.Metadata;
import io.faultline.cli.experiment.ExperimentDefinition.Method;
import io.faultline.cli.experiment.ExperimentDefinition.MetricSpec;
import io.faultline.cli.experiment.ExperimentDefinition.Recovery;
import io.faultline.cli.experiment.ExperimentDefinition.Selector;
import io.faultline.cli.experiment.ExperimentDefinition.SourceEntry;
import io.faultline.cli.experiment.ExperimentDefinition.SteadyStateSpec;
import io.faultline.cli.experiment.ExperimentDefinition.StopCondition;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import io.faultline.schema.NearestName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads an experiment file (YAML) and checks all of it before anything runs: every error is
 * collected with its path ({@code method[1].duration: ...}) and what is allowed, then reported at
 * once. The same rules are written down in {@code experiment.schema.json}.
 */
public final class ExperimentFileParser {

  /** Limits that keep a file from asking for more than an experiment should. */
  public static final long MAX_FILE_BYTES = 256 * 1024;

  public static final int MAX_ATTACKS = 50;
  public static final int MAX_METRICS = 50;
  public static final int MAX_STOP_CONDITIONS = 10;
  public static final int MAX_MAP_ENTRIES = 32;
  public static final Duration MAX_ATTACK_DURATION = Duration.ofHours(1);
  public static final Duration MAX_TOTAL_DURATION = Duration.ofHours(24);
  public static final Duration MAX_PHASE = Duration.ofHours(1);

  /** The platforms, faults, target kinds and parameters are the agent's catalogue's. */
  public static final Set<String> PLATFORMS = FaultSpecs.PLATFORMS;

  static final Set<String> SOURCES =
      new TreeSet<>(
          List.of("http-probe", "prometheus", "scrape", "kubernetes", "cloudwatch", "host"));

  /** The collector's name of a source type of the file ({@code http-probe} is {@code http}). */
  static String collectorType(String fileType) {
    return "http-probe".equals(fileType) ? "http" : fileType;
  }

  static final Set<String> DIRECTIONS = new TreeSet<>(List.of("increase", "decrease", "either"));
  static final List<String> STATISTICS = List.of("mean", "p99", "spread");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?");
  private static final Pattern METRIC = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,99}");
  private static final Pattern MODE =
      Pattern.compile("one|all|fixed:(\\d+)|percent:(\\d+)|random-max-percent:(\\d+)");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final List<String> errors = new ArrayList<>();
  private boolean localProbe; // groups.local.start: the local platform's probe is a source

  private ExperimentFileParser() {}

  /** Reads and validates a file; throws with every problem when there is any. */
  public static ExperimentDefinition read(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new ExperimentFileException(file.toString(), List.of("cannot read the file: " + e));
    }
    if (size > MAX_FILE_BYTES) {
      throw new ExperimentFileException(
          file.toString(),
          List.of(
              "file is " + size + " bytes; an experiment file may be at most " + MAX_FILE_BYTES));
    }
    try {
      return parse(file.toString(), Files.readString(file));
    } catch (IOException e) {
      throw new ExperimentFileException(file.toString(), List.of("cannot read the file: " + e));
    }
  }

  /** Validates YAML text; {@code name} is used in messages only. */
  public static ExperimentDefinition parse(String name, String text) {
    if (text.length() > MAX_FILE_BYTES) {
      throw new ExperimentFileException(
          name,
          List.of(
              "file is too large; an experiment file may be at most " + MAX_FILE_BYTES + " bytes"));
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw new ExperimentFileException(
          name, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
    }
    ExperimentFileParser p = new ExperimentFileParser();
    ExperimentDefinition d = p.definition(root, text);
    if (!p.errors.isEmpty()) {
      throw new ExperimentFileException(name, p.errors);
    }
    return d;
  }

  private ExperimentDefinition definition(JsonNode root, String text) {
    if (root == null || !root.isObject()) {
      error(
          "(file)",
          "must be a mapping with metadata, groups, steadyState, method, guards, recovery");
      return null;
    }
    keys(
        root,
        "",
        "apiVersion",
        "kind",
        "metadata",
        "groups",
        "steadyState",
        "method",
        "guards",
        "recovery");
    String api = text(root, "apiVersion", false);
    if (api != null && !api.equals("faultline.io/v1")) {
      error("apiVersion", "'" + api + "' is not supported; use faultline.io/v1");
    }
    String kind = text(root, "kind", false);
    if (kind != null && !kind.equals("Experiment")) {
      error("kind", "'" + kind + "' is not supported; use Experiment");
    }
    Metadata metadata = metadata(required(root, "metadata", ""));
    Groups groups = groups(required(root, "groups", ""));
    localProbe = groups != null && groups.local() != null && groups.local().start();
    SteadyStateSpec steady = steadyState(required(root, "steadyState", ""));
    List<AttackSpec> attacks = method(required(root, "method", ""), groups);
    Guards guards = guards(root.get("guards"));
    Recovery recovery = recovery(root.get("recovery"));
    if (!errors.isEmpty()) {
      return null;
    }
    ExperimentDefinition d =
        new ExperimentDefinition(
            metadata,
            groups,
            steady,
            new Method(
                attacks.size() > 1 && overlapping(attacks) ? "overlapping" : "sequential", attacks),
            guards,
            recovery,
            text);
    blastRadius(d);
    errors.addAll(ExperimentPlan.sourceErrors(d));
    Duration planned = d.plannedDuration();
    if (planned.compareTo(guards.maxDuration()) > 0) {
      error(
          "guards.maxDuration",
          "the plan takes "
              + fmt(planned)
              + " (warm-up + attacks + recovery), more than the "
              + fmt(guards.maxDuration())
              + " allowed; raise it (at most "
              + fmt(MAX_TOTAL_DURATION)
              + ") or shorten the plan");
    }
    return d;
  }

  private static boolean overlapping(List<AttackSpec> attacks) {
    for (int i = 0; i < attacks.size(); i++) {
      for (int j = i + 1; j < attacks.size(); j++) {
        AttackSpec a = attacks.get(i);
        AttackSpec b = attacks.get(j);
        if (a.start().compareTo(b.end()) < 0 && b.start().compareTo(a.end()) < 0) {
          return true;
        }
      }
    }
    return false;
  }

  private Metadata metadata(JsonNode n) {
    if (!object(n, "metadata")) {
      return null;
    }
    keys(n, "metadata", "name", "owner", "description", "labels");
    String name = text(n, "name", true, "metadata.name");
    if (name != null && !NAME.matcher(name).matches()) {
      error(
          "metadata.name",
          "'"
              + name
              + "' must be 1-63 lower-case letters, digits, '-' or '.', starting and ending with a letter or digit");
    }
    return new Metadata(
        name,
        text(n, "owner", false, "metadata.owner"),
        text(n, "description", false, "metadata.description"),
        stringMap(n.get("labels"), "metadata.labels"));
  }

  private Groups groups(JsonNode n) {
    if (!object(n, "groups")) {
      return null;
    }
    keys(n, "groups", "platform", "control", "experimental", "local");
    String platform = text(n, "platform", true, "groups.platform");
    if (platform != null && !PLATFORMS.contains(platform)) {
      error("groups.platform", "'" + platform + "' is not one of " + PLATFORMS);
      platform = null;
    }
    GroupSelector control =
        groupSelector(required(n, "control", "groups"), "groups.control", platform);
    GroupSelector experimental =
        groupSelector(required(n, "experimental", "groups"), "groups.experimental", platform);
    if (control != null && experimental != null) {
      for (String p : control.processes()) {
        if (experimental.processes().contains(p)) {
          error(
              "groups.experimental.processes",
              "'" + p + "' is also in groups.control.processes; a target belongs to one group");
        }
      }
      if ("kubernetes".equals(platform) || "aws".equals(platform)) {
        if (control.labels().equals(experimental.labels())
            && java.util.Objects.equals(control.namespace(), experimental.namespace())) {
          error(
              "groups.experimental.labels",
              "select the same pods as groups.control; they must differ (e.g. faultline.io/group)");
        }
      }
    }
    Local local = null;
    JsonNode l = n.get("local");
    if (l != null) {
      if (!"local".equals(platform)) {
        error("groups.local", "only allowed with platform local");
      } else if (object(l, "groups.local")) {
        keys(
            l,
            "groups.local",
            "start",
            "controlCpus",
            "experimentalCpus",
            "jvmWarmup",
            "rps",
            "replicas");
        JsonNode start = l.get("start");
        if (start != null && !start.isBoolean()) {
          error("groups.local.start", "must be true or false");
        }
        Integer rps = integer(l, "rps", "groups.local.rps", 1, 1000);
        Integer replicas = integer(l, "replicas", "groups.local.replicas", 2, 12);
        local =
            new Local(
                start != null && start.asBoolean(),
                textOr(l, "controlCpus", "groups.local.controlCpus", "0"),
                textOr(l, "experimentalCpus", "groups.local.experimentalCpus", "1"),
                duration(
                    l,
                    "jvmWarmup",
                    "groups.local.jvmWarmup",
                    Duration.ofSeconds(15),
                    Duration.ZERO,
                    Duration.ofMinutes(10)),
                rps == null ? 20 : rps,
                replicas == null ? 0 : replicas);
      }
    }
    return new Groups(platform, control, experimental, local);
  }

  private GroupSelector groupSelector(JsonNode n, String path, String platform) {
    if (!object(n, path)) {
      return null;
    }
    keys(n, path, "processes", "namespace", "labels", "tags");
    List<String> processes = stringList(n.get("processes"), path + ".processes");
    String namespace = text(n, "namespace", false, path + ".namespace");
    Map<String, String> labels = stringMap(n.get("labels"), path + ".labels");
    Map<String, String> tags = stringMap(n.get("tags"), path + ".tags");
    if ("local".equals(platform) && processes.isEmpty()) {
      error(path + ".processes", "required with platform local: the target process names");
    }
    if (("kubernetes".equals(platform) || "aws".equals(platform))) {
      if (namespace == null) {
        error(path + ".namespace", "required with platform " + platform);
      }
      if (labels.isEmpty()) {
        error(
            path + ".labels",
            "required with platform " + platform + ", e.g. faultline.io/group: control");
      }
    }
    if ("aws".equals(platform) && tags.isEmpty()) {
      error(path + ".tags", "required with platform aws: the EC2 tags of this group's nodes");
    }
    return new GroupSelector(processes, namespace, labels, tags);
  }

  private SteadyStateSpec steadyState(JsonNode n) {
    if (!object(n, "steadyState")) {
      return null;
    }
    keys(n, "steadyState", "warmup", "window", "recoveryWindows", "metrics", "sources");
    Duration warmup =
        duration(n, "warmup", "steadyState.warmup", null, Duration.ofSeconds(1), MAX_PHASE);
    Duration window =
        duration(
            n,
            "window",
            "steadyState.window",
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            MAX_PHASE);
    Integer q = integer(n, "recoveryWindows", "steadyState.recoveryWindows", 1, 100);
    if (warmup != null && window != null && warmup.compareTo(window.multipliedBy(2)) < 0) {
      error(
          "steadyState.warmup",
          fmt(warmup)
              + " is less than 2 windows ("
              + fmt(window.multipliedBy(2))
              + "); the baseline needs at least 2");
    }
    JsonNode m = required(n, "metrics", "steadyState");
    List<MetricSpec> metrics = new ArrayList<>();
    if (m != null) {
      if (!m.isArray() || m.isEmpty()) {
        error("steadyState.metrics", "must be a list of 1 to " + MAX_METRICS + " metrics");
      } else if (m.size() > MAX_METRICS) {
        error(
            "steadyState.metrics", m.size() + " metrics; at most " + MAX_METRICS + " are allowed");
      } else {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < m.size(); i++) {
          MetricSpec spec = metric(m.get(i), "steadyState.metrics[" + i + "]");
          if (spec != null && spec.name() != null && !seen.add(spec.name())) {
            error("steadyState.metrics[" + i + "].name", "'" + spec.name() + "' is listed twice");
          }
          metrics.add(spec);
        }
      }
    }
    List<SourceEntry> sources = sources(n.get("sources"));
    if (!sources.isEmpty()) {
      Set<String> declared = new TreeSet<>();
      sources.forEach(s -> declared.add(s.type()));
      if (localProbe) {
        declared.add("http"); // the local platform drives its own probe
      }
      for (int i = 0; i < metrics.size(); i++) {
        MetricSpec spec = metrics.get(i);
        if (spec != null
            && spec.source() != null
            && !declared.contains(collectorType(spec.source()))) {
          error(
              "steadyState.metrics[" + i + "].source",
              "'"
                  + spec.source()
                  + "' is not among steadyState.sources ("
                  + String.join(", ", declared)
                  + "); add it there or take the metric from a declared source");
        }
      }
    }
    return new SteadyStateSpec(warmup, window, q, metrics, sources);
  }

  /**
   * {@code steadyState.sources}: what the collectors run for this experiment. Each entry is checked
   * here for shape; its settings are checked by the collector's own rules when the plan is built
   * ({@link ExperimentPlan#sourceErrors}).
   */
  private List<SourceEntry> sources(JsonNode n) {
    List<SourceEntry> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray() || n.size() > SOURCES.size()) {
      error("steadyState.sources", "must be a list of at most " + SOURCES.size() + " sources");
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String path = "steadyState.sources[" + i + "]";
      JsonNode s = n.get(i);
      if (!object(s, path)) {
        continue;
      }
      keys(s, path, "type", "interval", "timeout", "settings", "control", "experimental");
      String type = text(s, "type", true, path + ".type");
      if (type != null && !SOURCES.contains(type)) {
        error(path + ".type", "'" + type + "' is not one of " + SOURCES);
        type = null;
      }
      Duration interval =
          s.has("interval")
              ? duration(s, "interval", path + ".interval", null, Duration.ofMillis(100), MAX_PHASE)
              : null;
      Duration timeout =
          s.has("timeout")
              ? duration(s, "timeout", path + ".timeout", null, Duration.ofMillis(10), MAX_PHASE)
              : null;
      Map<String, String> settings = stringMap(s.get("settings"), path + ".settings");
      Map<String, String> control = selectorMap(s.get("control"), path + ".control");
      Map<String, String> experimental = selectorMap(s.get("experimental"), path + ".experimental");
      if (type != null) {
        out.add(
            new SourceEntry(
                collectorType(type), interval, timeout, settings, control, experimental));
      }
    }
    return out;
  }

  /** A group's selector of a source: values are text, or lists joined by commas. */
  private Map<String, String> selectorMap(JsonNode n, String path) {
    if (n == null || n.isNull() || !n.isObject()) {
      return stringMap(n, path);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue().isArray()) {
        List<String> items = stringList(e.getValue(), path + "." + e.getKey());
        if (items.isEmpty()) {
          error(path + "." + e.getKey(), "an empty list; name at least one");
        }
        out.put(e.getKey(), String.join(",", items));
      } else if (e.getValue().isObject()) {
        // a label selector written as a mapping: {app: scale, tier: web}
        List<String> terms = new ArrayList<>();
        stringMap(e.getValue(), path + "." + e.getKey()).forEach((k, v) -> terms.add(k + "=" + v));
        out.put(e.getKey(), String.join(",", terms));
      } else if (e.getValue().isValueNode()) {
        out.put(e.getKey(), e.getValue().asText());
      } else {
        error(path + "." + e.getKey(), "must be a value, a list or a mapping");
      }
    }
    return out;
  }

  private MetricSpec metric(JsonNode n, String path) {
    if (!object(n, path)) {
      return null;
    }
    keys(
        n,
        path,
        "name",
        "source",
        "direction",
        "tolerance",
        "alpha",
        "critical",
        "abortThreshold",
        "statistic");
    String name = text(n, "name", true, path + ".name");
    if (name != null && !METRIC.matcher(name).matches()) {
      error(
          path + ".name",
          "'" + name + "' must be a metric name: letters, digits, '_', '.', ':' or '-', up to 100");
    }
    String source = null;
    Map<String, String> sourceParams = new LinkedHashMap<>();
    JsonNode s = n.get("source");
    if (s == null) {
      error(path + ".source", "required: one of " + SOURCES);
    } else if (s.isTextual()) {
      source = s.asText();
    } else if (s.isObject()) {
      source = text(s, "type", true, path + ".source.type");
      for (var e : stringMap(s, path + ".source").entrySet()) {
        if (!e.getKey().equals("type")) {
          sourceParams.put(e.getKey(), e.getValue());
        }
      }
    } else {
      error(path + ".source", "must be a source name or a mapping with type");
    }
    if (source != null && !SOURCES.contains(source)) {
      error(path + ".source", "'" + source + "' is not one of " + SOURCES);
    }
    if ("prometheus".equals(source) && !sourceParams.containsKey("query")) {
      error(
          path + ".source.query",
          "required for a prometheus source (use {group} for the group label)");
    }
    String direction = textOr(n, "direction", path + ".direction", "either");
    if (direction != null && !DIRECTIONS.contains(direction)) {
      error(path + ".direction", "'" + direction + "' is not one of " + DIRECTIONS);
    }
    Double tolerance = decimal(n, "tolerance", path + ".tolerance", 0, 10, false);
    Double alpha = decimal(n, "alpha", path + ".alpha", 0, 0.5, true);
    Double abort = decimal(n, "abortThreshold", path + ".abortThreshold", 0, 1000, true);
    if (tolerance != null && abort != null && abort <= tolerance) {
      error(path + ".abortThreshold", abort + " must be greater than tolerance " + tolerance);
    }
    JsonNode critical = n.get("critical");
    if (critical != null && !critical.isBoolean()) {
      error(path + ".critical", "must be true or false");
    }
    List<String> statistics = statistics(n.get("statistic"), path + ".statistic");
    return new MetricSpec(
        name,
        source,
        sourceParams,
        direction,
        tolerance,
        alpha,
        critical != null && critical.asBoolean(),
        abort,
        statistics);
  }

  /** {@code statistic: p99} or {@code statistic: [mean, spread]}; absent = the metric's default. */
  private List<String> statistics(JsonNode n, String path) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    List<String> texts = n.isTextual() ? List.of(n.asText()) : stringList(n, path);
    List<String> out = new ArrayList<>();
    for (String t : texts) {
      if (!STATISTICS.contains(t)) {
        error(path, "'" + t + "' is not one of " + STATISTICS);
      } else if (!out.contains(t)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  private List<AttackSpec> method(JsonNode n, Groups groups) {
    List<AttackSpec> attacks = new ArrayList<>();
    if (n == null) {
      return attacks;
    }
    if (!n.isArray() || n.isEmpty()) {
      error("method", "must be a list of 1 to " + MAX_ATTACKS + " attacks");
      return attacks;
    }
    if (n.size() > MAX_ATTACKS) {
      error("method", n.size() + " attacks; at most " + MAX_ATTACKS + " are allowed");
      return attacks;
    }
    Duration previousEnd = Duration.ZERO;
    for (int i = 0; i < n.size(); i++) {
      AttackSpec a = attack(n.get(i), "method[" + i + "]", groups, previousEnd);
      attacks.add(a);
      if (a != null) {
        previousEnd = a.end();
      }
    }
    return attacks;
  }

  private AttackSpec attack(JsonNode n, String path, Groups groups, Duration previousEnd) {
    if (!object(n, path)) {
      return null;
    }
    keys(n, path, "name", "fault", "selector", "parameters", "start", "duration");
    String platform = groups == null ? null : groups.platform();
    String fault = text(n, "fault", true, path + ".fault");
    FaultSpec spec = fault == null ? null : FaultSpecs.named(fault).orElse(null);
    if (fault != null && spec == null) {
      error(
          path + ".fault",
          "'"
              + fault
              + "' is not a fault"
              + FaultSpecs.hint(fault)
              + (platform == null ? "" : "; " + platform + " faults: " + names(platform)));
    } else if (spec != null && platform != null && !spec.platforms().contains(platform)) {
      error(
          path + ".fault",
          "'"
              + fault
              + "' does not run on platform "
              + platform
              + " (only "
              + String.join(", ", new TreeSet<>(spec.platforms()))
              + "); "
              + platform
              + " faults: "
              + names(platform));
      spec = null;
    }
    String name = textOr(n, "name", path + ".name", fault == null ? "attack" : fault);
    Selector selector = selector(n.get("selector"), path + ".selector", groups, spec);
    Map<String, String> params = stringMap(n.get("parameters"), path + ".parameters");
    if (spec != null) {
      spec.problems(params).forEach((field, problem) -> error(path + "." + field, problem));
    }
    Duration start =
        duration(n, "start", path + ".start", previousEnd, Duration.ZERO, MAX_TOTAL_DURATION);
    Duration duration =
        duration(
            n, "duration", path + ".duration", null, Duration.ofSeconds(1), MAX_ATTACK_DURATION);
    if (start == null || duration == null) {
      return null;
    }
    return new AttackSpec(name, fault, selector, params, start, duration);
  }

  private static String names(String platform) {
    return String.join(", ", FaultSpecs.on(platform).stream().map(FaultSpec::name).toList());
  }

  private Selector selector(JsonNode n, String path, Groups groups, FaultSpec spec) {
    String platform = groups == null ? null : groups.platform();
    if (n == null) {
      // Local default: every experimental process.
      if ("local".equals(platform)
          && groups.experimental() != null
          && (spec == null || spec.kind().equals("process"))) {
        return new Selector("process", groups.experimental().processes(), null, Map.of(), "all");
      }
      error(path, "required: kind, and names or namespace + labels");
      return null;
    }
    if (!object(n, path)) {
      return null;
    }
    keys(n, path, "kind", "names", "namespace", "labels", "mode", "group");
    String defaultKind = spec != null ? spec.kind() : "local".equals(platform) ? "process" : "pod";
    String kind = textOr(n, "kind", path + ".kind", defaultKind);
    if (kind != null && platform != null && !FaultSpecs.kindsOn(platform).contains(kind)) {
      error(
          path + ".kind",
          "'"
              + kind
              + "' is not a "
              + platform
              + " target kind; one of "
              + FaultSpecs.kindsOn(platform));
    } else if (kind != null && spec != null && !kind.equals(spec.kind())) {
      error(
          path + ".kind",
          "'" + kind + "': " + spec.name() + " takes targets of kind " + spec.kind());
    }
    String group = text(n, "group", false, path + ".group");
    if (group != null && !group.equalsIgnoreCase("experimental")) {
      error(path + ".group", "'" + group + "': only the EXPERIMENTAL group is ever attacked");
    }
    List<String> names = stringList(n.get("names"), path + ".names");
    String namespace = text(n, "namespace", false, path + ".namespace");
    Map<String, String> labels = stringMap(n.get("labels"), path + ".labels");
    String mode = textOr(n, "mode", path + ".mode", "one");
    if (mode != null && !MODE.matcher(mode).matches()) {
      error(
          path + ".mode",
          "'" + mode + "' is not one of: one, all, fixed:N, percent:P, random-max-percent:P");
    } else if (mode != null && mode.contains(":")) {
      int v = Integer.parseInt(mode.substring(mode.indexOf(':') + 1));
      if (v < 1 || (mode.contains("percent") && v > 100)) {
        error(path + ".mode", "'" + mode + "': N must be at least 1 and P between 1 and 100");
      }
    }
    if (groups != null && groups.control() != null) {
      for (int i = 0; i < names.size(); i++) {
        if (groups.control().processes().contains(names.get(i))) {
          error(
              path + ".names[" + i + "]",
              "'" + names.get(i) + "' is in the CONTROL group, which is never attacked");
        } else if ("local".equals(platform)
            && "process".equals(kind) // a local zone is named by its zone, e.g. zone-a
            && groups.experimental() != null
            && !groups.experimental().processes().contains(names.get(i))) {
          error(
              path + ".names[" + i + "]",
              "'"
                  + names.get(i)
                  + "' is not in groups.experimental.processes "
                  + groups.experimental().processes());
        }
      }
      if (groups.control().labels().size() > 0
          && !labels.isEmpty()
          && labels.entrySet().containsAll(groups.control().labels().entrySet())) {
        error(path + ".labels", "match the CONTROL group's labels, which are never attacked");
      }
    }
    if (names.isEmpty() && labels.isEmpty()) {
      if ("local".equals(platform) && groups.experimental() != null) {
        names = groups.experimental().processes();
      } else if (groups != null && groups.experimental() != null) {
        labels = groups.experimental().labels();
      }
    }
    if (namespace == null && groups != null && groups.experimental() != null) {
      namespace = groups.experimental().namespace();
    }
    return new Selector(kind, names, namespace, labels, mode);
  }

  private Guards guards(JsonNode n) {
    Duration maxDefault = Duration.ofHours(1);
    if (n == null) {
      return new Guards(maxDefault, null, null, List.of(), Duration.ofSeconds(5));
    }
    if (!object(n, "guards")) {
      return null;
    }
    keys(n, "guards", "maxDuration", "blastRadius", "stopConditions", "checkInterval");
    Duration max =
        duration(
            n,
            "maxDuration",
            "guards.maxDuration",
            maxDefault,
            Duration.ofSeconds(1),
            MAX_TOTAL_DURATION);
    Duration every =
        duration(
            n,
            "checkInterval",
            "guards.checkInterval",
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofMinutes(5));
    Integer maxTargets = null;
    Integer maxPercent = null;
    JsonNode b = n.get("blastRadius");
    if (b != null && object(b, "guards.blastRadius")) {
      keys(b, "guards.blastRadius", "maxTargets", "maxPercent");
      maxTargets = integer(b, "maxTargets", "guards.blastRadius.maxTargets", 1, 10_000);
      maxPercent = integer(b, "maxPercent", "guards.blastRadius.maxPercent", 1, 100);
    }
    List<StopCondition> stops = new ArrayList<>();
    JsonNode s = n.get("stopConditions");
    if (s != null) {
      if (!s.isArray()) {
        error("guards.stopConditions", "must be a list");
      } else if (s.size() > MAX_STOP_CONDITIONS) {
        error("guards.stopConditions", s.size() + " conditions; at most " + MAX_STOP_CONDITIONS);
      } else {
        for (int i = 0; i < s.size(); i++) {
          stops.add(stopCondition(s.get(i), "guards.stopConditions[" + i + "]"));
        }
      }
    }
    return new Guards(max, maxTargets, maxPercent, stops, every);
  }

  private StopCondition stopCondition(JsonNode n, String path) {
    if (!object(n, path)) {
      return null;
    }
    keys(n, path, "prometheus", "cloudwatchAlarm");
    if (n.size() != 1) {
      error(path, "must have exactly one of: prometheus, cloudwatchAlarm");
      return null;
    }
    JsonNode p = n.get("prometheus");
    if (p != null && object(p, path + ".prometheus")) {
      keys(p, path + ".prometheus", "url", "query");
      String url = text(p, "url", true, path + ".prometheus.url");
      if (url != null && !url.matches("https?://[^\\s]+")) {
        error(path + ".prometheus.url", "'" + url + "' must be an http:// or https:// URL");
      }
      return new StopCondition(
          "prometheus", url, text(p, "query", true, path + ".prometheus.query"), null, null);
    }
    JsonNode c = n.get("cloudwatchAlarm");
    if (c != null && object(c, path + ".cloudwatchAlarm")) {
      keys(c, path + ".cloudwatchAlarm", "name", "region");
      return new StopCondition(
          "cloudwatch",
          null,
          null,
          text(c, "name", true, path + ".cloudwatchAlarm.name"),
          text(c, "region", false, path + ".cloudwatchAlarm.region"));
    }
    return null;
  }

  private Recovery recovery(JsonNode n) {
    if (n == null) {
      return new Recovery(Duration.ofSeconds(30));
    }
    if (!object(n, "recovery")) {
      return null;
    }
    keys(n, "recovery", "observe");
    return new Recovery(
        duration(
            n, "observe", "recovery.observe", Duration.ofSeconds(30), Duration.ZERO, MAX_PHASE));
  }

  private void blastRadius(ExperimentDefinition d) {
    Integer maxTargets = d.guards().maxTargets();
    Integer maxPercent = d.guards().maxPercent();
    List<AttackSpec> attacks = d.method().attacks();
    for (int i = 0; i < attacks.size(); i++) {
      Selector s = attacks.get(i).selector();
      if (s == null) {
        continue;
      }
      String path = "method[" + i + "].selector.mode";
      int fixed =
          s.mode().startsWith("fixed:")
              ? Integer.parseInt(s.mode().substring(6))
              : s.mode().equals("one")
                  ? 1
                  : s.mode().equals("all") && !s.names().isEmpty() ? s.names().size() : -1;
      if (maxTargets != null && fixed > maxTargets) {
        error(
            path,
            "'"
                + s.mode()
                + "' may hit "
                + fixed
                + " targets; guards.blastRadius.maxTargets is "
                + maxTargets);
      }
      if (maxPercent != null && s.mode().contains("percent:")) {
        int p = Integer.parseInt(s.mode().substring(s.mode().indexOf(':') + 1));
        if (p > maxPercent) {
          error(path, "'" + s.mode() + "' exceeds guards.blastRadius.maxPercent " + maxPercent);
        }
      }
      if (maxPercent != null
          && s.mode().equals("all")
          && s.names().isEmpty()
          && Set.of("process", "pod", "node").contains(s.kind())) {
        error(
            path,
            "'all' may hit 100% of the experimental targets; guards.blastRadius.maxPercent is "
                + maxPercent);
      }
    }
  }

  /** Like Durations.format, with whole hours as {@code 1h}. */
  public static String fmt(Duration d) {
    long s = d.toSeconds();
    if (s >= 3600 && d.toMillis() % 1000 == 0 && s % 3600 == 0) {
      return (s / 3600) + "h";
    }
    return Durations.format(d);
  }

  // ---- tree helpers: each records an error with its path and returns null on a bad value ----

  private void error(String path, String message) {
    errors.add(path + ": " + message);
  }

  private boolean object(JsonNode n, String path) {
    if (n == null) {
      return false;
    }
    if (!n.isObject()) {
      error(path, "must be a mapping");
      return false;
    }
    return true;
  }

  private JsonNode required(JsonNode parent, String key, String parentPath) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      error(parentPath.isEmpty() ? key : parentPath + "." + key, "required");
      return null;
    }
    return n;
  }

  private void keys(JsonNode n, String path, String... allowed) {
    Set<String> ok = new TreeSet<>(List.of(allowed));
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!ok.contains(k)) {
        error(
            path.isEmpty() ? k : path + "." + k,
            "unknown key"
                + NearestName.hint(ok, k)
                + "; allowed here: "
                + String.join(", ", allowed));
      }
    }
  }

  private String text(JsonNode n, String key, boolean required) {
    return text(n, key, required, key);
  }

  private String text(JsonNode n, String key, boolean required, String path) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        error(path, "required");
      }
      return null;
    }
    if (!v.isValueNode() || v.asText().isBlank()) {
      error(path, "must be a non-empty text");
      return null;
    }
    if (v.asText().length() > 4096) {
      error(path, "is " + v.asText().length() + " characters; at most 4096");
      return null;
    }
    return v.asText();
  }

  private String textOr(JsonNode n, String key, String path, String fallback) {
    String v = text(n, key, false, path);
    return n.get(key) == null ? fallback : v;
  }

  private Duration duration(
      JsonNode n, String key, String path, Duration fallback, Duration min, Duration max) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      if (fallback == null) {
        error(path, "required: a duration between " + fmt(min) + " and " + fmt(max) + ", e.g. 30s");
      }
      return fallback;
    }
    Duration d;
    try {
      d = Durations.parse(path, v.asText());
    } catch (InvalidRecordException e) {
      error(path, "'" + v.asText() + "' is not a duration; use e.g. 500ms, 30s, 5m, 1h");
      return null;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      error(path, v.asText() + ": must be between " + fmt(min) + " and " + fmt(max));
      return null;
    }
    return d;
  }

  private Integer integer(JsonNode n, String key, String path, int min, int max) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      error(path, "'" + v.asText() + "': must be a whole number from " + min + " to " + max);
      return null;
    }
    return v.asInt();
  }

  private Double decimal(
      JsonNode n, String key, String path, double min, double max, boolean exclusiveMin) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    boolean low = exclusiveMin ? v.asDouble() <= min : v.asDouble() < min;
    if (!v.isNumber() || low || v.asDouble() > max) {
      error(
          path,
          "'"
              + v.asText()
              + "': must be a number "
              + (exclusiveMin ? "above " : "from ")
              + min
              + " to "
              + max);
      return null;
    }
    return v.asDouble();
  }

  private List<String> stringList(JsonNode n, String path) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      error(path, "must be a list of names");
      return List.of();
    }
    if (n.size() > MAX_MAP_ENTRIES) {
      error(path, n.size() + " entries; at most " + MAX_MAP_ENTRIES);
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode v = n.get(i);
      if (!v.isValueNode() || v.asText().isBlank()) {
        error(path + "[" + i + "]", "must be a non-empty name");
      } else {
        out.add(v.asText());
      }
    }
    return List.copyOf(out);
  }

  private Map<String, String> stringMap(JsonNode n, String path) {
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      error(path, "must be a mapping of names to values");
      return Map.of();
    }
    if (n.size() > MAX_MAP_ENTRIES) {
      error(path, n.size() + " entries; at most " + MAX_MAP_ENTRIES);
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isValueNode()) {
        error(path + "." + e.getKey(), "must be a single value (text or number)");
      } else {
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }
}
