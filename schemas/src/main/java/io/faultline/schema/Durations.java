package io.faultline.schema;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT30S}.
 */
public final class Durations {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String field, String text) {
    String value = text == null ? "" : text.strip();
    Matcher m = SIMPLE.matcher(value);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        throw new InvalidRecordException(
            field, "'" + CommandBounds.quote(value) + "' is too long a duration");
      }
    }
    try {
      return Duration.parse(value);
    } catch (RuntimeException e) {
      throw new InvalidRecordException(
          field,
          "'"
              + CommandBounds.quote(value)
              + "' is not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S");
    }
  }

  /** Short form for messages and logs: {@code 1m30s}, {@code 250ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0 || ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
  }
}
