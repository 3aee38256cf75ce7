package io.faultline.schema;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of a component's flat key/value config (from {@link ConfigSource#load}, usually a
 * {@link StrictConfig}), shared by every component so a value is checked one way everywhere. Each
 * read takes the default as text, as a user would write it; an absent or blank key takes it. Every
 * error names the key, the value as written and what is allowed: {@code agent.lease 1s: must be
 * between 2s and 1h}, {@code agent.max.concurrent 'many': must be a whole number from 1 to 1000}.
 * The components' mains turn these {@link IllegalArgumentException}s into exit 2.
 */
public class ConfigReader {

  private final Map<String, String> map;

  public ConfigReader(Map<String, String> map) {
    this.map = map;
  }

  /** The value as written (not stripped), or null when the key is absent. */
  public String raw(String key) {
    return map.get(key);
  }

  /** Present and not blank. */
  public boolean has(String key) {
    String v = map.get(key);
    return v != null && !v.isBlank();
  }

  /** The stripped value, or {@code fallback} when the key is absent or blank. */
  public String get(String key, String fallback) {
    String v = map.get(key);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  /** The stripped value; absent or blank is an error: {@code key: required (hint)}. */
  public String required(String key, String hint) {
    String v = map.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + ": required (" + hint + ")");
    }
    return v.strip();
  }

  /**
   * The stripped value, {@code fallback} when absent; present but blank is an error ({@code key:
   * must not be empty; hint}), for keys where empty would silently mean something else.
   */
  public String nonBlank(String key, String fallback, String hint) {
    String v = map.get(key);
    if (v == null) {
      return fallback;
    }
    if (v.isBlank()) {
      throw new IllegalArgumentException(
          key + ": must not be empty" + (hint.isEmpty() ? "" : "; " + hint));
    }
    return v.strip();
  }

  /** A duration from {@code min} to {@code max} ({@code max} null: no upper bound). */
  public Duration duration(String key, String fallback, Duration min, Duration max) {
    return Durations.within(key, get(key, fallback), min, max);
  }

  /** A whole number from {@code min} to {@code max}. */
  public int wholeNumber(String key, String fallback, int min, int max) {
    return (int) longNumber(key, fallback, min, max);
  }

  /** A whole number from {@code min} to {@code max}, or null when the key is absent or blank. */
  public Integer optionalWholeNumber(String key, int min, int max) {
    return has(key) ? wholeNumber(key, null, min, max) : null;
  }

  /** A whole number from {@code min} to {@code max} (any long when they are the long's bounds). */
  public long longNumber(String key, String fallback, long min, long max) {
    String text = get(key, fallback);
    try {
      long v = Long.parseLong(text);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    boolean any = min == Long.MIN_VALUE && max == Long.MAX_VALUE;
    throw new IllegalArgumentException(
        key
            + " '"
            + text
            + "': must be a whole number"
            + (any ? "" : " from " + min + " to " + max));
  }

  /** A number from {@code min} to {@code max}, both included. */
  public double number(String key, String fallback, double min, double max) {
    String text = get(key, fallback);
    double v = decimal(text);
    if (v >= min && v <= max) {
      return v;
    }
    throw new IllegalArgumentException(
        key + " '" + text + "': must be a number from " + min + " to " + max);
  }

  /** A number from {@code min} (included) up to {@code limit} (excluded), e.g. a confidence. */
  public double numberBelow(String key, String fallback, double min, double limit) {
    String text = get(key, fallback);
    double v = decimal(text);
    if (v >= min && v < limit) {
      return v;
    }
    throw new IllegalArgumentException(
        key + " '" + text + "': must be a number from " + min + " to below " + limit);
  }

  /** {@code true} or {@code false} (any case), nothing else. */
  public boolean bool(String key, String fallback) {
    String text = get(key, fallback);
    String value = text.toLowerCase(Locale.ROOT);
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(key + " '" + text + "': must be true or false");
    }
    return value.equals("true");
  }

  /** One of {@code allowed} (lower case), ignoring case; returned in lower case. */
  public String choice(String key, String fallback, List<String> allowed) {
    String text = get(key, fallback);
    String value = text.toLowerCase(Locale.ROOT);
    if (!allowed.contains(value)) {
      String last = allowed.get(allowed.size() - 1);
      String list =
          allowed.size() == 1
              ? last
              : (allowed.size() > 2 ? "one of " : "")
                  + String.join(", ", allowed.subList(0, allowed.size() - 1))
                  + " or "
                  + last;
      throw new IllegalArgumentException(
          key + " '" + text + "': must be " + list + NearestName.hint(allowed, value));
    }
    return value;
  }

  private static double decimal(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException | NullPointerException e) {
      return Double.NaN;
    }
  }
}
