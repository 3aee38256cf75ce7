package io.faultline.cli.history;

import io.faultline.analyzer.HistoryRollup;
import io.faultline.analyzer.ResultCalculator;
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
 * The demo's history: its broker starts empty each run, so each run's final result is kept in the
 * data directory ({@code history/<experimentId>.avro}, Avro single-object encoded) and the table is
 * the analyzer's rollup of all of them ({@link HistoryRollup#fold}, the stream's own function).
 */
public final class DemoHistory {

  private static final AvroSerde<ExperimentResult> RESULTS = AvroSerde.of(ExperimentResult.class);
  private final Path dir;

  public DemoHistory(Path dir) {
    this.dir = dir;
  }

  public void add(ExperimentResult result) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(result.getExperimentId() + ".avro"), RESULTS.encode(result));
  }

  /** The results kept so far; a file that cannot be read is skipped. */
  public List<ExperimentResult> results() throws IOException {
    List<ExperimentResult> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".avro")).sorted().toList()) {
        try {
          out.add(RESULTS.decode(Files.readAllBytes(f)));
        } catch (RuntimeException unreadable) {
          // an older or damaged file: not part of the history
        }
      }
    }
    return out;
  }

  public void print(String service, int weeks, PrintStream out) throws IOException {
    var rolled = HistoryRollup.fold(results(), ResultCalculator.SeverityLevels.DEFAULTS);
    HistoryTable.printText(HistoryTable.select(rolled.values(), service, weeks), out);
  }
}
