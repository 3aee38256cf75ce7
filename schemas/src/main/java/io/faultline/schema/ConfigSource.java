package io.faultline.schema;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Shared config loading: a properties file, overridden by {@code FAULTLINE_*} environment variables
 * ({@code FAULTLINE_AGENT_MAX_DURATION} becomes {@code agent.max.duration}). Each component turns
 * the map into its own typed, validated record. Wrapped in {@link StrictConfig}, the map also tells
 * which keys of the component's own prefix nobody read: typos, refused at start.
 */
public final class ConfigSource {

  private ConfigSource() {}

  public static Map<String, String> load(Path file, Map<String, String> env) {
    Map<String, String> map = new TreeMap<>();
    if (file != null) {
      Properties props = new Properties();
      try (Reader reader = Files.newBufferedReader(file)) {
        props.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read config file " + file + ": " + e.getMessage());
      }
      props.forEach((k, v) -> map.put(k.toString(), v.toString()));
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith("FAULTLINE_")) {
            map.put(
                k.substring("FAULTLINE_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    return map;
  }

  /** The entries under {@code prefix}, with the prefix removed (e.g. Kafka client pass-through). */
  public static Map<String, String> subset(Map<String, String> map, String prefix) {
    if (map instanceof StrictConfig strict) {
      strict.readAll(prefix);
    }
    Map<String, String> out = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }
}
