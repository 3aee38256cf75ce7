package io.faultline.schema;

/**
 * A record that cannot be used, with the field at fault and what is allowed. The message is one
 * line whatever the record holds: control characters a sender put in a name or id (a newline, an
 * escape sequence) are written as {@code \n}, {@code \u001b}, so a refusal can neither split a log
 * line nor forge one.
 */
public class InvalidRecordException extends RuntimeException {

  private final String field;

  public InvalidRecordException(String field, String message) {
    super(oneLine(field == null ? message : field + ": " + message));
    this.field = field;
  }

  public InvalidRecordException(String field, String message, Throwable cause) {
    super(oneLine(field == null ? message : field + ": " + message), cause);
    this.field = field;
  }

  /** The field at fault, or {@code null} when the record as a whole is unreadable. */
  public String field() {
    return field;
  }

  static String oneLine(String text) {
    if (text == null || text.chars().noneMatch(InvalidRecordException::control)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (control(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  private static boolean control(int c) {
    return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029;
  }
}
