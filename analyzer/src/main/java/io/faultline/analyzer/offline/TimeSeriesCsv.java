package io.faultline.analyzer.offline;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code timestamp,value} CSV files with a header. Timestamps may be ISO-8601 with a zone
 * ({@code 2014-02-14T14:30:00Z}), a local date-time read as UTC ({@code 2014-02-14 14:30:00} or
 * with a {@code T}), or epoch seconds or milliseconds (numbers above 10^11 are milliseconds).
 */
public final class TimeSeriesCsv {

  /** One row: its time in epoch milliseconds, its value and its line in the file. */
  public record Row(long epochMs, double value, int line) {}

  private static final DateTimeFormatter LOCAL =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd")
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendPattern("HH:mm")
          .optionalStart()
          .appendPattern(":ss")
          .optionalEnd()
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private TimeSeriesCsv() {}

  public static List<Row> read(Path file) {
    List<String> lines;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      lines = reader.lines().toList();
    } catch (NoSuchFileException e) {
      throw new CsvInputException(file, 0, "no such file");
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CsvInputException(file, 0, "cannot read: " + e.getMessage());
    }
    int headerLine = 0;
    while (headerLine < lines.size() && lines.get(headerLine).isBlank()) {
      headerLine++;
    }
    if (headerLine == lines.size()) {
      throw new CsvInputException(file, 0, "empty file; expected a header line 'timestamp,value'");
    }
    String[] header = split(strip(lines.get(headerLine)));
    int ts = -1;
    int value = -1;
    for (int i = 0; i < header.length; i++) {
      String name = header[i].toLowerCase(Locale.ROOT);
      if (name.equals("timestamp") || name.equals("time")) {
        ts = i;
      } else if (name.equals("value")) {
        value = i;
      }
    }
    if (ts < 0 || value < 0) {
      throw new CsvInputException(
          file,
          headerLine + 1,
          "header '"
              + lines.get(headerLine).strip()
              + "' must name the columns 'timestamp' and 'value'");
    }
    List<Row> rows = new ArrayList<>();
    for (int i = headerLine + 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] cells = split(line);
      int lineNo = i + 1;
      if (cells.length <= Math.max(ts, value)) {
        throw new CsvInputException(
            file,
            lineNo,
            "expected " + header.length + " columns (timestamp,value), got " + cells.length);
      }
      long epochMs = parseTime(file, lineNo, cells[ts]);
      double v;
      try {
        v = Double.parseDouble(cells[value]);
      } catch (NumberFormatException e) {
        throw new CsvInputException(file, lineNo, "value '" + cells[value] + "' is not a number");
      }
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new CsvInputException(
            file, lineNo, "value '" + cells[value] + "' must be a finite number");
      }
      rows.add(new Row(epochMs, v, lineNo));
    }
    return rows;
  }

  static long parseTime(Path file, int line, String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      throw new CsvInputException(file, line, "empty timestamp");
    }
    Long ms = epochMs(t);
    if (ms == null) {
      throw new CsvInputException(file, line, "timestamp '" + t + "' is not " + TIME_FORMS);
    }
    return ms;
  }

  private static final String TIME_FORMS =
      "ISO-8601 (2014-02-14T14:30:00Z), 'yyyy-MM-dd HH:mm:ss' (UTC), or epoch seconds or"
          + " milliseconds";

  /** A time in any form the files' timestamps take, for an option such as --attack-start. */
  public static long parseTime(String option, String text) {
    Long ms = text == null ? null : epochMs(text.strip());
    if (ms == null) {
      throw new IllegalArgumentException(option + " '" + text + "': must be " + TIME_FORMS);
    }
    return ms;
  }

  private static Long epochMs(String t) {
    if (t.matches("-?\\d+(\\.\\d+)?")) {
      double n = Double.parseDouble(t);
      return n > 1e11 ? Math.round(n) : Math.round(n * 1000);
    }
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the other forms
    }
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the other forms
    }
    try {
      return LocalDateTime.parse(t, LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = strip(cells[i]);
    }
    return cells;
  }

  private static String strip(String cell) {
    String s = cell.strip();
    if (s.startsWith("\uFEFF")) {
      s = s.substring(1);
    }
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.strip();
  }
}
