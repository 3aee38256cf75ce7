package io.faultline.analyzer;

import io.faultline.analyzer.stats.EDetector;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.analyzer.stats.Quantiles;
import io.faultline.analyzer.stats.Summary;
import io.faultline.schema.GroupStatistics;
import io.faultline.schema.WindowVerdict;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges each closed window of one metric with {@link WindowJudge} under the metric's hypothesis
 * (from the experiment's record, else the default) and the first attack's STARTED time (the global
 * store {@code attack-starts}, docs/adr/0042), keeps the monitor in the store {@code
 * metric-monitors}, publishes the window's figures to {@link AnalyzerMetrics} and forwards the
 * WindowVerdict, with both groups' count, mean, variance, min, max and p50/p95/p99.
 */
final class VerdictProcessor
    implements Processor<Windowed<String>, WindowPair, String, WindowVerdict> {

  private static final Logger log = LoggerFactory.getLogger(VerdictProcessor.class);

  static final String STORE = "metric-monitors";

  private final int defaultWarmupWindows;
  private final long windowMs;
  private final long horizonWindows;
  private final Hypotheses hypotheses;
  private final AttackStarts attackStarts = new AttackStarts();
  private final AnalyzerMetrics metrics;
  private ProcessorContext<String, WindowVerdict> context;
  private KeyValueStore<String, WindowJudge.Monitor> store;

  VerdictProcessor(
      int warmupWindows,
      long windowMs,
      long horizonWindows,
      Hypotheses hypotheses,
      AnalyzerMetrics metrics) {
    this.defaultWarmupWindows = warmupWindows;
    this.windowMs = windowMs;
    this.horizonWindows = horizonWindows;
    this.hypotheses = hypotheses;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, WindowVerdict> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    hypotheses.init(context);
    attackStarts.init(context);
  }

  @Override
  public void process(Record<Windowed<String>, WindowPair> record) {
    String key = record.key().key();
    int bar = key.indexOf('|');
    String experimentId = bar < 0 ? key : key.substring(0, bar);
    String metric = bar < 0 ? "" : key.substring(bar + 1);
    WindowPair pair = record.value();
    // the definition decoded once for this window, not per question (docs/adr/0052)
    Hypotheses.Definition definition = hypotheses.definition(experimentId);
    Hypothesis hypothesis = definition.of(metric);
    WindowJudge.Monitor monitor = store.get(key);
    if (monitor == null) {
      monitor = new WindowJudge.Monitor();
      monitor.warmupWindows = definition.warmupWindows(defaultWarmupWindows, windowMs);
      monitor.horizon = horizonWindows;
    }
    if (!monitor.ready && monitor.learnUntil == 0) {
      monitor.learnUntil = definition.learnUntil();
      // an experiment with a planned start is anchored where its first attack really started
      // (docs/adr/0042); a monitor stored before keeps the planned start
      monitor.startFromEvents = monitor.learnUntil > 0;
    }
    if (monitor.startFromEvents && !anchored(monitor)) {
      long started = attackStarts.first(experimentId);
      if (started > 0) {
        monitor.attackAt = started;
      }
    }
    boolean wasReady = monitor.ready;
    boolean wasUnlearned = monitor.unlearned;
    long windowEnd = record.key().window().end();
    // each p99 once: the judge's and the verdict's (docs/adr/0097)
    double controlP99 = pair.controlQuantiles().quantile(0.99);
    double experimentalP99 = pair.experimentalQuantiles().quantile(0.99);
    WindowJudge.Judged judged =
        FailureCounters.applies(metric, hypothesis)
            ? FailureCounters.judge(
                monitor,
                pair.control(),
                pair.experimental(),
                hypothesis,
                record.key().window().start(),
                windowEnd)
            : WindowJudge.judge(
                monitor,
                pair.control(),
                pair.experimental(),
                controlP99,
                experimentalP99,
                hypothesis,
                record.key().window().start(),
                windowEnd);
    store.put(key, monitor);
    if (monitor.unlearned && !wasUnlearned) {
      log.warn(
          "{} {}: only {} usable warm-up windows before the warm-up ended at {} (at least {}"
              + " needed: both groups with enough samples per window); this metric is not judged."
              + " Start its source earlier or lengthen steadyState.warmup",
          experimentId,
          metric,
          monitor.warmup.size(),
          java.time.Instant.ofEpochMilli(monitor.learnUntil),
          WindowJudge.MIN_WARMUP_WINDOWS);
    }
    // the line's arguments cost a tenth of the judge when built and not logged (docs/adr/0097)
    if (monitor.ready && !wasReady && log.isInfoEnabled()) {
      // what every later window of this metric is judged against: the first thing to read when
      // a deviation is (or is not) reported
      log.info(
          "{} {}: steady state learned from {} warm-up windows{}: expected experimental = {} x"
              + " control + {}; tolerated rise {} (the tolerance; docs/adr/0014); per"
              + " statistic: {}; {}",
          experimentId,
          metric,
          monitor.learnedFrom,
          monitor.learnedFrom < monitor.warmupWindows
              ? " (of " + monitor.warmupWindows + ": the warm-up ended first)"
              : "",
          String.format(java.util.Locale.ROOT, "%.3f", monitor.scale),
          String.format(java.util.Locale.ROOT, "%.3f", monitor.offset),
          String.format(java.util.Locale.ROOT, "%.3f", monitor.theta0),
          describe(monitor),
          hypothesis.policy());
    }

    // the constructor, not the builder: the builder's build copies each unset field's default
    // (docs/adr/0097); activeAttackId is the one unset, its default null
    WindowVerdict v =
        new WindowVerdict(
            experimentId,
            metric,
            record.key().window().start(),
            windowEnd,
            statistics(pair.control(), pair.controlQuantiles(), controlP99),
            statistics(pair.experimental(), pair.experimentalQuantiles(), experimentalP99),
            judged.effect(),
            judged.statistic(),
            judged.pValue(),
            judged.state(),
            null,
            judged.changePointMs(),
            finite(judged.effectLow()),
            finite(judged.effectHigh()));
    metrics.judged(key, v);
    context.forward(new Record<>(key, v, record.timestamp()));
  }

  /**
   * Every detector of the monitor has its anchor (placed or spent): {@link WindowJudge} no longer
   * reads {@code attackAt}, so the global store {@code attack-starts} need not be read again for
   * this metric (docs/adr/0046). False while the start is unknown or any anchor is pending.
   */
  static boolean anchored(WindowJudge.Monitor m) {
    if (m.attackAt <= 0 || m.tracks == null || m.tracks.isEmpty()) {
      return false;
    }
    for (WindowJudge.Track t : m.tracks) {
      if (t.detector == null || t.detector.anchor == 0 || t.detector.anchor == EDetector.PENDING) {
        return false;
      }
    }
    return true;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String describe(WindowJudge.Monitor m) {
    StringBuilder b = new StringBuilder();
    for (WindowJudge.Track t : m.tracks) {
      b.append(
          String.format(
              java.util.Locale.ROOT,
              "%s%s %s offset %.3f theta0 %.3f drift variance %.3g phi %.2f",
              b.length() == 0 ? "" : ", ",
              t.statistic.name().toLowerCase(java.util.Locale.ROOT),
              t.log ? "(log)" : "",
              t.offset,
              t.theta0,
              t.driftVariance,
              t.phi));
    }
    return b.toString();
  }

  static GroupStatistics statistics(Summary s, Quantiles q) {
    return statistics(s, q, q.quantile(0.99));
  }

  /** {@code p99} is {@code q.quantile(0.99)}, computed by the caller. */
  private static GroupStatistics statistics(Summary s, Quantiles q, double p99) {
    boolean any = !q.isEmpty();
    return new GroupStatistics(
        s.count(),
        s.mean(),
        s.variance(),
        s.min(),
        s.max(),
        s.sum(),
        any ? q.quantile(0.5) : null,
        any ? q.quantile(0.95) : null,
        any ? p99 : null);
  }

  static GroupStatistics statistics(Summary s) {
    return statistics(s, new Quantiles());
  }
}
