package io.faultline.collector;

import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One round of a source that asks each group target in turn (scrape, spark): a target that fails
 * gets a failed sample for each of the source's metrics, with the reason, and the others go on; the
 * round fails, with the latest error, only when every target failed, so the runner counts a source
 * error rather than a round of missing values.
 */
final class TargetRound {

  /** What a source reads from one target at {@code ts}; an exception fails that target only. */
  @FunctionalInterface
  interface Observation {
    List<MetricSample> observe(ConfigMap.GroupTarget target, long ts)
        throws IOException, InterruptedException;
  }

  private TargetRound() {}

  /**
   * Observes every target; a failed one publishes each of {@code metrics} as failed.
   *
   * @throws IOException the latest target's error, when every target failed
   */
  static List<MetricSample> collect(
      List<ConfigMap.GroupTarget> targets,
      Collection<String> metrics,
      Samples samples,
      Observation observation)
      throws IOException, InterruptedException {
    List<MetricSample> out = new ArrayList<>();
    int failed = 0;
    IOException latest = null;
    for (ConfigMap.GroupTarget t : targets) {
      long ts = System.currentTimeMillis();
      try {
        out.addAll(observation.observe(t, ts));
      } catch (IOException | RuntimeException e) {
        failed++;
        latest = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        for (String metric : metrics) {
          out.add(samples.failed(metric, t.group(), t.name(), ts, "", Samples.reason(latest)));
        }
      }
    }
    if (!targets.isEmpty() && failed == targets.size()) {
      throw latest;
    }
    return out;
  }
}
