package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.MetricTrack;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each experiment's timeline (attacks from attack.events, judged windows from the verdicts),
 * emits the alert lifecycle (FIRING once when a metric starts deviating, RESOLVED once when it is
 * steady again) and the recomputed {@link ExperimentResult} after every change. Exactly-once
 * processing plus the changelogged store means no alert fires twice across restarts.
 */
final class ResultProcessor implements Processor<String, ResultInput, String, SpecificRecord> {

  static final String STORE = "experiment-timelines";
  private static final Logger log = LoggerFactory.getLogger(ResultProcessor.class);

  private final int recoveryWindows;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, ExperimentTimeline> store;

  ResultProcessor(int recoveryWindows) {
    this.recoveryWindows = recoveryWindows;
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, ResultInput> record) {
    String experimentId = record.key();
    ExperimentTimeline timeline = store.get(experimentId);
    if (timeline == null) {
      timeline = new ExperimentTimeline();
    }
    boolean changed =
        record.value().event() != null
            ? onAttackEvent(timeline, record.value().event())
            : onVerdict(timeline, record.value().verdict(), record.timestamp());
    if (!changed) {
      return;
    }
    timeline.trim();
    store.put(experimentId, timeline);
    ExperimentResult result =
        ResultCalculator.compute(experimentId, timeline, recoveryWindows, record.timestamp());
    context.forward(new Record<>(experimentId, (SpecificRecord) result, record.timestamp()));
  }

  private boolean onAttackEvent(ExperimentTimeline timeline, AttackEvent event) {
    if (event.getAttackId() == null) {
      return false;
    }
    switch (event.getType()) {
      case STARTED -> {
        AttackSpan span =
            timeline.attacks.computeIfAbsent(event.getAttackId(), id -> new AttackSpan());
        span.attackId = event.getAttackId();
        span.fault = event.getFault();
        span.startedAt = event.getTimestamp();
        return true;
      }
      case STOPPED, ROLLED_BACK, FAILED -> {
        AttackSpan span = timeline.attacks.get(event.getAttackId());
        if (span == null || span.endedAt != null) {
          return false;
        }
        span.endedAt = event.getTimestamp();
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private boolean onVerdict(ExperimentTimeline timeline, WindowVerdict verdict, long timestamp) {
    WindowStatus window =
        timeline.windows.computeIfAbsent(verdict.getWindowStart(), s -> new WindowStatus());
    window.end = verdict.getWindowEnd();
    String metric = verdict.getMetric();
    if (window.contains(metric)) {
      return false; // the same window judged twice (replay): already counted
    }
    switch (verdict.getState()) {
      case DEVIATING -> window.deviating.add(metric);
      case STEADY -> window.steady.add(metric);
      default -> window.insufficient.add(metric);
    }
    MetricTrack track = timeline.metrics.computeIfAbsent(metric, m -> new MetricTrack());
    track.state = verdict.getState();
    track.windows++;
    track.lastEffect = verdict.getEffect();
    if (verdict.getState() == SteadyState.DEVIATING) {
      track.deviatingWindows++;
      if (track.firstDeviationAt == null) {
        track.firstDeviationAt = verdict.getWindowStart();
      }
      if (!track.firing) {
        AttackSpan attack =
            timeline.attackActiveIn(verdict.getWindowStart(), verdict.getWindowEnd());
        track.firing = true;
        track.firedAt = verdict.getWindowEnd();
        track.firingAttackId = attack == null ? null : attack.attackId;
        track.alerts++;
        emitAlert(verdict, AlertStatus.FIRING, track, timestamp);
      }
    } else if (verdict.getState() == SteadyState.STEADY && track.firing) {
      track.firing = false;
      emitAlert(verdict, AlertStatus.RESOLVED, track, timestamp);
    }
    return true;
  }

  private void emitAlert(WindowVerdict v, AlertStatus status, MetricTrack track, long timestamp) {
    String reason =
        String.format(
            Locale.ROOT,
            "%s experimental mean %.3f vs control %.3f (effect %+.1f%%, t=%.2f) in window %d-%d",
            v.getMetric(),
            v.getExperimental().getMean(),
            v.getControl().getMean(),
            v.getEffect() * 100,
            v.getTestStatistic(),
            v.getWindowStart(),
            v.getWindowEnd());
    Alert alert =
        Alert.newBuilder()
            .setAlertId(v.getExperimentId() + "|" + v.getMetric() + "|" + track.firedAt)
            .setExperimentId(v.getExperimentId())
            .setMetric(v.getMetric())
            .setStatus(status)
            .setSeverity("warning")
            .setReason(reason)
            .setAttackId(track.firingAttackId)
            .setFiredAt(track.firedAt)
            .setTimestamp(v.getWindowEnd())
            .build();
    log.info("alert {} {}: {}", status, alert.getAlertId(), reason);
    context.forward(
        new Record<>(
            Topics.metricKey(v.getExperimentId(), v.getMetric()),
            (SpecificRecord) alert,
            timestamp));
  }
}
