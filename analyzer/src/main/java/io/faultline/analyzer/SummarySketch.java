package io.faultline.analyzer;

import io.faultline.analyzer.stats.Quantiles;
import io.faultline.schema.SampleSummary;

/**
 * A summary's DDSketch decoded once per record (docs/adr/0047): the decode step validates it and
 * the window merges the same record on the same thread right after, so the last one decoded on each
 * thread is kept, for that very summary object only. The sketch is only read (merged from), never
 * changed.
 */
final class SummarySketch {

  private record Last(SampleSummary summary, Quantiles sketch) {}

  private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

  private SummarySketch() {}

  static Quantiles of(SampleSummary summary) {
    Last last = LAST.get();
    if (last != null && last.summary() == summary) {
      return last.sketch();
    }
    Quantiles sketch = Quantiles.decode(WindowPair.bytes(summary));
    LAST.set(new Last(summary, sketch));
    return sketch;
  }
}
