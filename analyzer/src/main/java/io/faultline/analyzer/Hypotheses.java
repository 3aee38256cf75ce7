package io.faultline.analyzer;

import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.schema.Experiment;
import io.faultline.schema.MetricHypothesis;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up an experiment's declared steady-state hypotheses in the global store of the {@code
 * experiments} topic; a metric without a declaration, or an experiment not (yet) published, gets
 * {@link Hypothesis#defaultFor}. A declaration with a bad value is logged once, naming the
 * experiment, metric and field, and the default is used.
 *
 * <p>The store keeps the definition as Avro bytes, so each read decodes it: a processor takes one
 * {@link Definition} per record and asks it everything, which decodes at most once (docs/adr/0052).
 */
final class Hypotheses {

  static final String STORE = "experiment-definitions";
  private static final Logger log = LoggerFactory.getLogger(Hypotheses.class);

  private TimestampedKeyValueStore<String, Experiment> store;
  private final Set<String> warned = new HashSet<>();

  void init(ProcessingContext context) {
    try {
      store = context.getStateStore(STORE);
    } catch (RuntimeException e) {
      store = null; // a topology without the experiments table: defaults only
    }
  }

  /** The experiment as the global table has it now (decoded on every call); null without one. */
  Experiment experiment(String experimentId) {
    if (store == null) {
      return null;
    }
    ValueAndTimestamp<Experiment> v = store.get(experimentId);
    return v == null ? null : v.value();
  }

  /** The experiment's definition for one record: read and decoded on first use, then kept. */
  Definition definition(String experimentId) {
    return new Definition(experimentId);
  }

  /** One experiment's definition as read once for the record being processed. */
  final class Definition {
    private final String experimentId;
    private boolean read;
    private Experiment experiment;

    private Definition(String experimentId) {
      this.experimentId = experimentId;
    }

    /** The decoded definition; null when the experiment is not (or not readably) published. */
    Experiment experiment() {
      if (!read) {
        experiment = Hypotheses.this.experiment(experimentId);
        read = true;
      }
      return experiment;
    }

    Hypothesis of(String metric) {
      Experiment experiment = experiment();
      MetricHypothesis declared = null;
      if (experiment != null && experiment.getHypotheses() != null) {
        for (MetricHypothesis h : experiment.getHypotheses()) {
          if (metric.equals(h.getMetric())) {
            declared = h;
          }
        }
      }
      try {
        return Hypothesis.of(metric, declared);
      } catch (IllegalArgumentException e) {
        if (warned.add(experimentId + "|" + metric)) {
          log.error(
              "experiment {}: {}; using the default hypothesis", experimentId, e.getMessage());
        }
        return Hypothesis.defaultFor(metric);
      }
    }

    /** Warm-up windows: from the experiment's warmupMs when set, else the configured number. */
    int warmupWindows(int configured, long windowMs) {
      Experiment experiment = experiment();
      if (experiment == null || experiment.getWarmupMs() == null || experiment.getWarmupMs() <= 0) {
        return configured;
      }
      return (int) Math.max(2, Math.min(1000, experiment.getWarmupMs() / windowMs));
    }

    /**
     * When the experiment's warm-up ends (startedAt + warmupMs, epoch ms): no window after it is
     * learned from, since attacks may start then. 0 when the experiment does not say.
     */
    long learnUntil() {
      Experiment experiment = experiment();
      if (experiment == null
          || experiment.getStartedAt() == null
          || experiment.getWarmupMs() == null
          || experiment.getWarmupMs() <= 0) {
        return 0;
      }
      return experiment.getStartedAt() + experiment.getWarmupMs();
    }

    /** q: from the experiment's recoveryWindows when set (1..100), else the configured number. */
    int recoveryWindows(int configured) {
      Experiment experiment = experiment();
      Integer q = experiment == null ? null : experiment.getRecoveryWindows();
      return q == null || q < 1 || q > 100 ? configured : q;
    }
  }
}
