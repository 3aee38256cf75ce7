package io.faultline.cli.report;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.schema.Durations;
import io.faultline.schema.Experiment;
import io.faultline.schema.Group;
import io.faultline.schema.MetricHypothesis;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A run's samples saved as the files {@code faultline analyze} reads ({@code --save-samples DIR} of
 * {@code run} and {@code demo}): per metric {@code <metric>.control.csv} and {@code
 * <metric>.experimental.csv} (timestamp in epoch ms, value; every single observation the topic
 * held, failed observations left out as the analyzer leaves them out), {@code attacks.csv} (each
 * attack's start and end, epoch ms and offset from the experiment's start) and {@code README.txt}
 * (the run's window, warm-up, hypotheses, what the live analyzer found, and the {@code faultline
 * analyze} line that judges the first latency metric again as the analyzer did).
 */
public final class SavedSamples {

  /** The option of {@code run} and {@code demo}. */
  public static final String OPTION = "--save-samples";

  /** The analyzer's {@code analyzer.horizon.windows} default, which the run is judged under. */
  public static final long ANALYZER_HORIZON = 720;

  /**
   * What was written: the directory, the command that judges the latency metric again (null when
   * the run had no latency samples of both groups), and the live first deviating window of it.
   */
  public record Saved(Path dir, String command, String metric, List<String> files) {}

  private SavedSamples() {}

  /**
   * Checks {@code dir} before a run: created when missing, refused when it is a file or cannot be
   * written, so a run of minutes does not end without its samples.
   */
  public static Optional<String> problem(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return Optional.of(
          OPTION + " " + dir + ": is a file, not a directory; name a directory to write into");
    }
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".faultline-write-check", ".tmp");
      Files.delete(probe);
      return Optional.empty();
    } catch (IOException | SecurityException e) {
      return Optional.of(
          OPTION + " " + dir + ": cannot write into it (" + e + "); name a writable directory");
    }
  }

  /** A metric's file name part: its name with anything but letters, digits, '.', '-' as '_'. */
  static String fileStem(String metric) {
    return metric.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** The file of one metric's group. */
  public static String fileName(String metric, Group group) {
    return fileStem(metric) + (group == Group.CONTROL ? ".control.csv" : ".experimental.csv");
  }

  /** Writes the recording's samples and what the run was into {@code dir}. */
  public static Saved write(Path dir, ExperimentRecording rec) throws IOException {
    Files.createDirectories(dir);
    Map<String, Map<Group, List<MetricSample>>> byMetric = new TreeMap<>();
    Map<String, long[]> left = new TreeMap<>(); // failed, summaries, moved 1 ms
    for (MetricSample s : rec.samples()) {
      long[] counts = left.computeIfAbsent(s.getMetric(), k -> new long[3]);
      if (s.getError()) {
        counts[0]++;
      } else if (s.getSummary() != null) {
        counts[1]++;
      } else if (s.getGroup() == Group.CONTROL || s.getGroup() == Group.EXPERIMENTAL) {
        byMetric
            .computeIfAbsent(s.getMetric(), k -> new TreeMap<>())
            .computeIfAbsent(s.getGroup(), k -> new ArrayList<>())
            .add(s);
      }
    }
    List<String> files = new ArrayList<>();
    for (var m : byMetric.entrySet()) {
      for (var g : m.getValue().entrySet()) {
        String name = fileName(m.getKey(), g.getKey());
        left.get(m.getKey())[2] += writeCsv(dir.resolve(name), g.getValue());
        files.add(name);
      }
    }
    List<AttackPeriod> attacks = AttackPeriod.of(rec);
    Experiment e = rec.experiment();
    long startedAt = e != null && e.getStartedAt() != null ? e.getStartedAt() : firstSample(rec);
    writeAttacks(dir.resolve("attacks.csv"), attacks, startedAt);
    files.add("attacks.csv");
    String latency =
        byMetric.keySet().stream()
            .filter(m -> m.contains("latency") && byMetric.get(m).size() == 2)
            .findFirst()
            .orElse(null);
    String command =
        latency == null || attacks.isEmpty() ? null : command(dir, rec, latency, attacks.get(0));
    List<String> readme = new ArrayList<>();
    readme.add(
        "faultline: the samples of experiment " + rec.experimentId() + ", saved by " + OPTION);
    if (e != null) {
      readme.add("name: " + e.getName() + ", state at the end: " + e.getState());
      readme.add("started: " + at(startedAt) + " (offset 0)");
      if (e.getWarmupMs() != null) {
        readme.add(
            "warm-up ends: "
                + at(startedAt + e.getWarmupMs())
                + " (offset "
                + Durations.format(e.getWarmupMs())
                + ", "
                + e.getWarmupMs() / e.getWindowMs()
                + " windows)");
      }
      if (e.getEndedAt() != null) {
        readme.add(
            "ended: "
                + at(e.getEndedAt())
                + " (offset "
                + Durations.format(e.getEndedAt() - startedAt)
                + ")");
      }
      readme.add(
          "window: "
              + Durations.format(e.getWindowMs())
              + "; the analyzer's horizon, as the run's analyzer had it by default: "
              + ANALYZER_HORIZON
              + " windows (analyzer.horizon.windows)");
    }
    readme.add("");
    readme.add("hypotheses (as the analyzer reads them, declared over its defaults):");
    for (String metric : byMetric.keySet()) {
      Hypothesis h = Hypothesis.of(metric, declared(e, metric));
      readme.add(
          String.format(
              Locale.ROOT,
              "  %s: %s, tolerance %s relative + %s absolute, alpha %s, statistics %s%s",
              metric,
              h.policy().direction().name().toLowerCase(Locale.ROOT),
              h.policy().relativeTolerance(),
              h.policy().absoluteTolerance(),
              h.policy().alpha(),
              statistics(h),
              h.rate() ? ", judged as a rate (analyze judges its mean: not the same test)" : ""));
    }
    readme.add("");
    readme.add("files (timestamp,value: epoch ms of the observation, its value):");
    for (var m : byMetric.entrySet()) {
      long[] counts = left.get(m.getKey());
      readme.add(
          String.format(
              Locale.ROOT,
              "  %s: control %d rows, experimental %d rows; left out: %d failed observations, %d"
                  + " window summaries; %d rows moved 1 ms later to keep one row per timestamp",
              m.getKey(),
              m.getValue().getOrDefault(Group.CONTROL, List.of()).size(),
              m.getValue().getOrDefault(Group.EXPERIMENTAL, List.of()).size(),
              counts[0],
              counts[1],
              counts[2]));
    }
    readme.add(
        "  attacks.csv: attack,fault,started_ms,started_offset_ms,ended_ms,ended_offset_ms,"
            + "detected_ms,mttd_ms (empty: not known)");
    readme.add("");
    readme.add("what the live analyzer found (first DEVIATING window per metric):");
    for (String metric : byMetric.keySet()) {
      WindowVerdict first = firstDeviating(rec, metric);
      readme.add(
          "  "
              + metric
              + ": "
              + (first == null
                  ? "none"
                  : "window " + at(first.getWindowStart()) + " .. " + at(first.getWindowEnd())));
    }
    for (AttackPeriod a : attacks) {
      readme.add(
          "  attack "
              + a.attackId()
              + " ("
              + a.fault()
              + "): MTTD "
              + (a.mttdMs() == null ? "none" : Durations.format(a.mttdMs())));
    }
    if (command != null) {
      readme.add("");
      readme.add(
          "judge "
              + latency
              + " again as the analyzer did (its window as the datapoint, its warm-up, horizon and"
              + " hypothesis, anchored at the first attack's STARTED event); change any option to"
              + " judge it otherwise, add --engine stream to replay it through the topology:");
      readme.add(command);
    }
    Files.write(dir.resolve("README.txt"), readme, StandardCharsets.UTF_8);
    files.add("README.txt");
    return new Saved(dir, command, latency, files);
  }

  /** The {@code faultline analyze} line that judges {@code metric} as the run's analyzer did. */
  static String command(Path dir, ExperimentRecording rec, String metric, AttackPeriod first) {
    Experiment e = rec.experiment();
    Hypothesis h = Hypothesis.of(metric, declared(e, metric));
    long windowMs = e == null ? 5000 : e.getWindowMs();
    List<String> parts = new ArrayList<>(List.of("./faultline", "analyze"));
    parts.addAll(List.of("--control", dir.resolve(fileName(metric, Group.CONTROL)).toString()));
    parts.addAll(
        List.of("--experiment", dir.resolve(fileName(metric, Group.EXPERIMENTAL)).toString()));
    parts.addAll(List.of("--metric", metric));
    parts.addAll(List.of("--direction", h.policy().direction().name().toLowerCase(Locale.ROOT)));
    parts.addAll(List.of("--tolerance", Double.toString(h.policy().relativeTolerance())));
    parts.addAll(List.of("--alpha", Double.toString(h.policy().alpha())));
    parts.addAll(List.of("--statistic", statistics(h)));
    parts.addAll(List.of("--datapoint", Durations.format(windowMs)));
    if (e != null && e.getWarmupMs() != null) {
      parts.addAll(List.of("--warmup", Long.toString(Math.max(2, e.getWarmupMs() / windowMs))));
    }
    parts.addAll(List.of("--horizon", Long.toString(ANALYZER_HORIZON)));
    parts.addAll(List.of("--attack-start", at(first.startedAt())));
    return parts.stream().map(SavedSamples::quoted).collect(Collectors.joining(" "));
  }

  private static String quoted(String arg) {
    return arg.matches("[A-Za-z0-9._/:=,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  private static String statistics(Hypothesis h) {
    return h.statistics().stream()
        .map(Statistic::name)
        .map(x -> x.toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(","));
  }

  private static MetricHypothesis declared(Experiment e, String metric) {
    if (e == null) {
      return null;
    }
    return e.getHypotheses().stream()
        .filter(h -> metric.equals(h.getMetric()))
        .findFirst()
        .orElse(null);
  }

  private static WindowVerdict firstDeviating(ExperimentRecording rec, String metric) {
    return rec.verdicts().stream()
        .filter(v -> metric.equals(v.getMetric()) && v.getState() == SteadyState.DEVIATING)
        .findFirst()
        .orElse(null);
  }

  private static long firstSample(ExperimentRecording rec) {
    return rec.samples().isEmpty() ? 0 : rec.samples().get(0).getTimestamp();
  }

  private static String at(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  /**
   * One row per sample in time order; a sample at the millisecond of the one before (two targets of
   * one group) goes 1 ms later, as {@code analyze} takes one row per timestamp. Returns how many
   * moved.
   */
  private static long writeCsv(Path file, List<MetricSample> samples) throws IOException {
    List<MetricSample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparingLong(MetricSample::getTimestamp));
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    long previous = Long.MIN_VALUE;
    long moved = 0;
    for (MetricSample s : sorted) {
      long t = s.getTimestamp();
      if (t <= previous) {
        t = previous + 1;
        moved++;
      }
      previous = t;
      csv.append(t).append(',').append(s.getValue()).append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
    return moved;
  }

  private static void writeAttacks(Path file, List<AttackPeriod> attacks, long startedAt)
      throws IOException {
    StringBuilder csv =
        new StringBuilder(
            "attack,fault,started_ms,started_offset_ms,ended_ms,ended_offset_ms,detected_ms,"
                + "mttd_ms\n");
    for (AttackPeriod a : attacks) {
      csv.append(a.attackId().replace(',', '_'))
          .append(',')
          .append(a.fault())
          .append(',')
          .append(a.startedAt())
          .append(',')
          .append(a.startedAt() - startedAt)
          .append(',')
          .append(a.endedAt() == null ? "" : a.endedAt())
          .append(',')
          .append(a.endedAt() == null ? "" : a.endedAt() - startedAt)
          .append(',')
          .append(a.detectedAt() == null ? "" : a.detectedAt())
          .append(',')
          .append(a.mttdMs() == null ? "" : a.mttdMs())
          .append('\n');
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }
}
