package io.faultline.analyzer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
                    + "2014-02-14 14:30:00,2\n"
                    + "1392388200,3\n"
                    + "1392388200000,4\n"
                    + "\"2014-02-14T15:30:00+01:00\",\"5.5\"\n"));
    long expected = Instant.parse("2014-02-14T14:30:00Z").toEpochMilli();
    assertThat(rows).extracting(TimeSeriesCsv.Row::epochMs).containsOnly(expected);
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
}
