package io.faultline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs every benchmark, each in a child JVM of its own (so one's heap and threads do not slow the
 * next), shows their progress, and writes docs/performance.md (the Markdown each bench printed,
 * with the command that reproduces it, and the scale-out estimate) and a JSON file of every result
 * line. A bench prints Markdown on stdout and one JSON object per result line ({@code {"bench":
 * ...}}); logs go to stderr.
 *
 * <p>Usage: {@code BenchSuite [--only a,b] [--skip a,b] [--out docs/performance.md] [--json
 * bench/target/bench-results.json]}
 */
public final class BenchSuite {

  /** One benchmark: its name, what it measures, its main class and arguments, its time limit. */
  record Bench(
      String name, String title, String what, String mainClass, List<String> args, int minutes) {}

  static final List<Bench> ALL =
      List.of(
          new Bench(
              "command",
              "Command to fault",
              "Publish of a `pause-process` command to its STARTED event, against a bare"
                  + " produce-to-consume round trip on the same broker in the same run.",
              "io.faultline.bench.CommandLatencyBench",
              List.of("200"),
              5),
          new Bench(
              "halt",
              "Halt",
              "HALT_ALL to the last ROLLED_BACK with 1, 20 and 100 active attacks, and a check that"
                  + " every paused process runs again.",
              "io.faultline.bench.HaltBench",
              List.of(),
              5),
          new Bench(
              "analyzer",
              "Analyzer throughput and latency",
              "100,000 samples (at least 20 per key) over 10, 1,000, 10,000 and 100,000 keys, at"
                  + " least 10 per key and window of 1 s, through the full topology with"
                  + " exactly-once, against a bare KafkaConsumer loop over the same records in the"
                  + " same run; then the time from a window's end to its WindowVerdict.",
              "io.faultline.bench.AnalyzerThroughputBench",
              List.of("100000", "10,1000,10000,100000"),
              20),
          new Bench(
              "detection",
              "Detection delay and false alarms",
              "Simulated telemetry with faults of known size and start, dense and sparse: windows"
                  + " from fault start to detection and false alarms per run for the e-detector (ADR"
                  + " 0010), the per-window tests it replaced (ADR 0006), a CloudWatch-style 3-of-5"
                  + " static-threshold alarm, a 3-sigma rule and the end-of-run Mann-Whitney"
                  + " judgement, in the same run.",
              "io.faultline.bench.DetectionBench",
              List.of("200"),
              5),
          new Bench(
              "stats",
              "Statistics core alone",
              "Summaries, sketches, the window-store round trip and sequential-test updates per"
                  + " second, one thread (a plain harness: best of five after three warm-ups).",
              "io.faultline.bench.StatsCoreBench",
              List.of(),
              3),
          new Bench(
              "collector",
              "Collector",
              "The HTTP probe's achieved vs requested rate, its latency overhead against a server"
                  + " with a known delay, and samples per second into Kafka.",
              "io.faultline.bench.CollectorBench",
              List.of("5"),
              5),
          new Bench(
              "footprint",
              "Agent footprint",
              "The attack agent as a child JVM (as an operator runs it): CPU, RSS, heap and threads"
                  + " from /proc and jcmd, idle for 30 s and holding 20 active attacks for 30 s, after 20 s to settle.",
              "io.faultline.bench.AgentFootprintBench",
              List.of("30"),
              6),
          new Bench(
              "proxy",
              "Impairment proxy overhead",
              "An unimpaired ImpairmentProxy in front of a loopback server against the same server"
                  + " straight, in the same run: round trips and bulk throughput.",
              "io.faultline.bench.ProxyBench",
              List.of("5000", "256"),
              4),
          new Bench(
              "demo",
              "Demo wall time",
              "`faultline demo` with its default phases, from start to verdict.",
              "io.faultline.bench.DemoWallTimeBench",
              List.of("cli/target/faultline-cli.jar"),
              8));

  private BenchSuite() {}

  public static void main(String[] args) throws Exception {
    Set<String> only = new LinkedHashSet<>();
    Set<String> skip = new LinkedHashSet<>();
    Path out = Path.of("docs/performance.md");
    Path json = Path.of("bench/target/bench-results.json");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--only" -> only.addAll(List.of(args[++i].split(",")));
        case "--skip" -> skip.addAll(List.of(args[++i].split(",")));
        case "--out" -> out = Path.of(args[++i]);
        case "--json" -> json = Path.of(args[++i]);
        case "--help", "-h" -> {
          System.out.println(
              "Usage: BenchSuite [--only a,b] [--skip a,b] [--out docs/performance.md]"
                  + " [--json bench/target/bench-results.json]\nBenches: "
                  + ALL.stream().map(Bench::name).toList());
          return;
        }
        default -> {
          System.err.println("BenchSuite: unknown argument '" + args[i] + "'; see --help");
          System.exit(2);
        }
      }
    }
    for (String name : union(only, skip)) {
      if (ALL.stream().noneMatch(b -> b.name().equals(name))) {
        System.err.println(
            "BenchSuite: no bench named '"
                + name
                + "'; benches: "
                + ALL.stream().map(Bench::name).toList());
        System.exit(2);
      }
    }
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode results = mapper.createArrayNode();
    StringBuilder md = new StringBuilder();
    long suiteBegin = System.nanoTime();
    List<Bench> chosen =
        ALL.stream()
            .filter(b -> only.isEmpty() || only.contains(b.name()))
            .filter(b -> !skip.contains(b.name()))
            .toList();
    int index = 0;
    for (Bench bench : chosen) {
      index++;
      System.err.printf(
          Locale.ROOT,
          "[%d/%d] %s (%s) ... elapsed %.0f s%n",
          index,
          chosen.size(),
          bench.title(),
          bench.name(),
          (System.nanoTime() - suiteBegin) / 1e9);
      Run run = run(bench);
      md.append("## ").append(bench.title()).append("\n\n").append(bench.what()).append("\n\n");
      md.append("```\n").append(command(bench)).append("\n```\n\n");
      if (run.exit() != 0) {
        md.append("**This run failed** (exit ").append(run.exit()).append(").\n\n");
      }
      md.append(String.join("\n", run.markdown()).strip()).append("\n\n");
      for (String line : run.json()) {
        try {
          JsonNode node = mapper.readTree(line);
          if (node instanceof ObjectNode o) {
            o.put("seconds_in_suite", run.seconds());
          }
          results.add(node);
        } catch (Exception e) {
          System.err.println("  ignoring a result line that is not JSON: " + line);
        }
      }
      System.err.printf(Locale.ROOT, "      done in %.0f s (exit %d)%n", run.seconds(), run.exit());
    }
    double total = (System.nanoTime() - suiteBegin) / 1e9;
    String doc = document(md.toString(), results, total, chosen.size() == ALL.size());
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, doc);
    Files.createDirectories(json.toAbsolutePath().getParent());
    Files.writeString(json, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    System.err.printf(Locale.ROOT, "wrote %s and %s in %.0f s%n", out, json, total);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new LinkedHashSet<>(a);
    u.addAll(b);
    return u;
  }

  record Run(int exit, double seconds, List<String> markdown, List<String> json) {}

  private static Run run(Bench bench) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dlogback.configurationFile=faultline-bench-logback.xml"); // logs to stderr
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(bench.mainClass());
    command.addAll(bench.args());
    long begin = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> markdown = new ArrayList<>();
    List<String> json = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  System.err.println("  " + bench.name() + "> " + line);
                  if (line.startsWith("{\"bench\"")) {
                    json.add(line);
                  } else {
                    markdown.add(line);
                  }
                }
              } catch (Exception e) {
                markdown.add("(output lost: " + e + ")");
              }
            },
            "bench-output-" + bench.name());
    reader.start();
    boolean finished = p.waitFor(bench.minutes(), TimeUnit.MINUTES);
    if (!finished) {
      p.destroyForcibly();
      markdown.add("(stopped after its limit of " + bench.minutes() + " minutes)");
    }
    reader.join(5000);
    return new Run(
        finished ? p.exitValue() : -1, (System.nanoTime() - begin) / 1e9, markdown, json);
  }

  static String command(Bench bench) {
    return "java -Dlogback.configurationFile=faultline-bench-logback.xml"
        + " -cp \"bench/target/faultline-bench.jar:bench/target/lib/*\" "
        + bench.mainClass()
        + (bench.args().isEmpty() ? "" : " " + String.join(" ", bench.args()));
  }

  private static String document(String sections, ArrayNode results, double seconds, boolean all) {
    StringBuilder d = new StringBuilder();
    d.append("# Performance\n\n");
    d.append(
        "Generated by `bench/run` (the whole suite, one command) on "
            + Instant.now().toString().substring(0, 10)
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, Java "
            + System.getProperty("java.version")
            + (all ? "" : "; a partial run (`--only`/`--skip`)")
            + String.format(Locale.ROOT, "; the suite took %.0f s.", seconds)
            + " Figures are ratios against a baseline measured in the same run where a baseline"
            + " exists; absolute times vary with the machine's load. Raw results:"
            + " bench/target/bench-results.json.\n\n");
    d.append(sections);
    d.append(ScaleOut.section(results));
    return d.toString();
  }
}
