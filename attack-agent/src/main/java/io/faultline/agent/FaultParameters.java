package io.faultline.agent;

import io.faultline.schema.InvalidRecordException;
import java.util.Map;
import java.util.Set;

/** Reads a fault's parameters; a bad value is an error naming {@code parameters.<key>}. */
public final class FaultParameters {

  private FaultParameters() {}

  public static int wholeNumber(
      Map<String, String> parameters, String key, int fallback, int min, int max) {
    String text = parameters.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.strip());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidRecordException(
        "parameters." + key, "'" + text + "': must be a whole number from " + min + " to " + max);
  }

  public static boolean flag(Map<String, String> parameters, String key) {
    String text = parameters.getOrDefault(key, "false").strip();
    if (!text.equals("true") && !text.equals("false")) {
      throw new InvalidRecordException(
          "parameters." + key, "'" + text + "': must be true or false");
    }
    return text.equals("true");
  }

  public static String oneOf(
      Map<String, String> parameters, String key, String fallback, Set<String> allowed) {
    String text = parameters.getOrDefault(key, fallback);
    if (text == null || !allowed.contains(text)) {
      throw new InvalidRecordException(
          "parameters." + key,
          (text == null ? "required" : "'" + text + "'")
              + ": must be one of "
              + new java.util.TreeSet<>(allowed));
    }
    return text;
  }

  /** A required text matching {@code pattern}; {@code what} tells what is allowed. */
  public static String matching(
      Map<String, String> parameters, String key, String pattern, String what) {
    String text = parameters.get(key);
    if (text == null || text.isBlank()) {
      throw new InvalidRecordException("parameters." + key, "required: " + what);
    }
    if (!text.strip().matches(pattern)) {
      throw new InvalidRecordException("parameters." + key, "'" + text + "': must be " + what);
    }
    return text.strip();
  }
}
