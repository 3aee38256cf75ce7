package io.faultline.collector;

import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.SourceSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An experiment's own sources ({@code Experiment.sources}) as collector config keys. The experiment
 * chooses the sources, their intervals and how each finds the CONTROL and EXPERIMENTAL targets;
 * keys it leaves out come from the collector's own config (connection settings such as {@code
 * kubernetes.master}, {@code cloudwatch.region}, {@code kafka.*}). The result goes through the same
 * checks as a config file, and every error names the field of the experiment it came from ({@code
 * sources[1].settings.rps}) and the collector key it became. The mapping is documented in
 * metrics-collector/README.md ("Sources chosen by the experiment").
 */
public final class ExperimentSources {

  /**
   * What one source type accepts: its key prefix, its settings (a trailing '.' allows a family such
   * as {@code query.<metric>}), its per-group selector keys, and which of those are lists of {@code
   * name@spec} targets (assembled into one {@code GROUP=name@spec,...} key).
   */
  record Kind(
      String prefix,
      Set<String> settings,
      Set<String> selector,
      Set<String> lists,
      Map<String, String> renamed) {

    Kind(String prefix, Set<String> settings, Set<String> selector, Set<String> lists) {
      this(prefix, settings, selector, lists, Map.of());
    }

    /** The collector key stem of a selector key ({@code value} is {@code group} in prometheus). */
    String stem(String selectorKey) {
      return renamed.getOrDefault(selectorKey, selectorKey);
    }

    /** The selector key of a collector key stem, or null. */
    String selectorOf(String stem) {
      for (var e : renamed.entrySet()) {
        if (e.getValue().equals(stem)) {
          return e.getKey();
        }
      }
      return selector.contains(stem) && !renamed.containsKey(stem) ? stem : null;
    }

    boolean allowsSetting(String key) {
      if (settings.contains(key)) {
        return true;
      }
      for (String s : settings) {
        if (s.endsWith(".") && key.startsWith(s) && key.length() > s.length()) {
          return true;
        }
      }
      return false;
    }
  }

  static final Map<String, Kind> KINDS = kinds();

  private static final Pattern TARGET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private ExperimentSources() {}

  /**
   * The keys by which a source of {@code type} finds a group's targets, sorted (none if unknown).
   */
  public static List<String> selectorKeys(String type) {
    Kind kind = KINDS.get(type);
    return kind == null ? List.of() : kind.selector().stream().sorted().toList();
  }

  private static Map<String, Kind> kinds() {
    Map<String, Kind> k = new LinkedHashMap<>();
    k.put(
        "http",
        new Kind(
            "probe",
            Set.of("rps", "concurrency", "duration"),
            Set.of("targets", "rps", "concurrency"),
            Set.of("targets")));
    k.put(
        "prometheus",
        new Kind(
            "prometheus",
            Set.of("url", "query."),
            Set.of("value"),
            Set.of(),
            Map.of("value", "group")));
    k.put("scrape", new Kind("scrape", Set.of("metric."), Set.of("targets"), Set.of("targets")));
    k.put(
        "kubernetes",
        new Kind(
            "kubernetes",
            Set.of("namespace", "group.label", "usage", "logs", "master"),
            Set.of("namespace", "selector", "value"),
            Set.of(),
            Map.of("value", "group")));
    k.put(
        "cloudwatch",
        new Kind(
            "cloudwatch",
            Set.of("cluster", "namespace", "region", "endpoint", "period", "lookback"),
            Set.of("workload", "asg", "nodes", "node.selector"),
            Set.of()));
    k.put(
        "host",
        new Kind(
            "host",
            Set.of("dns.server", "tcp.attempts", "proc"),
            Set.of("processes", "clock", "dns", "tcp"),
            Set.of("processes", "clock", "dns", "tcp")));
    k.put("spark", new Kind("spark", Set.of(), Set.of("targets"), Set.of("targets")));
    return Map.copyOf(k);
  }

  /**
   * The collector config for an experiment's sources: {@code base} (the collector's own config)
   * overlaid with the experiment's id, its source list and every key its sources set.
   *
   * @throws IllegalArgumentException naming the experiment, the field and what is allowed
   */
  public static CollectorConfig config(Experiment experiment, Map<String, String> base) {
    String id = experiment.getExperimentId();
    List<SourceSpec> sources = experiment.getSources();
    List<String> errors = structure(sources);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("experiment '" + id + "': " + String.join("; ", errors));
    }
    Map<String, String> map = new HashMap<>(base);
    map.put("experiment.id", id);
    List<String> types = new ArrayList<>();
    for (SourceSpec s : sources) {
      types.add(s.getType());
      map.putAll(keys(s));
    }
    map.put("sources", String.join(",", types));
    try {
      return CollectorConfig.fromMap(map);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "experiment '" + id + "': " + field(sources, e.getMessage()), e);
    }
  }

  /**
   * Every problem of an experiment's sources on their own (no collector config behind them), for
   * the CLI to report before anything runs; empty when they would run.
   */
  public static List<String> check(List<SourceSpec> sources) {
    List<String> errors = structure(sources);
    if (!errors.isEmpty()) {
      return errors;
    }
    // one source at a time, so each reports its first problem
    for (int i = 0; i < sources.size(); i++) {
      Experiment e =
          Experiment.newBuilder()
              .setExperimentId("check")
              .setSources(List.of(sources.get(i)))
              .build();
      try {
        config(e, Map.of("bootstrap.servers", "127.0.0.1:9092"));
      } catch (IllegalArgumentException ex) {
        errors.add(
            ex.getMessage()
                .substring("experiment 'check': ".length())
                .replace("sources[0]", "sources[" + i + "]"));
      }
    }
    return errors;
  }

  /** Types, keys and values that no config could make valid, each with its field. */
  private static List<String> structure(List<SourceSpec> sources) {
    List<String> errors = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      SourceSpec s = sources.get(i);
      String at = "sources[" + i + "]";
      Kind kind = KINDS.get(s.getType());
      if (kind == null) {
        errors.add(
            at
                + ".type: '"
                + s.getType()
                + "' is not a source (allowed: "
                + String.join(", ", CollectorConfig.SOURCES)
                + ")");
        continue;
      }
      if (!seen.add(s.getType())) {
        errors.add(at + ".type: '" + s.getType() + "' appears twice; one entry per source");
      }
      if (s.getIntervalMs() != null && s.getIntervalMs() <= 0) {
        errors.add(at + ".intervalMs: " + s.getIntervalMs() + " must be more than 0");
      }
      if (s.getTimeoutMs() != null && s.getTimeoutMs() <= 0) {
        errors.add(at + ".timeoutMs: " + s.getTimeoutMs() + " must be more than 0");
      }
      for (var e : new TreeMap<>(s.getSettings()).entrySet()) {
        if (!kind.allowsSetting(e.getKey())) {
          errors.add(
              at
                  + ".settings."
                  + e.getKey()
                  + ": not a setting of "
                  + s.getType()
                  + " (allowed: "
                  + String.join(", ", sorted(kind.settings()))
                  + "; interval and timeout are fields of their own)");
        } else if (e.getValue() == null || e.getValue().isBlank()) {
          errors.add(at + ".settings." + e.getKey() + ": empty");
        }
      }
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        String group = ConfigMap.groupValue(g);
        for (var e : new TreeMap<>(selector(s, g)).entrySet()) {
          if (!kind.selector().contains(e.getKey())) {
            errors.add(
                at
                    + "."
                    + group
                    + "."
                    + e.getKey()
                    + ": not a selector of "
                    + s.getType()
                    + " (allowed: "
                    + String.join(", ", sorted(kind.selector()))
                    + ")");
          } else if (e.getValue() == null || e.getValue().isBlank()) {
            errors.add(at + "." + group + "." + e.getKey() + ": empty");
          }
        }
      }
    }
    return errors;
  }

  /** The collector keys one source sets. */
  static Map<String, String> keys(SourceSpec s) {
    Kind kind = KINDS.get(s.getType());
    String p = kind.prefix() + ".";
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getIntervalMs() != null) {
      out.put(p + "interval", s.getIntervalMs() + "ms");
    }
    if (s.getTimeoutMs() != null) {
      out.put(p + "timeout", s.getTimeoutMs() + "ms");
    }
    s.getSettings().forEach((k, v) -> out.put(p + k, v.strip()));
    for (String list : kind.lists()) {
      List<String> entries = new ArrayList<>();
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        String value = selector(s, g).get(list);
        if (value != null) {
          entries.addAll(targets(g, value));
        }
      }
      if (!entries.isEmpty()) {
        out.put(p + list, String.join(",", entries));
      }
    }
    for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
      selector(s, g)
          .forEach(
              (k, v) -> {
                if (!kind.lists().contains(k)) {
                  out.put(p + kind.stem(k) + "." + ConfigMap.groupValue(g), v.strip());
                }
              });
    }
    return out;
  }

  /**
   * {@code name@spec} or a bare {@code spec} per comma-separated entry, as {@code GROUP=name@spec};
   * a bare spec is named after its group ({@code control}, or {@code control-2} for the second).
   */
  private static List<String> targets(Group g, String value) {
    List<String> specs = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        specs.add(part.strip());
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      String spec = specs.get(i);
      int at = spec.indexOf('@');
      boolean named = at > 0 && TARGET_NAME.matcher(spec.substring(0, at)).matches();
      String name = ConfigMap.groupValue(g) + (specs.size() > 1 ? "-" + (i + 1) : "");
      out.add(g.name() + "=" + (named ? spec : name + "@" + spec));
    }
    return out;
  }

  private static Map<String, String> selector(SourceSpec s, Group g) {
    return g == Group.CONTROL ? s.getControl() : s.getExperimental();
  }

  /**
   * Rewrites a collector config error ({@code probe.rps 'x': ...}) to name the experiment's field
   * that set (or should have set) the key.
   */
  static String field(List<SourceSpec> sources, String message) {
    for (int i = 0; i < sources.size(); i++) {
      String type = sources.get(i).getType();
      Kind kind = KINDS.get(type);
      String p = kind.prefix() + ".";
      if (message.startsWith(type + " source: ")) {
        return "sources[" + i + "]: " + message.substring(type.length() + " source: ".length());
      }
      if (!message.startsWith(p)) {
        continue;
      }
      int end = 0;
      while (end < message.length() && " :'".indexOf(message.charAt(end)) < 0) {
        end++;
      }
      String key = message.substring(p.length(), end);
      String rest = message.substring(end);
      String at = "sources[" + i + "].";
      String path;
      if (key.equals("interval") || key.equals("timeout")) {
        path = at + key + "Ms";
      } else if (kind.lists().contains(key)) {
        path = at + "control." + key + " / " + at + "experimental." + key;
      } else {
        path = at + "settings." + key;
        for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
          String suffix = "." + ConfigMap.groupValue(g);
          String selectorKey =
              key.endsWith(suffix)
                  ? kind.selectorOf(key.substring(0, key.length() - suffix.length()))
                  : null;
          if (selectorKey != null) {
            path = at + ConfigMap.groupValue(g) + "." + selectorKey;
          }
        }
      }
      return path + " (collector key " + p + key + ")" + rest;
    }
    return "sources: " + message;
  }

  private static List<String> sorted(Set<String> keys) {
    List<String> out = new ArrayList<>(keys);
    out.sort(String::compareTo);
    return out;
  }
}
