package io.faultline.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the values of a file the schema has checked: a value of the wrong shape is read as absent
 * (the schema has said what is wrong with it), so the sections hold only their own rules: ranges of
 * durations, and rules across fields. Every error goes to the file's {@link FileErrors}.
 */
final class FileValues {

  final FileErrors errors;

  FileValues(FileErrors errors) {
    this.errors = errors;
  }

  void error(String path, String message) {
    errors.add(path, message);
  }

  /** The mapping at {@code n}, or null when it is absent or not a mapping. */
  static JsonNode object(JsonNode n) {
    return n != null && n.isObject() ? n : null;
  }

  /** A non-blank text (or number) under {@code key}, else null. */
  static String text(JsonNode parent, String key) {
    JsonNode v = parent == null ? null : parent.get(key);
    return v != null && v.isValueNode() && !v.isNull() && !v.asText().isBlank() ? v.asText() : null;
  }

  static String textOr(JsonNode parent, String key, String fallback) {
    String v = text(parent, key);
    return v == null ? fallback : v;
  }

  static boolean bool(JsonNode parent, String key) {
    JsonNode v = parent == null ? null : parent.get(key);
    return v != null && v.isBoolean() && v.asBoolean();
  }

  static Integer integer(JsonNode parent, String key) {
    JsonNode v = parent == null ? null : parent.get(key);
    return v != null && v.isIntegralNumber() && v.canConvertToInt() ? v.asInt() : null;
  }

  static Double decimal(JsonNode parent, String key) {
    JsonNode v = parent == null ? null : parent.get(key);
    return v != null && v.isNumber() ? v.asDouble() : null;
  }

  /**
   * The duration under {@code key}, between {@code min} and {@code max}; {@code fallback} when it
   * is absent (the schema requires the ones without a default), null when it is wrong.
   */
  Duration duration(
      JsonNode parent, String key, String path, Duration fallback, Duration min, Duration max) {
    JsonNode v = parent == null ? null : parent.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    Duration d;
    try {
      d = Durations.parse(path, v.asText());
    } catch (InvalidRecordException e) {
      error(path, "'" + v.asText() + "' is not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S");
      return null;
    }
    String outside = Durations.outOfRange(d, min, max);
    if (outside != null) {
      error(path, v.asText() + ": " + outside);
      return null;
    }
    return d;
  }

  /** The non-blank texts of a list; empty when it is absent or not a list. */
  static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null && n.isArray()) {
      n.forEach(
          v -> {
            if (v.isValueNode() && !v.asText().isBlank()) {
              out.add(v.asText());
            }
          });
    }
    return List.copyOf(out);
  }

  /** The single values of a mapping, as text; empty when it is absent or not a mapping. */
  static Map<String, String> map(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n != null && n.isObject()) {
      n.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                  out.put(e.getKey(), e.getValue().asText());
                }
              });
    }
    return out;
  }
}
