package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 10,000 mutated experiment files (lines dropped, doubled, swapped, re-indented, values replaced by
 * junk, huge strings, negative or enormous numbers, files cut short): the parser never throws
 * anything but an {@link ExperimentFileException}, and every error it reports names a path and says
 * what is wrong.
 */
class ExperimentFileFuzzTest {

  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final int FILES = 10_000;
  private static final String[] JUNK = {
    "-5s",
    "0s",
    "999999h",
    "-1",
    "1e308",
    "NaN",
    "\"\"",
    "[]",
    "{}",
    "~",
    "x".repeat(5000),
    "control",
    "CONTROL",
    "percent:500",
    "fixed:-3",
    "kill-everything",
    "🙂",
    "'unclosed",
    ": :",
    "&anchor",
    "*alias",
    "!!binary AAAA",
    "0x7fffffffffffffff",
    "true",
    "null"
  };

  static String mutate(String text, Random r) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && !lines.isEmpty(); e++) {
      int i = r.nextInt(lines.size());
      switch (r.nextInt(7)) {
        case 0 -> lines.remove(i);
        case 1 -> lines.add(i, lines.get(i));
        case 2 -> {
          int j = r.nextInt(lines.size());
          String t = lines.get(i);
          lines.set(i, lines.get(j));
          lines.set(j, t);
        }
        case 3 -> lines.set(i, " ".repeat(r.nextInt(7)) + lines.get(i).strip());
        case 4 -> {
          String line = lines.get(i);
          int colon = line.indexOf(": ");
          lines.set(
              i,
              colon < 0
                  ? line + JUNK[r.nextInt(JUNK.length)]
                  : line.substring(0, colon + 2) + JUNK[r.nextInt(JUNK.length)]);
        }
        case 5 -> {
          String joined = String.join("\n", lines);
          return joined.substring(0, r.nextInt(joined.length() + 1));
        }
        default -> {
          byte[] noise = new byte[1 + r.nextInt(20)];
          r.nextBytes(noise);
          lines.add(i, new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
      }
    }
    return String.join("\n", lines);
  }

  @Test
  void tenThousandMutatedFilesGetOnlyNamedErrors() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(4);
    Random r = new Random(20261125);
    Map<String, Integer> outcomes = new HashMap<>();
    for (int n = 0; n < FILES; n++) {
      Path example = examples.get(n % examples.size());
      String mutated = mutate(Files.readString(example), r);
      try {
        ExperimentFileParser.parse("fuzz-" + n + ".yaml", mutated);
        outcomes.merge("accepted", 1, Integer::sum);
      } catch (ExperimentFileException e) {
        outcomes.merge("rejected", 1, Integer::sum);
        assertThat(e.errors()).as("file %d:%n%s", n, mutated).isNotEmpty();
        for (String error : e.errors()) {
          assertThat(error)
              .as("an error names where and what (file %d):%n%s", n, mutated)
              .matches("(?s)^[^\\s:][^:]*: .*\\S.*");
        }
      } catch (RuntimeException e) {
        throw new AssertionError(
            "file " + n + " (from " + example.getFileName() + ") threw " + e + ":\n" + mutated, e);
      }
    }
    System.out.println("mutated experiment files: " + outcomes);
    assertThat(outcomes.getOrDefault("rejected", 0)).isGreaterThan(FILES / 2);
  }
}
