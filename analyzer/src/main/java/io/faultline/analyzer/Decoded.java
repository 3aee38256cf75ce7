package io.faultline.analyzer;

/** A record value after decoding: the value, or the raw bytes and why they could not be read. */
record Decoded<T>(T value, byte[] raw, String error) {

  static <T> Decoded<T> ok(T value) {
    return new Decoded<>(value, null, null);
  }

  static <T> Decoded<T> failed(byte[] raw, String error) {
    return new Decoded<>(null, raw, error);
  }

  boolean isFailed() {
    return error != null;
  }
}
