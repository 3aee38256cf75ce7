package io.faultline.analyzer;

import io.faultline.schema.AttackOutcome;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.MetricJudgement;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Computes an experiment's {@link ExperimentResult} from its timeline (store {@code
 * experiment-timelines}, kept by {@link ResultProcessor}) when the cached table of due results
 * forwards it, so once per commit however many verdicts and events changed the timeline since
 * (docs/adr/0046); publishes the result's figures as /metrics series and forwards it.
 *
 * <p>It is the result the last of those changes would have had computed on its own: the same
 * timeline, at the same record time (the due marker's). Only an experiment definition changed in
 * between (the global table) is read as it is at the commit.
 */
final class ResultPublisher implements FixedKeyProcessor<String, Long, ExperimentResult> {

  private final ResultCalculator.Settings settings;
  private final ResultCalculator.SeverityLevels levels;
  private final Hypotheses hypotheses = new Hypotheses();
  private final AnalyzerMetrics metrics;
  private FixedKeyProcessorContext<String, ExperimentResult> context;
  private KeyValueStore<String, ExperimentTimeline> store;

  ResultPublisher(ResultTerms terms) {
    this.settings = terms.settings();
    this.levels = terms.levels();
    this.metrics = terms.metrics();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, ExperimentResult> context) {
    this.context = context;
    this.store = context.getStateStore(ResultProcessor.STORE);
    hypotheses.init(context);
  }

  @Override
  public void process(FixedKeyRecord<String, Long> record) {
    String experimentId = record.key();
    ExperimentTimeline timeline = store.get(experimentId);
    if (timeline == null || record.value() == null) {
      return; // nothing was judged or the marker was removed: no result to publish
    }
    long at = record.value();
    // the definition decoded once for the whole result, not per metric (docs/adr/0052)
    Hypotheses.Definition definition = hypotheses.definition(experimentId);
    int q = definition.recoveryWindows(settings.recoveryWindows());
    ExperimentResult result =
        ResultCalculator.compute(
            experimentId, timeline, settings.withRecoveryWindows(q), definition::of, at);
    // the result is this call's own: attributed without a copy
    ResultCalculator.attributeInPlace(result, definition.experiment(), levels);
    if (timeline.pipeline != null) {
      result = PipelineRuns.fold(result, timeline.pipeline.verdict(definition::of));
    }
    publish(result);
    timeline.metrics.forEach(
        (metric, t) ->
            metrics.set(
                AnalyzerMetrics.ALERTS_FIRING,
                t.firing ? 1 : 0,
                "experiment",
                experimentId,
                "metric",
                metric));
    context.forward(record.withValue(result));
  }

  /**
   * The result's figures as /metrics series: every metric's alert counts, since several verdicts
   * and events may have changed them since the last result.
   */
  private void publish(ExperimentResult r) {
    String e = r.getExperimentId();
    for (AttackOutcome o : r.getAttacks()) {
      if (o.getMttdMs() != null) {
        metrics.set(
            AnalyzerMetrics.MTTD,
            o.getMttdMs() / 1000.0,
            "experiment",
            e,
            "attack",
            o.getAttackId(),
            "fault",
            o.getFault());
      }
      if (o.getMttrMs() != null) {
        metrics.set(
            AnalyzerMetrics.MTTR,
            o.getMttrMs() / 1000.0,
            "experiment",
            e,
            "attack",
            o.getAttackId(),
            "fault",
            o.getFault());
      }
    }
    for (MetricJudgement m : r.getMetrics()) {
      metrics.set(
          AnalyzerMetrics.ALERTS_FIRED,
          m.getAlertsFired(),
          "experiment",
          e,
          "metric",
          m.getMetric());
      metrics.set(
          AnalyzerMetrics.ALERTS_NOISY,
          m.getNoisyAlerts(),
          "experiment",
          e,
          "metric",
          m.getMetric());
    }
    if (r.getScore() != null) {
      metrics.set(AnalyzerMetrics.SCORE, r.getScore() / 100, "experiment", e);
    }
    metrics.set(AnalyzerMetrics.ABORTED, r.getAborted() ? 1 : 0, "experiment", e);
    if (r.getAborted()) {
      metrics.ended(e, context.currentSystemTimeMs());
    }
  }
}
