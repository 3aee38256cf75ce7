package io.faultline.cli.history;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.analyzer.ResultCalculator;
import io.faultline.schema.Alert;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's history: its broker starts empty each run, so each run's final result and its alerts
 * are kept in the data directory ({@code history/<experimentId>.avro} and {@code
 * history/alerts/<alertId>.avro}, Avro single-object encoded) and the table is the analyzer's
 * rollup of all of them ({@link HistoryRollup#fold}, the stream's own function).
 */
public final class DemoHistory {

  private static final AvroSerde<ExperimentResult> RESULTS = AvroSerde.of(ExperimentResult.class);
  private static final AvroSerde<Alert> ALERTS = AvroSerde.of(Alert.class);
  private final Path dir;

  public DemoHistory(Path dir) {
    this.dir = dir;
  }

  public void add(ExperimentResult result, List<Alert> alerts) throws IOException {
    Files.createDirectories(dir.resolve("alerts"));
    Files.write(dir.resolve(result.getExperimentId() + ".avro"), RESULTS.encode(result));
    for (Alert a : alerts) {
      String file = a.getAlertId().replaceAll("[^A-Za-z0-9._-]", "_") + ".avro";
      Files.write(dir.resolve("alerts").resolve(file), ALERTS.encode(a));
    }
  }

  /** The results kept so far; a file that cannot be read is skipped. */
  public List<ExperimentResult> results() throws IOException {
    return read(dir, RESULTS);
  }

  /** The alerts kept so far. */
  public List<Alert> alerts() throws IOException {
    return read(dir.resolve("alerts"), ALERTS);
  }

  private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
      Path dir, AvroSerde<T> serde) throws IOException {
    List<T> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avro")).sorted().toList()) {
        try {
          out.add(serde.decode(Files.readAllBytes(f)));
        } catch (RuntimeException unreadable) {
          // an older or damaged file: not part of the history
        }
      }
    }
    return out;
  }

  /** The rollup of everything kept, by key ({@code service|week}, {@code service|all}). */
  public java.util.Map<String, io.faultline.schema.ServiceHistory> rollup() throws IOException {
    return HistoryRollup.fold(results(), alerts(), ResultCalculator.SeverityLevels.DEFAULTS);
  }

  public void print(String service, int weeks, PrintStream out) throws IOException {
    HistoryTable.printText(HistoryTable.select(rollup().values(), service, weeks), out);
  }
}
