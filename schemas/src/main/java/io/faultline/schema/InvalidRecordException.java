package io.faultline.schema;

/** A record that cannot be used, with the field at fault and what is allowed. */
public class InvalidRecordException extends RuntimeException {

  private final String field;

  public InvalidRecordException(String field, String message) {
    super(field == null ? message : field + ": " + message);
    this.field = field;
  }

  public InvalidRecordException(String field, String message, Throwable cause) {
    super(field == null ? message : field + ": " + message, cause);
    this.field = field;
  }

  /** The field at fault, or {@code null} when the record as a whole is unreadable. */
  public String field() {
    return field;
  }
}
