package io.faultline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.faultline.analyzer.offline.CsvInputException;
import io.faultline.analyzer.offline.OfflineAnalysis;
import io.faultline.analyzer.offline.TimeSeriesCsv;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.Durations;
import io.faultline.schema.InvalidRecordException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code faultline analyze}: the analyzer's statistics over recorded CSV files, offline. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    header = "Judge two recorded CSV series offline: did the experimental one deviate?",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:no deviation", "1:deviation found", ExitCodes.USAGE_OR_ERROR_OFFLINE},
    description = {
      "Judge recorded data offline with the streaming analyzer's own judgement: an e-detector",
      "that pools the evidence since the change, row interval by row interval (docs/adr/0010),",
      "the estimated change point with the effect since then, a table per window, and a",
      "Kayenta-style Mann-Whitney classification of the whole run. CSV files have a header and",
      "timestamp,value rows;",
      "timestamps are ISO-8601 (2014-02-14T14:30:00Z, or 2014-02-14 14:30:00 as UTC) or epoch",
      "seconds or milliseconds, in time order, one row per timestamp. Rows are aligned by their",
      "offset from each file's first row."
    })
public final class AnalyzeCommand implements Callable<Integer> {

  @Option(names = "--control", required = true, description = "CSV of the control group.")
  Path control;

  @Option(names = "--experiment", required = true, description = "CSV of the experimental group.")
  Path experiment;

  @Option(
      names = "--metric",
      description = "Name of the metric, for the output (default: ${DEFAULT-VALUE}).")
  String metric = "value";

  @Option(
      names = "--direction",
      description =
          "Which change is bad: increase, decrease or either (default: ${DEFAULT-VALUE}).")
  String direction = "increase";

  @Option(
      names = "--tolerance",
      description =
          "Tolerated change, as a fraction of the control mean (default: ${DEFAULT-VALUE}).")
  double tolerance = 0.25;

  @Option(
      names = "--confidence",
      description = "Confidence level of the Mann-Whitney interval (default: ${DEFAULT-VALUE}).")
  double confidence = 0.98;

  @Option(
      names = "--alpha",
      description = "False-alarm bound of the sequential test (default: ${DEFAULT-VALUE}).")
  double alpha = 0.05;

  @Option(
      names = "--window",
      description = "Window of the per-window table, e.g. 5m (default: ten row intervals).")
  String window;

  @Option(
      names = "--statistic",
      split = ",",
      description =
          "What to judge: mean, p99 or spread, or several comma-separated (default: mean).")
  List<String> statistic = new ArrayList<>(List.of("mean"));

  @Option(
      names = "--attack-start",
      paramLabel = "TIME",
      description =
          "When the fault was injected, in the experiment file's time (a timestamp as in the"
              + " files): the warm-up learns only from before it, and half the false-alarm"
              + " budget goes to the evidence since it (docs/adr/0037). Default: unknown.")
  String attackStart;

  @Option(
      names = "--datapoint",
      description =
          "The span of one datapoint, e.g. 5s: every row in it counts together, as in a streaming"
              + " analyzer's window (default: the typical gap between the experiment's rows).")
  String datapoint;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description =
          "Datapoints the steady state is learned from (at least 2; with --attack-start, none from"
              + " after it) (default: a fifth of them, 5 to 30).")
  Integer warmUp;

  @Option(
      names = "--horizon",
      paramLabel = "N",
      description =
          "Judged datapoints the false-alarm bound is planned over, as the analyzer's"
              + " analyzer.horizon.windows (default: the judged datapoints of the files).")
  Long horizon;

  @Option(
      names = "--engine",
      description =
          "offline (the judgement as a function over the rows) or stream (the rows replayed"
              + " through the streaming analyzer's topology); both give the same verdict"
              + " (default: ${DEFAULT-VALUE}).")
  String engine = "offline";

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String format = "text";

  // the option's name before every command said --output; kept, out of the help
  @Option(names = "--format", paramLabel = "FORMAT", hidden = true)
  void formatAlias(String value) {
    format = value;
  }

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    OfflineAnalysis.Result result;
    try {
      if (!format.equals("text") && !format.equals("json")) {
        throw new IllegalArgumentException("--output '" + format + "': must be text or json");
      }
      OfflineAnalysis.Options options =
          new OfflineAnalysis.Options(
              direction(direction),
              tolerance,
              confidence,
              alpha,
              window == null ? null : Durations.parse("--window", window),
              statistics(statistic),
              attackStart == null ? null : TimeSeriesCsv.parseTime("--attack-start", attackStart),
              datapoint == null ? null : Durations.parse("--datapoint", datapoint),
              warmUp,
              horizon);
      if (!engine.equals("offline") && !engine.equals("stream")) {
        throw new IllegalArgumentException("--engine '" + engine + "': must be offline or stream");
      }
      var controlRows = TimeSeriesCsv.read(control);
      var experimentRows = TimeSeriesCsv.read(experiment);
      for (var series :
          List.of(Map.entry(control, controlRows), Map.entry(experiment, experimentRows))) {
        if (series.getValue().isEmpty()) {
          throw new CsvInputException(
              series.getKey(),
              0,
              "no rows: after the header 'timestamp,value', one row per sample");
        }
      }
      result =
          engine.equals("stream")
              ? StreamReplay.run(controlRows, experimentRows, options)
              : OfflineAnalysis.run(controlRows, experimentRows, options);
    } catch (CsvInputException | IllegalArgumentException | InvalidRecordException e) {
      err.println("faultline analyze: " + e.getMessage());
      return 2;
    }
    if (format.equals("json")) {
      printJson(result);
    } else {
      printText(result);
    }
    return result.deviation() ? 1 : 0;
  }

  private static List<Statistic> statistics(List<String> texts) {
    List<Statistic> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(Statistic.parse(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + e.getMessage());
      }
    }
    return out;
  }

  private static Direction direction(String text) {
    try {
      return Direction.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--direction '" + text + "': must be increase, decrease or either");
    }
  }

  private void printJson(OfflineAnalysis.Result r) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("metric", metric);
    json.put("verdict", r.deviation() ? "deviation" : "no_deviation");
    json.put(
        "detected_at",
        r.detectedAtMs() == null ? null : Instant.ofEpochMilli(r.detectedAtMs()).toString());
    json.put("detected_at_line", r.detectedAtLine());
    json.put(
        "change_point",
        r.changePointMs() == null ? null : Instant.ofEpochMilli(r.changePointMs()).toString());
    Map<String, Object> effect = new LinkedHashMap<>();
    effect.put("relative", finite(r.effect()));
    effect.put("lower", finite(r.effectLow()));
    effect.put("upper", finite(r.effectHigh()));
    json.put("effect", r.deviation() ? effect : null);
    json.put("classification", r.classification().classification().name());
    Map<String, Object> mw = new LinkedHashMap<>();
    mw.put("confidence", confidence);
    mw.put("tolerance", tolerance);
    mw.put("estimate", finite(r.classification().estimate()));
    mw.put("lower", finite(r.classification().lower()));
    mw.put("upper", finite(r.classification().upper()));
    mw.put("allowed", finite(r.classification().allowed()));
    json.put("mann_whitney", mw);
    Map<String, Object> seq = new LinkedHashMap<>();
    seq.put("test", "e-detector");
    seq.put("engine", engine);
    seq.put("alpha", alpha);
    seq.put("direction", direction.toLowerCase(Locale.ROOT));
    seq.put("statistics", statistic.stream().map(x -> x.strip().toLowerCase(Locale.ROOT)).toList());
    seq.put("datapoint", Durations.format(r.interval()));
    seq.put("horizon", r.horizon());
    seq.put("log_statistic", finite(r.logStatistic()));
    seq.put("threshold", r.threshold());
    seq.put("warm_up_datapoints", r.warmUpRows());
    json.put("sequential", seq);
    json.put("control", group(control, r.control()));
    json.put("experiment", group(experiment, r.experimental()));
    json.put("window", Durations.format(r.window()));
    List<Map<String, Object>> windows = new ArrayList<>();
    for (OfflineAnalysis.Window w : r.windows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("start", Instant.ofEpochMilli(w.startMs()).toString());
      m.put("end", Instant.ofEpochMilli(w.endMs()).toString());
      m.put("control", stats(w.control()));
      m.put("experiment", stats(w.experimental()));
      m.put("effect", finite(w.judgement().effect()));
      m.put("state", w.judgement().state().name());
      windows.add(m);
    }
    json.put("windows", windows);
    json.put("warnings", warnings(r));
    try {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
    } catch (Exception e) {
      throw new IllegalStateException("cannot write JSON: " + e, e);
    }
  }

  private static Map<String, Object> group(Path file, Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", file.toString());
    m.putAll(stats(s));
    return m;
  }

  private static Map<String, Object> stats(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", s.count());
    m.put("mean", s.count() == 0 ? null : s.mean());
    return m;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private void printText(OfflineAnalysis.Result r) {
    var c = r.classification();
    out.printf(
        Locale.ROOT,
        "%s: control %d rows (mean %.4g), experiment %d rows (mean %.4g)%n",
        metric,
        r.control().count(),
        r.control().mean(),
        r.experimental().count(),
        r.experimental().mean());
    out.printf(
        Locale.ROOT,
        "e-detector (alpha %.3g over %d datapoints of %s, %s, tolerance %.0f%%): %s%n",
        alpha,
        r.horizon(),
        Durations.format(r.interval()),
        direction,
        tolerance * 100,
        r.deviation()
            ? "DEVIATION declared at "
                + Instant.ofEpochMilli(r.detectedAtMs())
                + " ("
                + experiment
                + " line "
                + r.detectedAtLine()
                + ")"
            : "no deviation");
    if (r.deviation()) {
      out.printf(
          Locale.ROOT,
          "deviation began at %s; effect since then %+.1f%% [%+.1f%%, %+.1f%%]%n",
          r.changePointMs() == null ? "?" : Instant.ofEpochMilli(r.changePointMs()),
          r.effect() * 100,
          r.effectLow() * 100,
          r.effectHigh() * 100);
    }
    out.printf(
        Locale.ROOT,
        "Mann-Whitney at %.0f%% confidence: %s (shift %.4g, interval [%.4g, %.4g], tolerated %.4g)%n",
        confidence * 100,
        c.classification(),
        c.estimate(),
        c.lower(),
        c.upper(),
        c.allowed());
    long deviating =
        r.windows().stream().filter(w -> w.judgement().state().name().equals("DEVIATING")).count();
    out.printf(
        Locale.ROOT,
        "windows of %s: %d, deviating %d%n",
        Durations.format(r.window()),
        r.windows().size(),
        deviating);
    for (String w : warnings(r)) {
      out.println("warning: " + w);
    }
    out.println("VERDICT: " + (r.deviation() ? "deviation" : "no deviation"));
  }

  /** What the verdict does not cover: a statistic asked for that the data cannot be judged on. */
  private static List<String> warnings(OfflineAnalysis.Result r) {
    List<String> warnings = new ArrayList<>();
    for (Statistic s : r.unjudged()) {
      warnings.add(
          oneRowPerGroup(
              r,
              s,
              "--statistic %1$s was not judged: the warm-up's datapoints (one row interval, %2$s)"
                  + " hold one row per group, and a %1$s asked with another statistic needs two or"
                  + " more of each; the verdict covers only the other statistics (ask --statistic"
                  + " %1$s alone to judge it from successive rows, or record at a finer"
                  + " resolution)"));
    }
    for (Statistic s : r.asRows()) {
      warnings.add(
          oneRowPerGroup(
              r,
              s,
              "--statistic %1$s was judged on the rows themselves: the warm-up's datapoints (one"
                  + " row interval, %2$s) hold one row per group, and the %1$s of one row is that"
                  + " row, so the verdict is on the rows' level, not their tail (a change of the"
                  + " slowest requests alone is not seen); record at a finer resolution to judge"
                  + " the %1$s, or if each row already is a %1$s, judge it with --statistic mean"));
    }
    return warnings;
  }

  /**
   * {@code warning} with the statistic's option name as {@code %1$s}, the rows' interval {@code
   * %2$s}.
   */
  private static String oneRowPerGroup(OfflineAnalysis.Result r, Statistic s, String warning) {
    return String.format(
        Locale.ROOT, warning, s.name().toLowerCase(Locale.ROOT), Durations.format(r.interval()));
  }
}
