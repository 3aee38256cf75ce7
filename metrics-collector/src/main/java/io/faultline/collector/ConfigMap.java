package io.faultline.collector;

import io.faultline.schema.ConfigReader;
import io.faultline.schema.Group;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The collector's flat key/value configuration: the shared typed reads ({@link ConfigReader}) plus
 * the collector's own shapes (label selectors, {@code GROUP=name@spec} targets, per-group keys).
 */
final class ConfigMap extends ConfigReader {

  private static final Pattern LABEL_KEY =
      Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private final Map<String, String> map;

  ConfigMap(Map<String, String> map) {
    super(map);
    this.map = map;
  }

  /** A target of a source: {@code GROUP=name@spec}, the spec's meaning depends on the source. */
  record GroupTarget(Group group, String name, String spec) {}

  /** The keys under {@code prefix} (prefix removed), in key order. */
  Map<String, String> under(String prefix) {
    Map<String, String> out = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && k.length() > prefix.length()) {
            out.put(k.substring(prefix.length()), v.strip());
          }
        });
    return out;
  }

  /** Per-group value: {@code key.control} / {@code key.experimental}, else {@code def}. */
  String perGroup(String key, Group group, String def) {
    return get(key + "." + group.name().toLowerCase(Locale.ROOT), def);
  }

  /**
   * An equality label selector {@code k=v,k2=v2} (Kubernetes label syntax); {@code def} when the
   * key is absent.
   */
  Map<String, String> labels(String key, Map<String, String> def) {
    if (!has(key)) {
      return def;
    }
    Map<String, String> out = new TreeMap<>();
    for (String part : get(key, "").split(",")) {
      String text = part.strip();
      if (text.isEmpty()) {
        continue;
      }
      int eq = text.indexOf('=');
      String k = eq < 0 ? "" : text.substring(0, eq).strip();
      String v = eq < 0 ? "" : text.substring(eq + 1).strip();
      if (!LABEL_KEY.matcher(k).matches() || !LABEL_VALUE.matcher(v).matches()) {
        throw new IllegalArgumentException(
            key
                + " entry '"
                + text
                + "': expected label=value (equality only, labels joined by commas; a label like"
                + " eks.amazonaws.com/nodegroup, a value of letters, digits, '-', '_', '.')");
      }
      out.put(k, v);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(key + ": at least one label=value is needed");
    }
    return Collections.unmodifiableMap(out);
  }

  /** A comma-separated list of {@code GROUP=name@spec}; empty when the key is absent. */
  List<GroupTarget> targets(String key, String example) {
    List<GroupTarget> out = new ArrayList<>();
    for (String entry : get(key, "").split(",")) {
      String text = entry.strip();
      if (text.isEmpty()) {
        continue;
      }
      int eq = text.indexOf('=');
      int at = text.indexOf('@');
      if (eq < 0 || at < eq || at == text.length() - 1) {
        throw new IllegalArgumentException(
            key + " entry '" + text + "': expected GROUP=name@" + example);
      }
      Group group;
      try {
        group = Group.valueOf(text.substring(0, eq).strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        group = Group.UNKNOWN;
      }
      if (group == Group.UNKNOWN) {
        throw new IllegalArgumentException(
            key + " entry '" + text + "': group must be CONTROL or EXPERIMENTAL");
      }
      out.add(
          new GroupTarget(
              group, text.substring(eq + 1, at).strip(), text.substring(at + 1).strip()));
    }
    return out;
  }

  /** Label value that stands for a group in queries and selectors: lower-case name by default. */
  static String groupValue(Group group) {
    return group.name().toLowerCase(Locale.ROOT);
  }
}
