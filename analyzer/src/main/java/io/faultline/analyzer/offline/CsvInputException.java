package io.faultline.analyzer.offline;

import java.nio.file.Path;

/** A recorded-data file that cannot be read: names the file, the line and the problem. */
public final class CsvInputException extends RuntimeException {

  public CsvInputException(Path file, int line, String problem) {
    super(file + (line > 0 ? ":" + line : "") + ": " + problem);
  }
}
