package io.faultline.analyzer;

import io.faultline.schema.MetricSample;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Counts late samples before the window aggregate sees them, with the rule Kafka Streams applies:
 * stream time is the largest sample time the task has seen; a sample whose window ended before
 * stream time but within the grace is late and still counted in its window; one whose window ended
 * more than the grace before stream time is dropped by the aggregate. Both are counted per
 * experiment in {@link AnalyzerMetrics}. Stream time here lives in memory, so right after a restart
 * the first late samples may go uncounted.
 */
final class LatenessCounter implements FixedKeyProcessor<String, MetricSample, MetricSample> {

  private final long windowMs;
  private final long graceMs;
  private final AnalyzerMetrics metrics;
  private FixedKeyProcessorContext<String, MetricSample> context;
  private long streamTime = Long.MIN_VALUE;
  private final java.util.Set<String> seen = new java.util.HashSet<>();

  LatenessCounter(long windowMs, long graceMs, AnalyzerMetrics metrics) {
    this.windowMs = windowMs;
    this.graceMs = graceMs;
    this.metrics = metrics;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, MetricSample> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, MetricSample> record) {
    long ts = record.timestamp();
    streamTime = Math.max(streamTime, ts);
    long windowEnd = ts - Math.floorMod(ts, windowMs) + windowMs;
    String experiment = record.value().getExperimentId();
    metrics.unit(record.value().getMetric(), record.value().getUnit());
    if (seen.add(experiment)) { // both series exist from the first sample on
      metrics.increment(AnalyzerMetrics.SAMPLES_DROPPED, 0, "experiment", experiment);
      metrics.increment(AnalyzerMetrics.SAMPLES_LATE, 0, "experiment", experiment);
    }
    // a summary counts as the samples it stands for; it comes after its window's end by design
    // (the collector publishes it then), so within the grace it is not late (docs/adr/0043)
    boolean summary = record.value().getSummary() != null;
    long samples = summary ? record.value().getSummary().getCount() : 1;
    if (windowEnd + graceMs <= streamTime) {
      metrics.increment(AnalyzerMetrics.SAMPLES_DROPPED, samples, "experiment", experiment);
    } else if (windowEnd <= streamTime && !summary) {
      metrics.increment(AnalyzerMetrics.SAMPLES_LATE, samples, "experiment", experiment);
    }
    context.forward(record);
  }
}
