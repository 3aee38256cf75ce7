package io.faultline.analyzer;

import io.faultline.schema.MetricSample;

/**
 * Counts late samples before the window aggregate sees them, with the rule Kafka Streams applies:
 * stream time is the largest sample time the task has seen; a sample whose window ended before
 * stream time but within the grace is late and still counted in its window; one whose window ended
 * more than the grace before stream time is dropped by the aggregate. Both are counted per
 * experiment in {@link AnalyzerMetrics}. Stream time here lives in memory, so right after a restart
 * the first late samples may go uncounted. One per task: {@link SampleIntake} calls it for every
 * sample it passes on.
 */
final class LatenessCounter {

  private final long windowMs;
  private final long graceMs;
  private final AnalyzerMetrics metrics;
  private long streamTime = Long.MIN_VALUE;
  private final java.util.Set<String> seen = new java.util.HashSet<>();

  LatenessCounter(long windowMs, long graceMs, AnalyzerMetrics metrics) {
    this.windowMs = windowMs;
    this.graceMs = graceMs;
    this.metrics = metrics;
  }

  /** Counts {@code sample}, whose record time is {@code ts}, if it is late or dropped. */
  void count(MetricSample sample, long ts) {
    streamTime = Math.max(streamTime, ts);
    long windowEnd = ts - Math.floorMod(ts, windowMs) + windowMs;
    String experiment = sample.getExperimentId();
    metrics.unit(sample.getMetric(), sample.getUnit());
    if (seen.add(experiment)) { // both series exist from the first sample on
      metrics.increment(AnalyzerMetrics.SAMPLES_DROPPED, 0, "experiment", experiment);
      metrics.increment(AnalyzerMetrics.SAMPLES_LATE, 0, "experiment", experiment);
    }
    // a summary counts as the samples it stands for; it comes after its window's end by design
    // (the collector publishes it then), so within the grace it is not late (docs/adr/0043)
    boolean summary = sample.getSummary() != null;
    long samples = summary ? sample.getSummary().getCount() : 1;
    if (windowEnd + graceMs <= streamTime) {
      metrics.increment(AnalyzerMetrics.SAMPLES_DROPPED, samples, "experiment", experiment);
    } else if (windowEnd <= streamTime && !summary) {
      metrics.increment(AnalyzerMetrics.SAMPLES_LATE, samples, "experiment", experiment);
    }
  }
}
