package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Path csv(String name, long start, int shiftAt, double factor, boolean isoSpace)
      throws Exception {
    Random random = new Random(name.hashCode());
    StringBuilder b = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 200; i++) {
      Instant t = Instant.ofEpochSecond(start + i * 300L);
      String ts =
          isoSpace
              ? t.toString().replace("T", " ").replace("Z", "")
              : Long.toString(t.getEpochSecond());
      double v = (100 + 5 * random.nextGaussian()) * (i >= shiftAt ? factor : 1);
      b.append(ts).append(',').append(String.format(Locale.ROOT, "%.3f", v)).append('\n');
    }
    Path f = dir.resolve(name);
    Files.writeString(f, b);
    return f;
  }

  private int run(String... args) {
    AnalyzeCommand command = new AnalyzeCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute(args);
  }

  @Test
  void deviationExitsOneWithTheRowItWasDeclaredAt() throws Exception {
    Path control = csv("control.csv", 1392388200L, 1000, 1, true);
    Path experiment = csv("experiment.csv", 1393632000L, 120, 1.5, false);
    int code =
        run(
            "--control",
            control.toString(),
            "--experiment",
            experiment.toString(),
            "--output",
            "json");
    assertThat(code).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.get("verdict").asText()).isEqualTo("deviation");
    Instant detected = Instant.parse(json.get("detected_at").asText());
    Instant shift = Instant.ofEpochSecond(1393632000L + 120 * 300L);
    assertThat(detected).isBetween(shift, shift.plusSeconds(12 * 300L));
    assertThat(json.get("classification").asText()).isIn("HIGH", "PASS");
    assertThat(json.get("windows").isArray()).isTrue();
    assertThat(json.get("windows").size()).isEqualTo(20);
    assertThat(json.get("windows").get(15).get("state").asText()).isEqualTo("DEVIATING");
  }

  @Test
  void steadyDataExitsZero() throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    Path experiment = csv("e.csv", 1392388200L, 1000, 1, true);
    assertThat(
            run(
                "--control",
                control.toString(),
                "--experiment",
                experiment.toString(),
                "--output",
                "json"))
        .isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.get("verdict").asText()).isEqualTo("no_deviation");
    assertThat(json.get("detected_at").isNull()).isTrue();
    assertThat(json.get("classification").asText()).isEqualTo("PASS");
  }

  @Test
  void badInputExitsTwoNamingFileAndLine() throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "timestamp,value\n1392388200,1\n1392388500,oops\n");
    assertThat(run("--control", control.toString(), "--experiment", bad.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(bad + ":3: value 'oops' is not a number");
    for (String[] option :
        new String[][] {
          {"--direction", "up", "--direction 'up': must be increase, decrease or either"},
          {"--tolerance", "NaN", "--tolerance NaN: must be >= 0"},
          {"--datapoint", "0s", "--datapoint: must be at least 1ms"},
          {"--warmup", "1", "--warmup 1: must be at least 2 datapoints"},
          {"--horizon", "0", "--horizon 0: must be at least 1"}
        }) {
      String c = control.toString();
      assertThat(run("--control", c, "--experiment", c, option[0], option[1])).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains(option[2]);
    }
  }

  @Test
  void textOutputEndsWithTheVerdict() throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    Path experiment = csv("e.csv", 1392388200L, 50, 2.0, false);
    assertThat(
            run(
                "--control",
                control.toString(),
                "--experiment",
                experiment.toString(),
                "--metric",
                "latency"))
        .isEqualTo(1);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("latency: control 200 rows");
    assertThat(text).contains("Mann-Whitney at 98% confidence: HIGH");
    assertThat(text.strip()).endsWith("VERDICT: deviation");
  }

  private JsonNode analyze(Path control, Path experiment, String engine, String... more)
      throws Exception {
    out.reset();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--control",
                control.toString(),
                "--experiment",
                experiment.toString(),
                "--tolerance",
                "0.1",
                "--engine",
                engine,
                "--format",
                "json"));
    args.addAll(List.of(more));
    run(args.toArray(String[]::new));
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  /** 10 s rows (CloudWatch-like resolution), lognormal spread 25%, doubled from row shiftAt. */
  private Path sparse(String name, long start, int shiftAt, long seed) throws Exception {
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 180; i++) {
      double v = 40 * Math.exp(0.25 * random.nextGaussian()) * (i >= shiftAt ? 2 : 1);
      b.append(start + i * 10L).append(',').append(String.format(Locale.ROOT, "%.3f", v));
      b.append('\n');
    }
    Path f = dir.resolve(name);
    Files.writeString(f, b);
    return f;
  }

  @Test
  void theStreamEngineAgreesWithTheOfflineEngineOnVerdictAndDetectionRow() throws Exception {
    // the case: 10 s rows, latency doubled for the last part of the run
    Path control = sparse("sc.csv", 1_700_000_000L, 1000, 1);
    Path faulty = sparse("se.csv", 1_700_000_000L, 66, 2);
    JsonNode offline = analyze(control, faulty, "offline");
    JsonNode stream = analyze(control, faulty, "stream");
    assertThat(offline.get("verdict").asText()).isEqualTo("deviation");
    assertThat(stream.get("verdict").asText()).isEqualTo(offline.get("verdict").asText());
    assertThat(stream.get("detected_at_line").asInt())
        .isEqualTo(offline.get("detected_at_line").asInt());
    assertThat(stream.get("detected_at").asText()).isEqualTo(offline.get("detected_at").asText());
    assertThat(offline.get("change_point").asText()).isNotEmpty();
    assertThat(stream.get("change_point").asText()).isEqualTo(offline.get("change_point").asText());
    assertThat(stream.get("sequential").get("engine").asText()).isEqualTo("stream");
    // and on steady data both say no deviation
    Path steady = sparse("ss.csv", 1_700_000_000L, 1000, 3);
    assertThat(analyze(control, steady, "offline").get("verdict").asText())
        .isEqualTo("no_deviation");
    assertThat(analyze(control, steady, "stream").get("verdict").asText())
        .isEqualTo("no_deviation");
  }

  @Test
  void theStreamEngineJudgesTheTailAndTheSpreadAsTheOfflineEngineDoes() throws Exception {
    Path control = sparse("tc.csv", 1_700_000_000L, 1000, 4);
    Path faulty = sparse("te.csv", 1_700_000_000L, 66, 5);
    JsonNode offline = analyze(control, faulty, "offline", "--statistic", "p99");
    JsonNode stream = analyze(control, faulty, "stream", "--statistic", "p99");
    assertThat(offline.get("verdict").asText()).as("the tail doubled too").isEqualTo("deviation");
    assertThat(stream.get("verdict").asText()).isEqualTo("deviation");
    assertThat(stream.get("detected_at_line").asInt())
        .isEqualTo(offline.get("detected_at_line").asInt());
    assertThat(stream.get("sequential").get("statistics").get(0).asText()).isEqualTo("p99");
    Path steady = sparse("ts.csv", 1_700_000_000L, 1000, 6);
    assertThat(analyze(control, steady, "stream", "--statistic", "p99").get("verdict").asText())
        .isEqualTo("no_deviation");
  }

  @Test
  void aSpreadAskedWithTheMeanOfOneRowPerIntervalIsSaidNotJudgedByBothEngines() throws Exception {
    Path control = sparse("wc.csv", 1_700_000_000L, 1000, 11);
    Path experiment = sparse("we.csv", 1_700_000_000L, 1000, 12);
    for (String engine : List.of("offline", "stream")) {
      JsonNode spread = analyze(control, experiment, engine, "--statistic", "mean,spread");
      assertThat(spread.get("warnings")).as(engine).hasSize(1);
      assertThat(spread.get("warnings").get(0).asText())
          .startsWith("--statistic spread was not judged")
          .contains("(one row interval, 10s)")
          .contains("ask --statistic spread alone");
      assertThat(analyze(control, experiment, engine).get("warnings")).as(engine).isEmpty();
    }
    out.reset();
    run(
        "--control",
        control.toString(),
        "--experiment",
        experiment.toString(),
        "--statistic",
        "mean,spread");
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("warning: --statistic spread was not judged");
    assertThat(text.indexOf("warning:")).isLessThan(text.indexOf("VERDICT"));
  }

  /** 10 s rows, normal, sd 10 around 100, the sd times {@code factor} from row shiftAt. */
  private Path spreadRows(String name, int shiftAt, double factor, long seed) throws Exception {
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 180; i++) {
      double v = 100 + 10 * random.nextGaussian() * (i >= shiftAt ? factor : 1);
      b.append(1_700_000_000L + i * 10L).append(',');
      b.append(String.format(Locale.ROOT, "%.3f", v)).append('\n');
    }
    Path f = dir.resolve(name);
    Files.writeString(f, b);
    return f;
  }

  @Test
  void theSpreadAskedAloneOfOneRowPerIntervalIsJudgedAlikeByBothEngines() throws Exception {
    Path control = spreadRows("oc.csv", 1000, 1, 21);
    Path wider = spreadRows("oe.csv", 66, 5, 22);
    JsonNode offline = analyze(control, wider, "offline", "--statistic", "spread");
    JsonNode stream = analyze(control, wider, "stream", "--statistic", "spread");
    assertThat(offline.get("warnings")).isEmpty();
    assertThat(stream.get("warnings")).isEmpty();
    assertThat(offline.get("verdict").asText()).as("sd x5 from row 66").isEqualTo("deviation");
    assertThat(stream.get("verdict").asText()).isEqualTo("deviation");
    assertThat(offline.get("detected_at_line").asInt()).isGreaterThan(66);
    assertThat(stream.get("detected_at_line").asInt())
        .isEqualTo(offline.get("detected_at_line").asInt());
    assertThat(stream.get("sequential").get("statistics").get(0).asText()).isEqualTo("spread");
    Path steady = spreadRows("os.csv", 1000, 1, 23);
    for (String engine : List.of("offline", "stream")) {
      JsonNode same = analyze(control, steady, engine, "--statistic", "spread");
      assertThat(same.get("verdict").asText()).as(engine).isEqualTo("no_deviation");
      assertThat(same.get("warnings")).as(engine).isEmpty();
    }
  }

  @Test
  void aTailAskedOfOneRowPerIntervalIsSaidJudgedOnTheRowsByBothEngines() throws Exception {
    Path control = sparse("pc.csv", 1_700_000_000L, 1000, 13);
    Path experiment = sparse("pe.csv", 1_700_000_000L, 1000, 14);
    for (String engine : List.of("offline", "stream")) {
      JsonNode tail = analyze(control, experiment, engine, "--statistic", "p99");
      assertThat(tail.get("warnings")).as(engine).hasSize(1);
      assertThat(tail.get("warnings").get(0).asText())
          .startsWith("--statistic p99 was judged on the rows themselves")
          .contains("(one row interval, 10s)")
          .contains("if each row already is a p99,")
          .contains("--statistic mean");
      assertThat(analyze(control, experiment, engine, "--statistic", "mean").get("warnings"))
          .as(engine)
          .isEmpty();
    }
  }

  @Test
  void anAttackStartAnchorsBothEnginesAlike() throws Exception {
    // the fault is injected at row 66; told so, both engines anchor an e-process there
    Path control = sparse("ac.csv", 1_700_000_000L, 1000, 7);
    Path faulty = sparse("ae.csv", 1_700_000_000L, 66, 8);
    String start = Long.toString(1_700_000_000L + 660);
    JsonNode plain = analyze(control, faulty, "offline");
    JsonNode offline = analyze(control, faulty, "offline", "--attack-start", start);
    JsonNode stream = analyze(control, faulty, "stream", "--attack-start", start);
    assertThat(offline.get("verdict").asText()).isEqualTo("deviation");
    assertThat(stream.get("verdict").asText()).isEqualTo("deviation");
    assertThat(stream.get("detected_at_line").asInt())
        .isEqualTo(offline.get("detected_at_line").asInt());
    assertThat(offline.get("detected_at_line").asInt())
        .isLessThanOrEqualTo(plain.get("detected_at_line").asInt());
    Path steady = sparse("as.csv", 1_700_000_000L, 1000, 9);
    assertThat(analyze(control, steady, "offline", "--attack-start", start).get("verdict").asText())
        .isEqualTo("no_deviation");
    assertThat(analyze(control, steady, "stream", "--attack-start", start).get("verdict").asText())
        .isEqualTo("no_deviation");
  }

  @Test
  void aBadAttackStartExitsTwoNamingTheOption() throws Exception {
    Path control = sparse("bc.csv", 1_700_000_000L, 1000, 10);
    int code =
        run(
            "--control",
            control.toString(),
            "--experiment",
            control.toString(),
            "--attack-start",
            "yesterday");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--attack-start 'yesterday'");
  }

  @Test
  void aSeriesWithoutRowsExitsTwoNamingTheFileInsteadOfAVerdict() throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    Path empty = Files.writeString(dir.resolve("empty.csv"), "timestamp,value\n");
    assertThat(run("--control", control.toString(), "--experiment", empty.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "faultline analyze: "
                + empty
                + ": no rows: after the header 'timestamp,value', one row per sample");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("VERDICT");
  }

  @Test
  void aFileThatIsNotSuchACsvExitsTwoWithOneLineNamingTheFileTheRowAndTheField() throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    Path binary = dir.resolve("binary.csv");
    Files.write(binary, "time,value\n\u00ff\u00fe\n".getBytes(StandardCharsets.ISO_8859_1));
    Object[][] cases = {
      {dir, dir + ": a directory; give a CSV file of timestamp,value rows"},
      {dir.resolve("absent.csv"), dir.resolve("absent.csv") + ": no such file"},
      {
        Files.writeString(dir.resolve("empty.csv"), ""),
        dir.resolve("empty.csv") + ": empty file; expected a header line 'timestamp,value'"
      },
      {
        Files.writeString(dir.resolve("row.csv"), "timestamp,value\n1392388200,1\n1392388500,\n"),
        dir.resolve("row.csv") + ":3: value '' is not a number"
      },
      {
        Files.writeString(dir.resolve("far.csv"), "timestamp,value\n1,1\n99999999999999999999,1\n"),
        dir.resolve("far.csv")
            + ":3: timestamp '99999999999999999999' is out of range: years 1 to 9999 only"
      },
      {binary, binary + ":2: not UTF-8 text; give a CSV file of timestamp,value rows"}
    };
    for (Object[] c : cases) {
      out.reset();
      err.reset();
      assertThat(run("--control", c[0].toString(), "--experiment", control.toString()))
          .as(c[1].toString())
          .isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .isEqualTo("faultline analyze: " + c[1] + "\n");
      assertThat(out.size()).isZero();
    }
  }

  @Test
  void rowsOutOfTimeOrderOrARepeatedTimestampExitTwoWithTheSameLineFromBothEngines()
      throws Exception {
    Path control = csv("c.csv", 1392388200L, 1000, 1, false);
    List<String> rows =
        new ArrayList<>(Files.readAllLines(csv("e.csv", 1392388200L, 120, 1.5, false)));
    List<String> swapped = new ArrayList<>(rows);
    swapped.set(50, rows.get(51));
    swapped.set(51, rows.get(50));
    Path unsorted = Files.write(dir.resolve("unsorted.csv"), swapped);
    List<String> repeated = new ArrayList<>(rows);
    repeated.add(81, rows.get(80).split(",")[0] + ",100.0");
    Path twice = Files.write(dir.resolve("twice.csv"), repeated);
    String rule =
        ": rows must be in time order, one row per timestamp (sort the file by its timestamp"
            + " column; merge rows of one time into one)";
    String t50 = rows.get(50).split(",")[0];
    String t51 = rows.get(51).split(",")[0];
    String t80 = rows.get(80).split(",")[0];
    Object[][] cases = {
      {unsorted, unsorted + ":52: timestamp '" + t50 + "' is earlier than line 51's '" + t51 + "'"},
      {twice, twice + ":82: timestamp '" + t80 + "' repeats line 81's '" + t80 + "'"}
    };
    for (Object[] c : cases) {
      for (String engine : List.of("offline", "stream")) {
        out.reset();
        err.reset();
        int code =
            run(
                "--control",
                control.toString(),
                "--experiment",
                c[0].toString(),
                "--engine",
                engine);
        assertThat(code).as(engine + " " + c[0]).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
            .as(engine)
            .isEqualTo("faultline analyze: " + c[1] + rule + "\n");
        assertThat(out.size()).as("no verdict").isZero();
      }
    }
  }

  /**
   * Real telemetry (docs/adr/0068): a queue depth of 0-3 (integers, mostly zeros) at one row per 10
   * s, the experimental group's rows missing in about a fifth of the windows and in 5 minutes in a
   * row, its mean doubled from row shiftAt.
   */
  private Path queueDepth(String name, long start, int shiftAt, long seed, boolean gaps)
      throws Exception {
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 360; i++) {
      double lambda = 0.6 * (i >= shiftAt ? 2 : 1);
      // Poisson by inversion, capped at 3
      int k = 0;
      double p = Math.exp(-lambda);
      double u = random.nextDouble() - p;
      while (u > 0 && k < 3) {
        k++;
        p *= lambda / k;
        u -= p;
      }
      boolean missing = random.nextDouble() < 0.2 || (i >= 180 && i < 210);
      if (gaps && missing) {
        continue;
      }
      b.append(start + i * 10L).append(',').append(k).append('\n');
    }
    Path f = dir.resolve(name);
    Files.writeString(f, b);
    return f;
  }

  @Test
  void aGappyIntegerQueueDepthGetsTheSameVerdictFromBothEngines() throws Exception {
    Path control = queueDepth("qc.csv", 1_700_000_000L, 1000, 7, false);
    Path faulty = queueDepth("qe.csv", 1_700_000_000L, 240, 8, true);
    JsonNode offline = analyze(control, faulty, "offline");
    JsonNode stream = analyze(control, faulty, "stream");
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Exception");
    assertThat(offline.get("verdict").asText()).isEqualTo("deviation");
    assertThat(stream.get("verdict").asText()).isEqualTo(offline.get("verdict").asText());
    assertThat(stream.get("detected_at_line").asInt())
        .isEqualTo(offline.get("detected_at_line").asInt());
    Path steady = queueDepth("qs.csv", 1_700_000_000L, 1000, 9, true);
    assertThat(analyze(control, steady, "offline").get("verdict").asText())
        .isEqualTo("no_deviation");
    assertThat(analyze(control, steady, "stream").get("verdict").asText())
        .isEqualTo("no_deviation");
  }
}
