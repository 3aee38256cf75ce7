package io.faultline.analyzer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeSeriesCsvTest {

  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path f = dir.resolve("data.csv");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsEveryTimestampForm() throws Exception {
    var rows =
        TimeSeriesCsv.read(
            file(
                "timestamp,value\n"
                    + "2014-02-14T14:30:00Z,1\n"
                    + "2014-02-14 14:31:00,2\n"
                    + "1392388320,3\n"
                    + "1392388380000,4\n"
                    + "\"2014-02-14T15:34:00+01:00\",\"5.5\"\n"));
    long first = Instant.parse("2014-02-14T14:30:00Z").toEpochMilli();
    assertThat(rows)
        .extracting(TimeSeriesCsv.Row::epochMs)
        .containsExactly(first, first + 60_000, first + 120_000, first + 180_000, first + 240_000);
    assertThat(rows).extracting(TimeSeriesCsv.Row::value).containsExactly(1.0, 2.0, 3.0, 4.0, 5.5);
    assertThat(rows.get(2).line()).isEqualTo(4);
  }

  @Test
  void columnsAreFoundByName() throws Exception {
    var rows = TimeSeriesCsv.read(file("value,timestamp\n7,2014-02-14 14:30:00\n"));
    assertThat(rows.get(0).value()).isEqualTo(7.0);
  }

  @Test
  void errorsNameTheFileTheLineAndTheProblem() throws Exception {
    Path bad = file("timestamp,value\n2014-02-14 14:30:00,1\n2014-02-14 14:35:00,abc\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(bad))
        .isInstanceOf(CsvInputException.class)
        .hasMessage(bad + ":3: value 'abc' is not a number");
    Path badTime = file("timestamp,value\nyesterday,1\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(badTime))
        .hasMessageStartingWith(badTime + ":2: timestamp 'yesterday'");
    Path noHeader = file("when,how much\n1,2\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(noHeader))
        .hasMessageContaining(":1: header 'when,how much' must name");
    Path empty = file("");
    assertThatThrownBy(() -> TimeSeriesCsv.read(empty)).hasMessageContaining("empty file");
    assertThatThrownBy(() -> TimeSeriesCsv.read(dir.resolve("missing.csv")))
        .hasMessageEndingWith("missing.csv: no such file");
    Path shortRow = file("timestamp,value\n1392388200\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(shortRow))
        .hasMessageContaining(":2: expected 2 columns");
  }

  @Test
  void aFileThatCannotBeReadSaysWhyInWordsNotAnExceptionsName() throws Exception {
    assertThatThrownBy(() -> TimeSeriesCsv.read(dir))
        .hasMessage(dir + ": a directory; give a CSV file of timestamp,value rows");
    Path latin1 = dir.resolve("latin1.csv");
    Files.write(
        latin1, "timestamp,value\n1,2\n3,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> TimeSeriesCsv.read(latin1))
        .hasMessage(latin1 + ":3: not UTF-8 text; give a CSV file of timestamp,value rows");
    Path endless = file("timestamp,value\n" + "1".repeat(TimeSeriesCsv.MAX_LINE + 1));
    assertThatThrownBy(() -> TimeSeriesCsv.read(endless))
        .hasMessage(
            endless + ":2: longer than 4096 bytes; give a CSV file of timestamp,value rows");
    assertThat(TimeSeriesCsv.reason(new FileSystemException("/x", null, "Is a directory")))
        .isEqualTo("Is a directory");
  }

  @Test
  void anUnreadableFileSaysPermissionDenied() throws Exception {
    Path locked = file("timestamp,value\n1,2\n");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(locked), "root reads any file");
    assertThatThrownBy(() -> TimeSeriesCsv.read(locked))
        .hasMessage(locked + ": permission denied; give a file you may read");
  }

  @Test
  void rowsEndInCrLfOrLfAndATimestampBeyondYear9999IsOutOfRange() throws Exception {
    var rows = TimeSeriesCsv.read(file("timestamp,value\r\n1,2\r\n\r\n2,3"));
    assertThat(rows).extracting(TimeSeriesCsv.Row::value).containsExactly(2.0, 3.0);
    assertThat(rows).extracting(TimeSeriesCsv.Row::line).containsExactly(2, 4);
    Path far = file("timestamp,value\n+10000-01-01T00:00:00Z,1\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(far))
        .hasMessage(
            far + ":2: timestamp '+10000-01-01T00:00:00Z' is out of range: years 1 to 9999 only");
  }

  @Test
  void aRowOutOfTimeOrderOrATimestampRepeatedIsRefusedNamingBothLines() throws Exception {
    String rule =
        "': rows must be in time order, one row per timestamp (sort the file by its timestamp"
            + " column; merge rows of one time into one)";
    Path back = file("timestamp,value\n1392388200,1\n1392388500,2\n\n1392388400,3\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(back))
        .isInstanceOf(CsvInputException.class)
        .hasMessage(
            back + ":5: timestamp '1392388400' is earlier than line 3's '1392388500" + rule);
    // the same time in two forms is a repeat
    Path twice = file("timestamp,value\n2014-02-14T14:30:00Z,1\n1392388200,2\n");
    assertThatThrownBy(() -> TimeSeriesCsv.read(twice))
        .hasMessage(
            twice + ":3: timestamp '1392388200' repeats line 2's '2014-02-14T14:30:00Z" + rule);
  }
}
