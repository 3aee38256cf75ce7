package io.faultline.schema;

import java.util.List;
import java.util.Map;

/**
 * The most each field of an {@link AttackCommand} may hold, defined once. {@link
 * AttackCommandCodec} refuses a command over any of them, Avro or JSON, with the field and the
 * bound ({@code target.names[0]: 614400 characters, at most 317}), so no unbounded text reaches an
 * event, a header, attack.state or a log line. Sized for what the fields name: Kubernetes names
 * (253; a pod as namespace/name), label keys (prefix/name) and AWS tag values (256), paths.
 */
public final class CommandBounds {

  /** commandId, experimentId. */
  public static final int ID = 128;

  /** Room for a generated id: experimentId, '-', a UUID. */
  public static final int ATTACK_ID = 200;

  public static final int FAULT = 63;
  public static final int KIND = 63;
  public static final int TARGETS = 100;

  /** A Kubernetes namespace (63), '/', a pod name (253). */
  public static final int TARGET_NAME = 317;

  public static final int NAMESPACE = 63;
  public static final int MODE = 64;
  public static final int LABELS = 32;

  /** A label key's prefix (253), '/', its name (63). */
  public static final int LABEL_KEY = 317;

  /** An AWS tag value (Kubernetes label values stop at 63). */
  public static final int LABEL_VALUE = 256;

  public static final int PARAMETERS = 32;
  public static final int PARAMETER_KEY = 64;

  /** A path (Linux PATH_MAX). */
  public static final int PARAMETER_VALUE = 4096;

  public static final int ISSUED_BY = 256;

  /** HMAC-SHA256 in hex takes 64. */
  public static final int SIGNATURE = 128;

  /** 1 s to 24 h: the widest range agent.max.duration allows; each agent narrows it. */
  public static final long DURATION_MS_MIN = 1_000;

  public static final long DURATION_MS_MAX = 86_400_000;

  /** How much of a hostile value an error message quotes. */
  public static final int QUOTED = 64;

  private CommandBounds() {}

  /** Throws {@link InvalidRecordException} naming the first field over its bound. */
  public static void check(AttackCommand c) {
    text("commandId", c.getCommandId(), ID);
    text("experimentId", c.getExperimentId(), ID);
    text("attackId", c.getAttackId(), ATTACK_ID);
    text("fault", c.getFault(), FAULT);
    TargetSelector t = c.getTarget();
    if (t != null) {
      text("target.kind", t.getKind(), KIND);
      List<String> names = t.getNames();
      if (names.size() > TARGETS) {
        throw new InvalidRecordException(
            "target.names", names.size() + " names, at most " + TARGETS);
      }
      for (int i = 0; i < names.size(); i++) {
        text("target.names[" + i + "]", names.get(i), TARGET_NAME);
      }
      text("target.namespace", t.getNamespace(), NAMESPACE);
      map("target.labels", t.getLabels(), LABELS, LABEL_KEY, LABEL_VALUE);
      text("target.mode", t.getMode(), MODE);
    }
    Long ms = c.getDurationMs();
    if (ms != null && (ms < DURATION_MS_MIN || ms > DURATION_MS_MAX)) {
      throw durationOutOfRange(Long.toString(ms));
    }
    map("parameters", c.getParameters(), PARAMETERS, PARAMETER_KEY, PARAMETER_VALUE);
    if (c.getIssuedAt() < 0) {
      throw new InvalidRecordException(
          "issuedAt", c.getIssuedAt() + ": must be epoch milliseconds, 0 or more");
    }
    text("issuedBy", c.getIssuedBy(), ISSUED_BY);
    text("signature", c.getSignature(), SIGNATURE);
  }

  /** durationMs given as {@code raw}, a number of any size, outside the allowed range. */
  static InvalidRecordException durationOutOfRange(String raw) {
    return new InvalidRecordException(
        "durationMs",
        quote(raw)
            + " is out of range: from "
            + DURATION_MS_MIN
            + " to "
            + DURATION_MS_MAX
            + " ms (1s to 24h)");
  }

  /**
   * One string field: at most {@code max} characters, no control character (they would forge log
   * lines), no U+FFFD (what invalid UTF-8 decodes to), no unpaired surrogate (a JSON escape that
   * UTF-8 cannot encode).
   */
  static void text(String field, String value, int max) {
    if (value == null) {
      return;
    }
    if (value.length() > max) {
      throw new InvalidRecordException(field, value.length() + " characters, at most " + max);
    }
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (Character.isISOControl(ch)) {
        throw new InvalidRecordException(
            field, String.format("control character U+%04X at index %d; not allowed", (int) ch, i));
      }
      if (ch == '\uFFFD') {
        throw new InvalidRecordException(
            field, "U+FFFD at index " + i + ": invalid UTF-8 (or a replacement character)");
      }
      if (Character.isSurrogate(ch)) {
        boolean paired =
            Character.isHighSurrogate(ch)
                && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
        if (!paired) {
          throw new InvalidRecordException(
              field,
              String.format(
                  "unpaired surrogate U+%04X at index %d: not encodable as UTF-8", (int) ch, i));
        }
        i++; // the low half of the pair
      }
    }
  }

  private static void map(
      String field, Map<String, String> map, int entries, int maxKey, int maxValue) {
    if (map == null) {
      return;
    }
    if (map.size() > entries) {
      throw new InvalidRecordException(field, map.size() + " entries, at most " + entries);
    }
    for (var e : map.entrySet()) {
      text(field + " key", e.getKey(), maxKey); // checked first: the next field path names it
      text(field + "." + e.getKey(), e.getValue(), maxValue);
    }
  }

  /**
   * At most {@link #QUOTED} characters of {@code text}, control characters shown as '?', for an
   * error message.
   */
  public static String quote(String text) {
    return quote(text, QUOTED);
  }

  /** At most {@code max} characters of {@code text}, as {@link #quote(String)}. */
  public static String quote(String text, int max) {
    if (text == null) {
      return null;
    }
    String shown = text.length() <= max ? text : text.substring(0, max);
    StringBuilder out = new StringBuilder(shown.length());
    shown.chars().forEach(ch -> out.append(Character.isISOControl(ch) ? '?' : (char) ch));
    return text.length() <= max ? out.toString() : out + "... (" + text.length() + " characters)";
  }
}
