package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** {@code faultline analyze} with the line a run saved by {@code --save-samples} printed. */
final class SavedRunAnalysis {

  private static final String PREFIX = "./faultline analyze ";

  private SavedRunAnalysis() {}

  /**
   * The printed line's arguments (README.txt in {@code saved}), its files taken from {@code saved}
   * whatever directory the line names, then {@code more}.
   */
  static List<String> printedArgs(Path saved, String... more) throws Exception {
    String line =
        Files.readAllLines(saved.resolve("README.txt")).stream()
            .filter(l -> l.startsWith(PREFIX))
            .findFirst()
            .orElseThrow();
    List<String> args = new ArrayList<>();
    for (String arg : line.substring(PREFIX.length()).split(" ")) {
      args.add(arg.contains(".csv") ? saved.resolve(Path.of(arg).getFileName()).toString() : arg);
    }
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Runs {@code analyze} with {@code args} and {@code --output json}: its JSON, its exit code in.
   */
  static JsonNode analyze(List<String> args, Integer... codes) throws Exception {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--output", "json"));
    AnalyzeCommand analyze = new AnalyzeCommand();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    analyze.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    analyze.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = new CommandLine(analyze).execute(all.toArray(String[]::new));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isIn((Object[]) codes);
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }
}
