package io.faultline.analyzer.offline;

import io.faultline.analyzer.WindowJudge;
import io.faultline.analyzer.offline.TimeSeriesCsv.Row;
import io.faultline.analyzer.stats.Direction;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.MannWhitney;
import io.faultline.analyzer.stats.MetricPolicy;
import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Statistic;
import io.faultline.analyzer.stats.Summary;
import io.faultline.analyzer.stats.WindowJudgement;
import io.faultline.schema.SteadyState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The analyzer's judgement over recorded data, without Kafka: the streaming analyzer's own {@link
 * WindowJudge} (one e-detector per watched statistic, docs/adr/0010) over datapoints of one row
 * interval, a per-window table for reading, and the Kayenta-style end judgement. The two series are
 * aligned by each row's offset from its file's first timestamp, so a control recorded earlier can
 * be compared with an experiment recorded now; datapoints are the row intervals on the experiment's
 * time line, aligned to multiples of the interval (as the stream's windows are).
 */
public final class OfflineAnalysis {

  /**
   * Parameters of the judgement. {@code window} null means ten times the typical row interval;
   * {@code statistics} empty means the mean; {@code attackStartMs} (experiment time, null =
   * unknown) when the fault was injected: the warm-up learns only from before it, and the detector
   * gives half its weight to an e-process anchored there (docs/adr/0037). {@code datapoint} (null =
   * the typical row interval), {@code warmUp} (null = a fifth of the datapoints, 5..30) and {@code
   * horizon} (null = the judged datapoints) set the judgement as a streaming analyzer had it, so a
   * run it judged live (its window, its experiment's warm-up windows, its {@code
   * analyzer.horizon.windows}) is judged again alike.
   */
  public record Options(
      Direction direction,
      double tolerance,
      double confidence,
      double alpha,
      Duration window,
      List<Statistic> statistics,
      Long attackStartMs,
      Duration datapoint,
      Integer warmUp,
      Long horizon) {

    public Options {
      if (!(tolerance >= 0)) { // NaN too
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
      if (datapoint != null && datapoint.toMillis() < 1) {
        throw new IllegalArgumentException("--datapoint: must be at least 1ms");
      }
      if (warmUp != null && warmUp < 2) {
        throw new IllegalArgumentException(
            "--warmup " + warmUp + ": must be at least 2 datapoints (the analyzer's minimum)");
      }
      if (horizon != null && horizon < 1) {
        throw new IllegalArgumentException("--horizon " + horizon + ": must be at least 1");
      }
      statistics =
          statistics == null || statistics.isEmpty()
              ? List.of(Statistic.MEAN)
              : List.copyOf(statistics);
    }

    /** The mean alone, anchored and sized by the rows (the options' defaults). */
    public Options(
        Direction direction, double tolerance, double confidence, double alpha, Duration window) {
      this(
          direction,
          tolerance,
          confidence,
          alpha,
          window,
          List.of(Statistic.MEAN),
          null,
          null,
          null,
          null);
    }

    /** The hypothesis every datapoint is judged under. */
    public Hypothesis hypothesis() {
      return new Hypothesis(
          new MetricPolicy(direction, tolerance, 0.0, alpha, 1),
          false,
          false,
          Double.NaN,
          statistics);
    }
  }

  /** One window of the experiment's time line (for reading: the detector judges datapoints). */
  public record Window(
      long startMs, long endMs, Summary control, Summary experimental, WindowJudgement judgement) {}

  /**
   * Everything the judgement found. {@code detectedAt} is the experiment row's timestamp or null;
   * {@code changePointMs} the estimated start of the deviation (experiment time) with the relative
   * effect since then and its 95% interval. {@code unjudged}: the statistics asked for that the
   * data cannot give a datapoint (a spread at one row per row interval, asked with another
   * statistic), so nothing was judged of them. {@code asRows}: the statistics asked for that one
   * row per group and interval reduces to the rows themselves (a p99 of one row is that row), so
   * what was judged is the rows' level, not the tail.
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
      Summary experimental,
      Long changePointMs,
      double effect,
      double effectLow,
      double effectHigh,
      Duration interval,
      long horizon,
      List<Statistic> unjudged,
      List<Statistic> asRows) {}

  /** One datapoint: both groups' rows in one row interval. */
  public record Datapoint(
      long startMs,
      Summary control,
      Summary experimental,
      Quantiles controlQuantiles,
      Quantiles experimentalQuantiles,
      Row last) {}

  private OfflineAnalysis() {}

  public static Result run(List<Row> control, List<Row> experiment, Options options) {
    MannWhitney.Judgement end =
        MannWhitney.classify(
            values(control),
            values(experiment),
            options.direction(),
            options.tolerance(),
            options.confidence());
    Duration interval = options.datapoint() != null ? options.datapoint() : rowInterval(experiment);
    Duration window = options.window() != null ? options.window() : interval.multipliedBy(10);
    Summary allControl = Summary.of(values(control));
    Summary allExperimental = Summary.of(values(experiment));
    if (control.isEmpty() || experiment.isEmpty()) {
      return new Result(
          false,
          null,
          null,
          end,
          Double.NEGATIVE_INFINITY,
          Double.NaN,
          0,
          window,
          List.of(),
          allControl,
          allExperimental,
          null,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          interval,
          0,
          List.of(),
          List.of());
    }
    List<Datapoint> points = datapoints(control, experiment, interval);
    int warmUp =
        options.warmUp() != null
            ? Math.min(points.size(), options.warmUp())
            : warmUpDatapoints(points.size());
    WindowJudge.Monitor monitor = new WindowJudge.Monitor();
    monitor.warmupWindows = warmUp;
    monitor.horizon =
        options.horizon() != null ? options.horizon() : Math.max(1, points.size() - warmUp);
    if (options.attackStartMs() != null) {
      // as the stream learns until an experiment's attacks may start, and anchors there
      monitor.learnUntil = options.attackStartMs();
      monitor.attackAt = options.attackStartMs();
    }
    Hypothesis hypothesis = options.hypothesis();
    long size = interval.toMillis();
    Long detectedAt = null;
    Integer detectedLine = null;
    WindowJudge.Judged detection = null;
    double maxLogStatistic = Double.NEGATIVE_INFINITY;
    TreeMap<Long, SteadyState> states = new TreeMap<>();
    long windowMs = window.toMillis();
    long origin = Math.floorDiv(experiment.get(0).epochMs(), size) * size;
    for (Datapoint p : points) {
      WindowJudge.Judged j =
          WindowJudge.judge(
              monitor,
              p.control(),
              p.experimental(),
              p.controlQuantiles().quantile(0.99),
              p.experimentalQuantiles().quantile(0.99),
              hypothesis,
              p.startMs(),
              p.startMs() + size);
      if (j.state() != SteadyState.INSUFFICIENT_DATA) {
        maxLogStatistic = Math.max(maxLogStatistic, j.statistic());
      }
      long w = Math.floorDiv(p.startMs() - origin, windowMs);
      states.merge(w, j.state(), OfflineAnalysis::worse);
      if (detectedAt == null && j.state() == SteadyState.DEVIATING) {
        detectedAt = p.last().epochMs();
        detectedLine = p.last().line();
        detection = j;
      }
    }
    double threshold =
        monitor.tracks.isEmpty()
            ? Double.NaN
            : Math.log(monitor.horizon / monitor.tracks.get(0).alpha);
    List<Window> windows = windows(control, experiment, window, origin, states, monitor);
    return new Result(
        detectedAt != null,
        detectedAt,
        detectedLine,
        end,
        maxLogStatistic,
        threshold,
        warmUp,
        window,
        windows,
        allControl,
        allExperimental,
        detection == null ? null : detection.changePointMs(),
        detection == null ? Double.NaN : detection.changeEffect(),
        detection == null ? Double.NaN : detection.effectLow(),
        detection == null ? Double.NaN : detection.effectHigh(),
        interval,
        monitor.horizon,
        unjudged(options.statistics(), points.subList(0, warmUp)),
        asRows(options.statistics(), points.subList(0, warmUp)));
  }

  /**
   * The statistics of {@code statistics} that the warm-up's datapoints give no datapoint to ({@link
   * WindowJudge#measurable}): the judgement watches none of them.
   */
  static List<Statistic> unjudged(List<Statistic> statistics, List<Datapoint> warmUp) {
    List<double[]> shape = new ArrayList<>();
    for (Datapoint p : warmUp) {
      Summary c = p.control();
      Summary e = p.experimental();
      shape.add(
          new double[] {
            c.mean(),
            c.count() < 2 ? 0 : c.variance(),
            c.count(),
            e.mean(),
            e.count() < 2 ? 0 : e.variance(),
            e.count(),
            p.controlQuantiles().quantile(0.99),
            p.experimentalQuantiles().quantile(0.99)
          });
    }
    return statistics.stream().filter(s -> !WindowJudge.measurable(s, statistics, shape)).toList();
  }

  /**
   * The tail statistics of {@code statistics} when every warm-up datapoint holds one row per group:
   * a row's p99 is the row, so the judgement watches the rows' level in its place.
   */
  static List<Statistic> asRows(List<Statistic> statistics, List<Datapoint> warmUp) {
    boolean single =
        !warmUp.isEmpty()
            && warmUp.stream()
                .allMatch(p -> p.control().count() <= 1 && p.experimental().count() <= 1);
    return single ? statistics.stream().filter(s -> s == Statistic.P99).toList() : List.of();
  }

  /** The first datapoints (a fifth, 5..30) are the warm-up: they fix the steady state. */
  static int warmUpDatapoints(int points) {
    return Math.min(points, Math.max(5, Math.min(30, points / 5)));
  }

  /**
   * Both files' rows on the experiment's time line (control rows shifted by the difference of the
   * files' first timestamps), grouped by row interval, aligned to multiples of the interval.
   */
  public static List<Datapoint> datapoints(
      List<Row> control, List<Row> experiment, Duration interval) {
    long size = interval.toMillis();
    long shift = experiment.get(0).epochMs() - control.get(0).epochMs();
    TreeMap<Long, Object[]> slots = new TreeMap<>();
    for (Row r : control) {
      Object[] slot =
          slots.computeIfAbsent(
              Math.floorDiv(r.epochMs() + shift, size),
              k ->
                  new Object[] {
                    new Summary(), new Summary(), null, new Quantiles(), new Quantiles()
                  });
      ((Summary) slot[0]).add(r.value());
      ((Quantiles) slot[3]).add(r.value());
    }
    for (Row r : experiment) {
      Object[] slot =
          slots.computeIfAbsent(
              Math.floorDiv(r.epochMs(), size),
              k ->
                  new Object[] {
                    new Summary(), new Summary(), null, new Quantiles(), new Quantiles()
                  });
      ((Summary) slot[1]).add(r.value());
      ((Quantiles) slot[4]).add(r.value());
      slot[2] = r;
    }
    List<Datapoint> points = new ArrayList<>();
    slots.forEach(
        (k, slot) ->
            points.add(
                new Datapoint(
                    k * size,
                    (Summary) slot[0],
                    (Summary) slot[1],
                    (Quantiles) slot[3],
                    (Quantiles) slot[4],
                    (Row) slot[2])));
    return points;
  }

  private static SteadyState worse(SteadyState a, SteadyState b) {
    if (a == SteadyState.DEVIATING || b == SteadyState.DEVIATING) {
      return SteadyState.DEVIATING;
    }
    return a == SteadyState.STEADY || b == SteadyState.STEADY
        ? SteadyState.STEADY
        : SteadyState.INSUFFICIENT_DATA;
  }

  private static List<Window> windows(
      List<Row> control,
      List<Row> experiment,
      Duration window,
      long origin,
      TreeMap<Long, SteadyState> states,
      WindowJudge.Monitor monitor) {
    long size = window.toMillis();
    long shift = experiment.get(0).epochMs() - control.get(0).epochMs();
    TreeMap<Long, Summary[]> byWindow = new TreeMap<>();
    for (Row r : control) {
      byWindow
          .computeIfAbsent(
              Math.floorDiv(r.epochMs() + shift - origin, size),
              k -> new Summary[] {new Summary(), new Summary()})[0]
          .add(r.value());
    }
    for (Row r : experiment) {
      byWindow
          .computeIfAbsent(
              Math.floorDiv(r.epochMs() - origin, size),
              k -> new Summary[] {new Summary(), new Summary()})[1]
          .add(r.value());
    }
    List<Window> windows = new ArrayList<>();
    byWindow.forEach(
        (index, pair) -> {
          double expected = pair[0].mean() * monitor.scale + monitor.offset;
          double diff = pair[1].mean() - expected;
          double effect = expected == 0 ? diff : diff / Math.abs(expected);
          windows.add(
              new Window(
                  origin + index * size,
                  origin + (index + 1) * size,
                  pair[0],
                  pair[1],
                  new WindowJudgement(
                      states.getOrDefault(index, SteadyState.INSUFFICIENT_DATA),
                      effect,
                      Double.NaN,
                      Double.NaN)));
        });
    return windows;
  }

  /** The typical (median) gap between rows; one minute for fewer than two rows. */
  public static Duration rowInterval(List<Row> rows) {
    if (rows.size() < 2) {
      return Duration.ofMinutes(1);
    }
    long[] gaps = new long[rows.size() - 1];
    for (int i = 1; i < rows.size(); i++) {
      gaps[i - 1] = Math.max(0, rows.get(i).epochMs() - rows.get(i - 1).epochMs());
    }
    Arrays.sort(gaps);
    long median = gaps[gaps.length / 2];
    return median <= 0 ? Duration.ofMinutes(1) : Duration.ofMillis(median);
  }

  private static double[] values(List<Row> rows) {
    return rows.stream().mapToDouble(Row::value).toArray();
  }
}
