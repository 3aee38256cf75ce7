package io.faultline.schema;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, units combined largest first
 * ({@code 1m30s}, {@code 1h5m}, {@code 2s500ms}: what {@link #format} writes), or ISO-8601 {@code
 * PT30S}. The experiment schema's {@code duration} pattern accepts the same forms.
 */
public final class Durations {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern COMBINED =
      Pattern.compile("(?=\\d)(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

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
    Matcher combined = COMBINED.matcher(value);
    if (combined.matches()) {
      try {
        return Duration.ofHours(number(combined.group(1)))
            .plusMinutes(number(combined.group(2)))
            .plusSeconds(number(combined.group(3)))
            .plusMillis(number(combined.group(4)));
      } catch (ArithmeticException e) {
        // too large: reported below
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

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  /**
   * Short form for messages and logs, which {@link #parse} reads back: {@code 1m30s}, {@code
   * 250ms}.
   */
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

  /**
   * A limit in a message ({@code must be between 1s and 24h}): like {@link #format}, with whole
   * hours as {@code 24h} and zero as {@code 0s}.
   */
  public static String formatLimit(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    }
    return format(d);
  }
}
