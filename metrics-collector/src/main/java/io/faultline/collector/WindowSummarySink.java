package io.faultline.collector;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.Durations;
import io.faultline.schema.MetricSample;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.SampleSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Pre-aggregation (docs/adr/0043): the per-request samples of a source (the HTTP probe's {@code
 * http.latency.ms} and {@code http.error}) are kept per experiment, metric, group, target and
 * tumbling window of the analyzer's size, and published as one summary each when the window ends (+
 * a delay for responses still on their way). Every other sample goes through as it comes. A sample
 * whose window was already published goes through raw, so it is never lost (the analyzer treats it
 * like any late sample); {@link #close()} publishes every window still open.
 */
public final class WindowSummarySink implements SampleSink {

  /** The probe's per-request metrics: hundreds per target and window. */
  static final Set<String> PER_REQUEST = Set.of("http.latency.ms", "http.error");

  /**
   * {@code collector.summary.window}: the analyzer's {@code analyzer.window} (default 5s, the
   * analyzer's default), or {@code raw} for one record per sample; {@code collector.summary.delay}
   * (default 200ms) after a window's end before it is published; it must be less than the
   * analyzer's {@code analyzer.grace}, or summaries arrive after their window closed and go raw or
   * late (the Helm chart checks both together).
   */
  public record Settings(Duration window, Duration delay) {

    static final String WINDOW = "collector.summary.window";
    static final String DELAY = "collector.summary.delay";

    /** The settings, or null for raw samples. */
    public static Settings fromMap(Map<String, String> map) {
      ConfigMap c = new ConfigMap(map);
      String fallback = Durations.format(SampleSummaries.DEFAULT_WINDOW);
      String text = c.get(WINDOW, fallback).strip();
      Duration delay = c.duration(DELAY, "200ms", Duration.ZERO, Duration.ofMinutes(1));
      if (text.equalsIgnoreCase("raw")) {
        return null;
      }
      Duration window =
          c.duration(WINDOW, fallback, SampleSummaries.MIN_WINDOW, SampleSummaries.MAX_WINDOW);
      if (delay.compareTo(window) >= 0) {
        throw new IllegalArgumentException(
            DELAY + " " + delay.toMillis() + "ms: must be below " + WINDOW + " (" + text + ")");
      }
      return new Settings(window, delay);
    }
  }

  private final SampleSink downstream;
  private final long windowMs;
  private final long delayMs;
  private final Predicate<MetricSample> summarised;
  private final LongSupplier clock;
  private final ScheduledExecutorService ticker;
  private final Map<String, Open> open = new LinkedHashMap<>();

  /** Every window that starts before this was published. */
  private long publishedBefore = Long.MIN_VALUE;

  private record Open(MetricSample first, SampleSummaries.Accumulator samples) {}

  /** Summarises the probe's per-request samples, ticking on its own daemon thread. */
  public static WindowSummarySink start(SampleSink downstream, Settings settings) {
    return new WindowSummarySink(
        downstream,
        settings,
        s -> PER_REQUEST.contains(s.getMetric()),
        System::currentTimeMillis,
        true);
  }

  WindowSummarySink(
      SampleSink downstream,
      Settings settings,
      Predicate<MetricSample> summarised,
      LongSupplier clock,
      boolean tick) {
    this.downstream = downstream;
    this.windowMs = settings.window().toMillis();
    this.delayMs = settings.delay().toMillis();
    this.summarised = summarised;
    this.clock = clock;
    if (tick) {
      ticker =
          Executors.newSingleThreadScheduledExecutor(
              DaemonThreads.named("collector-window-summaries"));
      long period = Math.max(10, Math.min(100, windowMs / 10));
      ticker.scheduleAtFixedRate(this::publishDue, period, period, TimeUnit.MILLISECONDS);
    } else {
      ticker = null;
    }
  }

  @Override
  public void publish(MetricSample s) {
    if (s.getError() || s.getSummary() != null || !summarised.test(s)) {
      downstream.publish(s);
      return;
    }
    long start = SampleSummaries.windowStart(s.getTimestamp(), windowMs);
    synchronized (this) {
      if (start >= publishedBefore) {
        String id =
            s.getExperimentId()
                + '\u0000'
                + s.getMetric()
                + '\u0000'
                + s.getGroup()
                + '\u0000'
                + s.getTarget()
                + '\u0000'
                + start
                + '\u0000'
                + s.getUnit()
                + '\u0000'
                + s.getLabels();
        open.computeIfAbsent(id, k -> new Open(s, new SampleSummaries.Accumulator(start, windowMs)))
            .samples()
            .add(s.getTimestamp(), s.getValue());
        return;
      }
    }
    downstream.publish(s); // its window is gone: raw, as a late sample
  }

  /** Publishes every window whose end + delay has passed. */
  void publishDue() {
    long now = clock.getAsLong();
    // the windows that start at most here ended at least the delay ago
    long before = SampleSummaries.windowStart(now - delayMs, windowMs);
    publish(take(before));
  }

  /** Summaries of the windows that start before {@code before}, removed from the open ones. */
  private synchronized List<MetricSample> take(long before) {
    publishedBefore = Math.max(publishedBefore, before);
    List<MetricSample> out = new ArrayList<>();
    for (Iterator<Open> it = open.values().iterator(); it.hasNext(); ) {
      Open o = it.next();
      if (o.samples().windowStart() < before) {
        out.add(summary(o));
        it.remove();
      }
    }
    return out;
  }

  private static MetricSample summary(Open o) {
    SampleSummary summary = o.samples().toSummary();
    return MetricSample.newBuilder(o.first())
        .setTimestamp(o.samples().latest())
        .setValue(summary.getMean())
        .setSummary(summary)
        .build();
  }

  private void publish(List<MetricSample> summaries) {
    for (MetricSample s : summaries) {
      downstream.publish(s);
    }
  }

  /** Windows being filled (for tests and /metrics). */
  synchronized int openWindows() {
    return open.size();
  }

  /**
   * Publishes every window still open, complete or not, so no sample is lost at shutdown; the
   * downstream sink stays open (its owner closes it). Later samples go through raw.
   */
  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    publish(take(Long.MAX_VALUE));
  }
}
