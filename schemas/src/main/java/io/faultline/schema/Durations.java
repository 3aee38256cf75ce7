package io.faultline.schema;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, units combined largest first
 * ({@code 1m30s}, {@code 1h5m}, {@code 2s500ms}), or ISO-8601 {@code PT30S}; {@link #format} is the
 * one way a duration is written back. The experiment schema's {@code duration} pattern accepts the
 * same forms.
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

  /**
   * {@code text} as a duration from {@code min} to {@code max} ({@code max} null: no upper bound),
   * the one bounded check of every config key and option: an error names the input, the value as
   * written and what is allowed ({@code agent.lease 1s: must be between 2s and 1h}, {@code --window
   * 'soon': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S}).
   *
   * @param name the key or option the value was given for
   */
  public static Duration within(String name, String text, Duration min, Duration max) {
    Duration d;
    try {
      d = parse(name, text);
    } catch (InvalidRecordException e) {
      throw new IllegalArgumentException(
          name + " '" + text + "': not a duration; use e.g. 500ms, 30s, 5m, 1h or PT30S");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " '" + text + "': must not be negative");
    }
    String outside = outOfRange(d, min, max);
    if (outside != null) {
      throw new IllegalArgumentException(name + " " + text + ": " + outside);
    }
    return d;
  }

  /**
   * What {@code d} breaks of the range {@code min} to {@code max} ({@code max} null: no upper
   * bound), as {@code must be between 1s and 1h} or {@code must be at least 1s}; null when it lies
   * within. The words every bounded duration's error ends with, in config and in experiment files.
   */
  public static String outOfRange(Duration d, Duration min, Duration max) {
    if (d.compareTo(min) >= 0 && (max == null || d.compareTo(max) <= 0)) {
      return null;
    }
    return max == null
        ? "must be at least " + formatLimit(min)
        : "must be between " + formatLimit(min) + " and " + formatLimit(max);
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }

  /**
   * How every duration is written, in messages, logs and what the CLI prints: under a second in
   * milliseconds ({@code 0ms}, {@code 999ms}), under a minute to a tenth of a second ({@code 1s},
   * {@code 7.9s}, {@code 59.9s}), above to the second, units combined largest first ({@code 1m},
   * {@code 1m30s}, {@code 1h5m}). Durations under a second or of whole seconds read back through
   * {@link #parse} as themselves.
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      return "-" + format(d.negated());
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    long tenths = (ms + 50) / 100;
    if (tenths < 600) {
      return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
    }
    long s = (ms + 500) / 1000;
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s % 3600 >= 60) {
      b.append(s % 3600 / 60).append('m');
    }
    if (s % 60 != 0) {
      b.append(s % 60).append('s');
    }
    return b.toString();
  }

  /**
   * A measured figure in milliseconds (an MTTD, an MTTR) as {@link #format} writes it; none is
   * {@code n/a}.
   */
  public static String format(Long ms) {
    return ms == null ? "n/a" : format(Duration.ofMillis(ms));
  }

  /**
   * A limit in a message ({@code must be between 0s and 24h}): {@link #format}, zero as {@code 0s}.
   */
  public static String formatLimit(Duration d) {
    return d.isZero() ? "0s" : format(d);
  }
}
