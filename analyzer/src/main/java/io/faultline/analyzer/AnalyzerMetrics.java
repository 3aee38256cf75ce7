package io.faultline.analyzer;

import io.faultline.schema.GroupStatistics;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The analyzer's figures per experiment, kept in memory by the processors and collected by the
 * Prometheus Java client ({@link MultiCollector}), which writes the exposition and escapes the
 * labels. Every family is declared here once with its help text and type; labels are experiment,
 * metric, group, attack, fault or state. Names follow Prometheus' conventions (docs/adr/0016): a
 * base unit in the name ({@code _seconds}, {@code _ratio}, {@code _bytes}), {@code _total} on
 * counters, a histogram where a distribution is kept.
 *
 * <p>An experiment's series end with it: {@link #ended} marks it (completed, aborted, failed or
 * deleted), and {@link #sweep} removes its series once the linger has passed, after which nothing
 * is recorded for it any more (an experiment id is used once), so alerts on these series resolve.
 */
public final class AnalyzerMetrics implements MultiCollector {

  /** One metric family: name (counters without {@code _total}), help and value per label set. */
  private record Family(String name, boolean counter, String help, Map<Labels, Value> series) {}

  /**
   * A series' value, changed in place: a judged window writes its series through the values it
   * holds (docs/adr/0097), with no hash lookup and no boxed double per write.
   */
  static final class Value {
    private static final java.lang.invoke.VarHandle BITS;

    static {
      try {
        BITS =
            java.lang.invoke.MethodHandles.lookup().findVarHandle(Value.class, "bits", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile long bits;

    Value(double v) {
      bits = Double.doubleToRawLongBits(v);
    }

    double get() {
      return Double.longBitsToDouble(bits);
    }

    void set(double v) {
      bits = Double.doubleToRawLongBits(v);
    }

    /** Adds atomically: counters without labels are shared by the stream threads. */
    void add(double by) {
      long old;
      do {
        old = bits;
      } while (!BITS.compareAndSet(
          this, old, Double.doubleToRawLongBits(Double.longBitsToDouble(old) + by)));
    }
  }

  public static final String WINDOW_MEAN = "faultline_window_mean";
  public static final String WINDOW_P99 = "faultline_window_p99";
  public static final String WINDOW_SAMPLES = "faultline_window_samples";
  public static final String EFFECT = "faultline_effect";
  public static final String TEST_STATISTIC = "faultline_test_statistic";
  public static final String P_VALUE = "faultline_p_value";
  public static final String STATE = "faultline_state";
  public static final String WINDOWS_JUDGED = "faultline_windows_judged_total";
  public static final String MTTD = "faultline_mttd_seconds";
  public static final String MTTR = "faultline_mttr_seconds";
  public static final String ALERTS_FIRED = "faultline_alerts_fired_total";
  public static final String ALERTS_FIRING = "faultline_alerts_firing";
  public static final String ALERTS_NOISY = "faultline_alerts_noisy_total";
  public static final String ALERT_RESOLVE = "faultline_alert_resolve_seconds";
  public static final String SCORE = "faultline_experiment_score_ratio";
  public static final String ABORTED = "faultline_experiment_aborted";
  public static final String ATTACK_ACTIVE = "faultline_attack_active";
  public static final String SAMPLES_LATE = "faultline_samples_late_total";
  public static final String SAMPLES_DROPPED = "faultline_samples_dropped_total";
  public static final String SAMPLES_SHARD_MISMATCH = "faultline_samples_shard_mismatch_total";
  public static final String HISTORY_EXPERIMENTS = "faultline_history_experiments";
  public static final String HISTORY_HELD = "faultline_history_held";
  public static final String HISTORY_NOT_HELD = "faultline_history_not_held";
  public static final String HISTORY_SEVS = "faultline_history_sevs";
  public static final String HISTORY_ALERTS = "faultline_history_alerts";
  public static final String HISTORY_SELF_RESOLVING = "faultline_history_alerts_self_resolving";
  public static final String HISTORY_MTTD = "faultline_history_mttd_seconds";
  public static final String HISTORY_MTTR = "faultline_history_mttr_seconds";
  public static final String HISTORY_MTBF = "faultline_history_mtbf_seconds";
  public static final String HISTORY_RESOLVE = "faultline_history_alert_resolve_seconds";

  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  /** The same families by name in a hash map: {@link #series} runs ~25 times per verdict. */
  private final Map<String, Family> byName = new ConcurrentHashMap<>();

  private final Histogram resolve =
      Histogram.builder()
          .name(ALERT_RESOLVE)
          .help("time from an alert's FIRING to its RESOLVED, per experiment and metric")
          .labelNames("experiment", "metric")
          .classicOnly()
          .classicUpperBounds(5, 10, 15, 30, 60, 120, 300, 600, 1800)
          .build();
  private final Map<String, String> units = new ConcurrentHashMap<>();
  private final Map<String, Long> endedAt = new ConcurrentHashMap<>();
  private final Set<String> swept = ConcurrentHashMap.newKeySet();
  private final Set<String> withSeries = ConcurrentHashMap.newKeySet();
  private final Duration linger;
  private final Map<String, WindowSeries> windowSeries = new ConcurrentHashMap<>();
  private final Map<Labels, Value> windowSamples;
  private final Map<Labels, Value> effects;
  private final Map<Labels, Value> statistics;
  private final Map<Labels, Value> pValues;
  private final Map<Labels, Value> states;
  private final Map<Labels, Value> windowsJudged;

  /** Series of an ended experiment are removed 5 minutes after its end. */
  public AnalyzerMetrics() {
    this(Duration.ofMinutes(5));
  }

  public AnalyzerMetrics(Duration linger) {
    this.linger = linger;
    for (WindowUnit u : WindowUnit.values()) {
      gauge(WINDOW_MEAN + u.suffix(), "mean of the last closed window" + u.help());
      gauge(
          WINDOW_P99 + u.suffix(), "99th percentile (DDSketch, 1%) of the last window" + u.help());
    }
    gauge(WINDOW_SAMPLES, "samples in the last closed window");
    gauge(EFFECT, "relative effect of the last window: experimental vs expected level");
    gauge(TEST_STATISTIC, "log likelihood ratio of the sequential test after the last window");
    gauge(P_VALUE, "always-valid p-value of the sequential test after the last window");
    gauge(STATE, "1 for the metric's current state (STEADY, DEVIATING, INSUFFICIENT_DATA)");
    counter(WINDOWS_JUDGED, "closed windows judged, per experiment and metric");
    gauge(MTTD, "time to detect, per experiment and attack");
    gauge(MTTR, "time to recover, per experiment and attack");
    counter(ALERTS_FIRED, "alerts fired, per experiment and metric");
    gauge(ALERTS_FIRING, "1 while the metric's alert is firing");
    counter(ALERTS_NOISY, "alerts that resolved by themselves, not at an attack's end");
    gauge(SCORE, "share of metrics the end-of-run comparison classifies PASS, 0 to 1");
    gauge(ABORTED, "1 when the analyzer halted the experiment");
    gauge(ATTACK_ACTIVE, "1 while the attack runs, 0 once it ended (from attack.events)");
    counter(SAMPLES_LATE, "samples that arrived after their window ended, within the grace");
    counter(SAMPLES_DROPPED, "samples that arrived after their window's grace: not counted");
    counter(
        SAMPLES_SHARD_MISMATCH,
        "samples whose key has a shard beyond this analyzer's topics.metrics.shards: sent to the dlq");
    String per = ", per service, for all time (week=all) and the current ISO week";
    gauge(HISTORY_EXPERIMENTS, "experiments run" + per);
    gauge(HISTORY_HELD, "experiments whose hypothesis held" + per);
    gauge(HISTORY_NOT_HELD, "experiments that deviated or were aborted" + per);
    gauge(HISTORY_SEVS, "incidents by SEV level" + per);
    gauge(HISTORY_ALERTS, "alerts fired" + per);
    gauge(HISTORY_SELF_RESOLVING, "noisy alerts: resolved by themselves" + per);
    gauge(HISTORY_MTTD, "time to detect, mean, p50 and p90 (stat)" + per);
    gauge(HISTORY_MTTR, "time to recover, mean, p50 and p90 (stat)" + per);
    gauge(HISTORY_MTBF, "time between incidents, mean, p50 and p90 (stat)" + per);
    gauge(HISTORY_RESOLVE, "alert time to resolve, mean, p50 and p90 (stat)" + per);
    windowSamples = series(WINDOW_SAMPLES);
    effects = series(EFFECT);
    statistics = series(TEST_STATISTIC);
    pValues = series(P_VALUE);
    states = series(STATE);
    windowsJudged = series(WINDOWS_JUDGED);
  }

  /**
   * The history rollup's record under {@code key} ({@code service|week}, null when it was emptied)
   * as {@code faultline_history_*} series. Only {@code week=all} and the current ISO week are kept,
   * so a service has at most two series per family: a past week's record changes nothing, and the
   * current week's replaces the previous week's series.
   */
  void history(String key, io.faultline.schema.ServiceHistory h) {
    history(key, h, System.currentTimeMillis());
  }

  void history(String key, io.faultline.schema.ServiceHistory h, long nowMs) {
    int bar = key.lastIndexOf('|');
    String service = key.substring(0, bar);
    String week = key.substring(bar + 1);
    if (!week.equals(HistoryRollup.ALL_TIME) && !week.equals(HistoryRollup.isoWeek(nowMs))) {
      return;
    }
    for (Family f : families.values()) {
      if (f.name().startsWith("faultline_history_")) {
        f.series()
            .keySet()
            .removeIf(
                l ->
                    service.equals(l.get("service"))
                        && (week.equals(l.get("week"))
                            || !week.equals(HistoryRollup.ALL_TIME)
                                && !HistoryRollup.ALL_TIME.equals(l.get("week"))));
      }
    }
    if (h == null) {
      return;
    }
    set(HISTORY_EXPERIMENTS, h.getExperiments(), "service", service, "week", week);
    set(HISTORY_HELD, h.getHeld(), "service", service, "week", week);
    set(HISTORY_NOT_HELD, h.getNotHeld(), "service", service, "week", week);
    h.getIncidentsBySeverity()
        .forEach((sev, n) -> set(HISTORY_SEVS, n, "service", service, "week", week, "sev", sev));
    set(HISTORY_ALERTS, h.getAlerts(), "service", service, "week", week);
    set(HISTORY_SELF_RESOLVING, h.getSelfResolvingAlerts(), "service", service, "week", week);
    figures(HISTORY_MTTD, h.getMttd(), service, week);
    figures(HISTORY_MTTR, h.getMttr(), service, week);
    figures(HISTORY_MTBF, h.getMtbf(), service, week);
    figures(HISTORY_RESOLVE, h.getTimeToResolve(), service, week);
  }

  private void figures(String family, io.faultline.schema.Figures f, String service, String week) {
    if (f == null) {
      return;
    }
    set(family, f.getMeanMs() / 1000.0, "service", service, "week", week, "stat", "mean");
    set(family, f.getP50Ms() / 1000.0, "service", service, "week", week, "stat", "p50");
    set(family, f.getP90Ms() / 1000.0, "service", service, "week", week, "stat", "p90");
  }

  // Hash maps, sorted only when scraped: every judged window sets ~10 series, and at 10,000 keys
  // a sorted map's label comparisons were a fifth of the stream thread's time (docs/adr/0023).
  private void gauge(String name, String help) {
    declare(new Family(name, false, help, new ConcurrentHashMap<>()));
  }

  private void counter(String name, String help) {
    declare(new Family(name, true, help, new ConcurrentHashMap<>()));
  }

  private void declare(Family f) {
    families.put(f.name(), f);
    byName.put(f.name(), f);
  }

  /** Sets a series; labels alternate name and value. */
  public void set(String family, double value, String... labels) {
    Labels l = labels(labels);
    if (live(l)) {
      put(series(family), l, value);
    }
  }

  public void increment(String family, double by, String... labels) {
    Labels l = labels(labels);
    if (live(l)) {
      value(series(family), l).add(by);
    }
  }

  /** Removes a series, e.g. the states a metric is not in any more. */
  public void remove(String family, String... labels) {
    series(family).remove(labels(labels));
    // a judged window's series held a removed value: they look their values up again
    windowSeries.clear();
  }

  /** The current value, or NaN when the series does not exist. */
  public double value(String family, String... labels) {
    Value v = series(family).get(labels(labels));
    return v == null ? Double.NaN : v.get();
  }

  /** Sets {@code l}'s series in {@code series}, created with the value if it does not exist. */
  private static Value put(Map<Labels, Value> series, Labels l, double v) {
    Value held = series.get(l);
    if (held == null) {
      Value created = new Value(v);
      held = series.putIfAbsent(l, created);
      if (held == null) {
        return created;
      }
    }
    held.set(v);
    return held;
  }

  /** {@code l}'s series in {@code series}, created at zero if it does not exist. */
  private static Value value(Map<Labels, Value> series, Labels l) {
    Value held = series.get(l);
    return held != null ? held : series.computeIfAbsent(l, k -> new Value(0));
  }

  /** An alert fired: its resolve-time series exists from now on, at zero, so increase() sees it. */
  void firing(String experiment, String metric) {
    if (!swept.contains(experiment)) {
      resolve.labelValues(experiment, metric);
    }
  }

  /** An alert resolved after {@code seconds}. */
  void resolved(String experiment, String metric, double seconds) {
    if (!swept.contains(experiment)) {
      resolve.labelValues(experiment, metric).observe(seconds);
    }
  }

  /** The unit of a metric's samples, as the collector names it ({@code ms}, {@code ratio}, ...). */
  void unit(String metric, String unit) {
    if (unit != null && !unit.equals(units.get(metric))) {
      units.put(metric, unit);
    }
  }

  /**
   * Sets a window statistic ({@link #WINDOW_MEAN} or {@link #WINDOW_P99}) in the family of its
   * metric's unit, converted to the base unit: {@code faultline_window_mean_seconds} for a latency
   * in ms.
   */
  void window(String statistic, double value, String experiment, String metric, String group) {
    String unit = units.getOrDefault(metric, "");
    set(
        statistic + WindowUnit.of(unit).suffix(),
        WindowUnit.convert(unit, value),
        "experiment",
        experiment,
        "metric",
        metric,
        "group",
        group);
  }

  /**
   * A judged window's 13 series (both groups' mean, p99 and samples; effect, statistic, p-value;
   * the three state gauges; windows judged), set at once: the label sets of {@code key}'s
   * (experiment|metric) series are built once and kept with their values, which are set in place
   * (docs/adr/0097), and the state gauges are set only when the state differs from the one they
   * show (docs/adr/0046). The values on /metrics are those of setting each series with {@link
   * #set}: a series is created at its first value, as there.
   */
  void judged(String key, WindowVerdict v) {
    String metric = v.getMetric();
    // a key's series held means its experiment is live: a sweep drops them with the experiment
    WindowSeries s = windowSeries.get(key);
    if (s == null) {
      String e = v.getExperimentId();
      if (!live(e)) {
        return;
      }
      s = new WindowSeries(e, metric);
      windowSeries.put(key, s);
    }
    String unit = units.getOrDefault(metric, "");
    if (!unit.equals(s.unit)) {
      s.unit = unit;
      s.mean = series(WINDOW_MEAN + WindowUnit.of(unit).suffix());
      s.p99 = series(WINDOW_P99 + WindowUnit.of(unit).suffix());
      s.control.unitChanged();
      s.experimental.unitChanged();
    }
    windowGroup(s, s.control, v.getControl(), unit);
    windowGroup(s, s.experimental, v.getExperimental(), unit);
    s.effect = set(effects, s.metric, s.effect, v.getEffect());
    s.statistic = set(statistics, s.metric, s.statistic, v.getTestStatistic());
    if (v.getPValue() != null) {
      s.pValue = set(pValues, s.metric, s.pValue, v.getPValue());
    }
    SteadyState state = v.getState();
    if (state != s.state) {
      for (int i = 0; i < JUDGED_STATES.length; i++) {
        put(states, s.states[i], JUDGED_STATES[i] == state ? 1.0 : 0.0);
      }
      s.state = state;
    }
    if (s.judged == null) {
      s.judged = value(windowsJudged, s.metric);
    }
    s.judged.add(1.0);
  }

  private void windowGroup(WindowSeries s, GroupSeries group, GroupStatistics g, String unit) {
    group.mean = set(s.mean, group.labels, group.mean, WindowUnit.convert(unit, g.getMean()));
    group.samples = set(windowSamples, group.labels, group.samples, (double) g.getCount());
    if (g.getP99() != null) {
      group.p99 = set(s.p99, group.labels, group.p99, WindowUnit.convert(unit, g.getP99()));
    }
  }

  /** Sets a series through its value held, or creates it and returns the value to hold. */
  private static Value set(Map<Labels, Value> series, Labels l, Value held, double v) {
    if (held == null) {
      return put(series, l, v);
    }
    held.set(v);
    return held;
  }

  private static final SteadyState[] JUDGED_STATES = {
    SteadyState.STEADY, SteadyState.DEVIATING, SteadyState.INSUFFICIENT_DATA
  };

  /**
   * The labels a window series adds to its experiment's and metric's, validated once: {@link
   * Labels#merge} does not validate the names again, and the validation of a name (a UTF-8 encoder
   * per name) was most of a new metric's series' cost (docs/adr/0097).
   */
  private static final Labels CONTROL = Labels.of("group", "control");

  private static final Labels EXPERIMENTAL = Labels.of("group", "experimental");
  private static final Labels[] STATES = new Labels[JUDGED_STATES.length];

  static {
    for (int i = 0; i < JUDGED_STATES.length; i++) {
      STATES[i] = Labels.of("state", JUDGED_STATES[i].name());
    }
  }

  /** One group's window series of a metric: their label set and their values once created. */
  private static final class GroupSeries {
    final Labels labels;
    Value mean;
    Value p99;
    Value samples;

    GroupSeries(Labels labels) {
      this.labels = labels;
    }

    /** The mean and p99 go to the families of another unit: their values are looked up again. */
    void unitChanged() {
      mean = null;
      p99 = null;
    }
  }

  /**
   * One experiment's metric's window series: their label sets, their values once created (a value
   * is removed from its family only by {@link #remove} and {@link #sweep}, which drop this too),
   * and what they show now.
   */
  private static final class WindowSeries {
    final String experiment;
    final Labels metric;
    final GroupSeries control;
    final GroupSeries experimental;
    final Labels[] states = new Labels[JUDGED_STATES.length];
    String unit;
    Map<Labels, Value> mean;
    Map<Labels, Value> p99;
    Value effect;
    Value statistic;
    Value pValue;
    Value judged;
    SteadyState state; // the state whose gauge is 1; null before the first window

    WindowSeries(String experiment, String metric) {
      this.experiment = experiment;
      this.metric = of("experiment", experiment, "metric", metric);
      this.control = new GroupSeries(this.metric.merge(CONTROL));
      this.experimental = new GroupSeries(this.metric.merge(EXPERIMENTAL));
      for (int i = 0; i < states.length; i++) {
        states[i] = this.metric.merge(STATES[i]);
      }
    }
  }

  /** The experiment ended at {@code atMs}: its series go after the linger (first call counts). */
  void ended(String experiment, long atMs) {
    endedAt.putIfAbsent(experiment, atMs);
  }

  /** Experiments with series now (or a series removed since, until swept). */
  Set<String> experiments() {
    // kept as series are set, not derived from every series at each sweep (docs/adr/0027)
    return new java.util.TreeSet<>(withSeries);
  }

  /** Removes the series of every experiment that ended at least the linger before {@code nowMs}. */
  void sweep(long nowMs) {
    for (var e : Map.copyOf(endedAt).entrySet()) {
      if (e.getValue() + linger.toMillis() <= nowMs) {
        String experiment = e.getKey();
        swept.add(experiment);
        endedAt.remove(experiment);
        withSeries.remove(experiment);
        for (Family f : families.values()) {
          f.series().keySet().removeIf(l -> experiment.equals(l.get("experiment")));
        }
        labelSets.values().removeIf(l -> experiment.equals(l.get("experiment")));
        windowSeries.values().removeIf(w -> experiment.equals(w.experiment));
        resolve.removeIf(values -> experiment.equals(values.get(0)));
      }
    }
  }

  /** False for a swept experiment's series; notes the experiment of any other. */
  private boolean live(Labels labels) {
    return live(labels.get("experiment"));
  }

  private boolean live(String e) {
    if (e == null) {
      return true;
    }
    if (swept.contains(e)) {
      return false;
    }
    if (!withSeries.contains(e)) { // a read, not a write, on the common path
      withSeries.add(e);
    }
    return true;
  }

  private Map<Labels, Value> series(String family) {
    Family f = byName.get(family);
    if (f == null) {
      throw new IllegalArgumentException("metric family '" + family + "' is not declared");
    }
    return f.series();
  }

  /** Label sets built once: Labels.of validates and sorts the names on every call. */
  private final Map<java.util.List<String>, Labels> labelSets = new ConcurrentHashMap<>();

  private Labels labels(String... labels) {
    Labels l = labelSets.get(java.util.Arrays.asList(labels));
    if (l == null) {
      l = of(labels);
      labelSets.put(java.util.Arrays.asList(labels.clone()), l);
    }
    return l;
  }

  static Labels of(String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels must be name/value pairs: " + labels.length);
    }
    String[] pairs = labels.clone();
    for (int i = 1; i < pairs.length; i += 2) {
      pairs[i] = pairs[i] == null ? "" : pairs[i];
    }
    return Labels.of(pairs);
  }

  @Override
  public MetricSnapshots collect() {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    for (Family f : families.values()) {
      if (f.counter()) {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder()
                .name(f.name().substring(0, f.name().length() - "_total".length()))
                .help(f.help());
        new TreeMap<>(f.series())
            .forEach(
                (l, v) ->
                    b.dataPoint(
                        CounterDataPointSnapshot.builder().labels(l).value(v.get()).build()));
        out.metricSnapshot(b.build());
      } else {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name()).help(f.help());
        new TreeMap<>(f.series())
            .forEach(
                (l, v) ->
                    b.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(v.get()).build()));
        out.metricSnapshot(b.build());
      }
    }
    out.metricSnapshot(resolve.collect());
    return out.build();
  }

  /** These families alone in the text format (tests; the analyzer serves them with the JVM's). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      PrometheusTextFormatWriter.create().write(out, collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
