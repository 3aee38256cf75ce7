package io.faultline.analyzer.offline;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
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
 * with a {@code T}), or epoch seconds or milliseconds (numbers above 10^11 are milliseconds). Rows
 * must be in time order, each timestamp once; a file that is not is refused at the first row out of
 * order, naming it and the row before.
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

  /** The longest line read: a row is a timestamp and a value, so a longer one is not a row. */
  static final int MAX_LINE = 4096;

  /**
   * The rows of {@code file}. A file that cannot be read as such a CSV throws {@link
   * CsvInputException} naming it, the line and what is wrong, never an I/O class's own message.
   */
  public static List<Row> read(Path file) {
    if (Files.isDirectory(file)) {
      throw new CsvInputException(file, 0, "a directory; give a CSV file of timestamp,value rows");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      Lines lines = new Lines(in, file);
      String header;
      do {
        header = lines.next();
      } while (header != null && header.isBlank());
      if (header == null) {
        throw new CsvInputException(
            file, 0, "empty file; expected a header line 'timestamp,value'");
      }
      return rows(file, lines, header);
    } catch (NoSuchFileException e) {
      throw new CsvInputException(file, 0, "no such file");
    } catch (AccessDeniedException e) {
      throw new CsvInputException(file, 0, "permission denied; give a file you may read");
    } catch (IOException e) {
      throw new CsvInputException(file, 0, "cannot read: " + reason(e));
    }
  }

  private static List<Row> rows(Path file, Lines lines, String headerText) throws IOException {
    int headerLine = lines.number;
    String[] header = split(strip(headerText));
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
          headerLine,
          "header '" + headerText.strip() + "' must name the columns 'timestamp' and 'value'");
    }
    List<Row> rows = new ArrayList<>();
    String previousText = null;
    String line;
    while ((line = lines.next()) != null) {
      if (line.isBlank()) {
        continue;
      }
      int lineNo = lines.number;
      String[] cells = split(line);
      if (cells.length <= Math.max(ts, value)) {
        throw new CsvInputException(
            file,
            lineNo,
            "expected " + header.length + " columns (timestamp,value), got " + cells.length);
      }
      long epochMs = parseTime(file, lineNo, cells[ts]);
      if (!rows.isEmpty()) {
        // both engines align the files by their first rows and read the rows' interval from
        // consecutive rows: a row out of order or a repeated time would be judged silently wrong
        Row previous = rows.get(rows.size() - 1);
        if (epochMs <= previous.epochMs()) {
          throw new CsvInputException(
              file,
              lineNo,
              "timestamp '"
                  + cells[ts]
                  + (epochMs == previous.epochMs() ? "' repeats" : "' is earlier than")
                  + " line "
                  + previous.line()
                  + "'s '"
                  + previousText
                  + "': rows must be in time order, one row per timestamp (sort the file by its"
                  + " timestamp column; merge rows of one time into one)");
        }
      }
      previousText = cells[ts];
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

  /**
   * A file's lines, each decoded as UTF-8 on its own so that a bad byte is reported at its line,
   * and bounded: a line longer than {@link #MAX_LINE} bytes throws rather than filling the heap (a
   * device, a file with no line ends).
   */
  private static final class Lines {
    private final InputStream in;
    private final Path file;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** The line {@link #next} returned last, from 1. */
    int number;

    Lines(InputStream in, Path file) {
      this.in = in;
      this.file = file;
    }

    /** The next line without its end ({@code \n} or {@code \r\n}), or null at the file's end. */
    String next() throws IOException {
      bytes.reset();
      number++;
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (bytes.size() == MAX_LINE) {
          throw new CsvInputException(
              file,
              number,
              "longer than " + MAX_LINE + " bytes; give a CSV file of timestamp,value rows");
        }
        bytes.write(b);
      }
      if (b < 0 && bytes.size() == 0) {
        return null;
      }
      byte[] line = bytes.toByteArray();
      int length = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
      try {
        return utf8.decode(ByteBuffer.wrap(line, 0, length)).toString();
      } catch (CharacterCodingException e) {
        throw new CsvInputException(
            file, number, "not UTF-8 text; give a CSV file of timestamp,value rows");
      }
    }
  }

  /** What the operating system said, without the exception's class or the path again. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
    if (ms < FIRST_MS || ms > LAST_MS) {
      throw new CsvInputException(
          file, line, "timestamp '" + t + "' is out of range: years 1 to 9999 only");
    }
    return ms;
  }

  // differences of any two stay far from overflowing a long
  private static final long FIRST_MS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
  private static final long LAST_MS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

  private static final String TIME_FORMS =
      "ISO-8601 (2014-02-14T14:30:00Z), 'yyyy-MM-dd HH:mm:ss' (UTC), or epoch seconds or"
          + " milliseconds";

  /** A time in any form the files' timestamps take, for an option such as --attack-start. */
  public static long parseTime(String option, String text) {
    Long ms = text == null ? null : epochMs(text.strip());
    if (ms == null || ms < FIRST_MS || ms > LAST_MS) {
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
    } catch (ArithmeticException beyondALong) {
      return Long.MAX_VALUE; // out of range, as the caller then says
    }
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the other forms
    } catch (ArithmeticException beyondALong) {
      return Long.MAX_VALUE;
    }
    try {
      return LocalDateTime.parse(t, LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    } catch (ArithmeticException beyondALong) {
      return Long.MAX_VALUE;
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
