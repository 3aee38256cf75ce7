package io.faultline.scale;

import java.io.IOException;
import java.util.List;

/** Where the MIDI files come from: a directory or an S3 prefix. */
public interface CorpusSource extends AutoCloseable {

  /** One MIDI file: its song id (file name without extension) and where to read it. */
  record Entry(String songId, String location) {}

  /** Every MIDI file (.mid or .midi, any case), sorted by location. */
  List<Entry> list() throws IOException;

  byte[] read(Entry entry) throws IOException;

  /** A short description for logs: the directory or s3://bucket/prefix. */
  String describe();

  @Override
  default void close() {}

  static boolean isMidi(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.endsWith(".mid") || lower.endsWith(".midi");
  }

  static String songId(String fileName) {
    int slash = fileName.lastIndexOf('/');
    String base = fileName.substring(slash + 1);
    int dot = base.lastIndexOf('.');
    return dot < 0 ? base : base.substring(0, dot);
  }
}
