package io.faultline.analyzer.offline;

import io.faultline.analyzer.offline.TimeSeriesCsv.Row;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.MixtureSprt;
import io.faultline.analyzer.stats.Summary;
import io.faultline.analyzer.stats.WelchWindowTest;
import io.faultline.analyzer.stats.WindowJudgement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The analyzer's statistics over recorded data, without Kafka: the same sequential test the
 * streaming analyzer uses, row by row, a per-window judgement, and the Kayenta-style end judgement.
 * The two series are aligned by each row's offset from its file's first timestamp, so a control
 * recorded earlier can be compared with an experiment recorded now.
 */
public final class OfflineAnalysis {

  /** Parameters of the judgement. {@code window} null means ten times the typical row interval. */
  public record Options(
      Direction direction, double tolerance, double confidence, double alpha, Duration window) {

    public Options {
      if (tolerance < 0) {
        throw new IllegalArgumentException("--tolerance " + tolerance + ": must be >= 0");
      }
      if (!(confidence > 0 && confidence < 1)) {
        throw new IllegalArgumentException(
            "--confidence " + confidence + ": must be between 0 and 1 (e.g. 0.98)");
      }
      if (!(alpha > 0 && alpha < 1)) {
        throw new IllegalArgumentException(
            "--alpha " + alpha + ": must be between 0 and 1 (e.g. 0.05)");
      }
      if (window != null && (window.isNegative() || window.isZero())) {
        throw new IllegalArgumentException("--window: must be a positive duration");
      }
    }
  }

  /** One window of the experiment's time line. */
  public record Window(
      long startMs, long endMs, Summary control, Summary experimental, WindowJudgement judgement) {}

  /**
   * Everything the judgement found. {@code detectedAt} is the experiment row's timestamp or null.
   */
  public record Result(
      boolean deviation,
      Long detectedAtMs,
      Integer detectedAtLine,
      MannWhitney.Judgement classification,
      double logStatistic,
      double threshold,
      int warmUpRows,
      Duration window,
      List<Window> windows,
      Summary control,
      Summary experimental) {}

  /** Rows of each group a window's test needs before it may declare a deviation. */
  static final int MIN_ROWS = 5;

  private OfflineAnalysis() {}

  public static Result run(List<Row> control, List<Row> experiment, Options options) {
    MannWhitney.Judgement end =
        MannWhitney.classify(
            values(control),
            values(experiment),
            options.direction(),
            options.tolerance(),
            options.confidence());
    Duration window = options.window() != null ? options.window() : defaultWindow(experiment);
    Summary allControl = Summary.of(values(control));
    Summary allExperimental = Summary.of(values(experiment));
    if (control.isEmpty() || experiment.isEmpty()) {
      return new Result(
          false,
          null,
          null,
          end,
          Double.NEGATIVE_INFINITY,
          threshold(options),
          0,
          window,
          List.of(),
          allControl,
          allExperimental);
    }
    long controlStart = control.get(0).epochMs();
    long experimentStart = experiment.get(0).epochMs();

    // Warm-up: the first rows of each file fix the tolerated difference and the mixture's scale.
    int warmUp = Math.max(5, Math.min(30, Math.min(control.size(), experiment.size()) / 5));
    warmUp = Math.min(warmUp, Math.min(control.size(), experiment.size()));
    Summary warmControl = Summary.of(values(control.subList(0, warmUp)));
    Summary warmExperimental = Summary.of(values(experiment.subList(0, warmUp)));
    MixtureSprt template =
        MixtureSprt.fromWarmUp(
            warmControl,
            warmExperimental,
            options.direction(),
            options.tolerance(),
            options.alpha());

    record Event(long offset, boolean isExperiment, Row row) {}
    List<Event> events = new ArrayList<>();
    control
        .subList(warmUp, control.size())
        .forEach(r -> events.add(new Event(r.epochMs() - controlStart, false, r)));
    experiment
        .subList(warmUp, experiment.size())
        .forEach(r -> events.add(new Event(r.epochMs() - experimentStart, true, r)));
    events.sort(Comparator.comparingLong(Event::offset).thenComparing(Event::isExperiment));

    // One always-valid test per window, the k-th at level alpha * 6 / (pi^2 k^2): a fault is
    // judged on the data since its window began, and the levels sum to alpha over any number of
    // windows, so the false-alarm bound holds however long the run and however often we look.
    long size = window.toMillis();
    Long detectedAt = null;
    Integer detectedLine = null;
    MixtureSprt test = null;
    long currentWindow = Long.MIN_VALUE;
    int windowNumber = 0;
    double maxLogStatistic = Double.NEGATIVE_INFINITY;
    for (Event e : events) {
      long index = e.offset() / size;
      if (index != currentWindow) {
        currentWindow = index;
        windowNumber++;
        test =
            template.restart(
                options.alpha() * 6 / (Math.PI * Math.PI * windowNumber * (double) windowNumber));
      }
      if (e.isExperiment()) {
        test.addExperimental(e.row().value());
      } else {
        test.addControl(e.row().value());
      }
      // fewer rows make even the floored variance estimate too rough to act on
      boolean enough =
          test.control().count() >= MIN_ROWS && test.experimental().count() >= MIN_ROWS;
      if (enough) {
        maxLogStatistic =
            Math.max(
                maxLogStatistic, test.logStatistic() + Math.log(test.alpha() / options.alpha()));
      }
      if (detectedAt == null && e.isExperiment() && enough && test.deviates()) {
        detectedAt = e.row().epochMs();
        detectedLine = e.row().line();
      }
    }

    MetricPolicy policy =
        new MetricPolicy(options.direction(), options.tolerance(), 0.0, options.alpha(), 2);
    TreeMap<Long, Summary[]> byWindow = new TreeMap<>();
    for (Row r : control) {
      byWindow
          .computeIfAbsent(
              (r.epochMs() - controlStart) / size,
              k -> new Summary[] {new Summary(), new Summary()})[0]
          .add(r.value());
    }
    for (Row r : experiment) {
      byWindow
          .computeIfAbsent(
              (r.epochMs() - experimentStart) / size,
              k -> new Summary[] {new Summary(), new Summary()})[1]
          .add(r.value());
    }
    List<Window> windows = new ArrayList<>();
    byWindow.forEach(
        (index, pair) ->
            windows.add(
                new Window(
                    experimentStart + index * size,
                    experimentStart + (index + 1) * size,
                    pair[0],
                    pair[1],
                    WelchWindowTest.judge(pair[0], pair[1], policy))));
    return new Result(
        detectedAt != null,
        detectedAt,
        detectedLine,
        end,
        maxLogStatistic,
        threshold(options),
        warmUp,
        window,
        windows,
        allControl,
        allExperimental);
  }

  private static double threshold(Options options) {
    return -Math.log(
        options.direction() == Direction.EITHER ? options.alpha() / 2 : options.alpha());
  }

  static Duration defaultWindow(List<Row> rows) {
    if (rows.size() < 2) {
      return Duration.ofMinutes(1);
    }
    long[] gaps = new long[rows.size() - 1];
    for (int i = 1; i < rows.size(); i++) {
      gaps[i - 1] = Math.max(0, rows.get(i).epochMs() - rows.get(i - 1).epochMs());
    }
    Arrays.sort(gaps);
    long median = gaps[gaps.length / 2];
    return median <= 0 ? Duration.ofMinutes(1) : Duration.ofMillis(median * 10);
  }

  private static double[] values(List<Row> rows) {
    return rows.stream().mapToDouble(Row::value).toArray();
  }
}
