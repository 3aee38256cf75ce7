package io.faultline.analyzer;

import io.faultline.analyzer.ExperimentTimeline.AttackSpan;
import io.faultline.analyzer.ExperimentTimeline.MetricTrack;
import io.faultline.analyzer.ExperimentTimeline.WindowStatus;
import io.faultline.analyzer.stats.Hypothesis;
import io.faultline.schema.Alert;
import io.faultline.schema.AlertStatus;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.CommandType;
import io.faultline.schema.Experiment;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.SteadyState;
import io.faultline.schema.WindowVerdict;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each experiment's timeline (attacks from attack.events, judged windows from the verdicts),
 * emits the alert lifecycle (FIRING once when a metric starts deviating, RESOLVED once when it is
 * steady again), the HALT_ALL command when a deviation passes a hypothesis' abort threshold (once
 * per experiment), and after every change a {@link ResultDue} for the experiment: {@link
 * ResultPublisher}, behind the cached table of those, computes the {@link ExperimentResult} from
 * the timeline once per commit (docs/adr/0046). Keyed by experiment in and out (the alerts are
 * re-keyed before their sink), so the table needs no repartition. Exactly-once processing plus the
 * changelogged store means no alert fires twice across restarts.
 */
final class ResultProcessor implements FixedKeyProcessor<String, ResultInput, Object> {

  /** An experiment's timeline changed at {@code at} (its record time): its result is due. */
  record ResultDue(long at) {}

  static final String STORE = "experiment-timelines";
  static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(ResultProcessor.class);

  private final ResultCalculator.Settings settings;
  private final Hypotheses hypotheses = new Hypotheses();
  private final AnalyzerMetrics metrics;
  private final Set<String> defined = new HashSet<>();
  private final ResultCalculator.SeverityLevels levels;
  private FixedKeyProcessorContext<String, Object> context;
  private KeyValueStore<String, ExperimentTimeline> store;

  ResultProcessor(ResultTerms terms) {
    this.settings = terms.settings();
    this.levels = terms.levels();
    this.metrics = terms.metrics();
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    hypotheses.init(context);
    context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::endSeries);
  }

  /**
   * Marks the experiments that ended (COMPLETED, ABORTED or FAILED on the experiments topic, or
   * deleted from it) and removes the series of those whose linger has passed, so their alerts
   * resolve and series do not pile up.
   */
  private void endSeries(long now) {
    for (String e : metrics.experiments()) {
      Experiment x = hypotheses.experiment(e);
      if (x == null) {
        if (defined.contains(e)) {
          metrics.ended(e, now); // tombstoned
        }
        continue;
      }
      defined.add(e);
      switch (x.getState()) {
        case COMPLETED, ABORTED, FAILED ->
            metrics.ended(e, x.getEndedAt() == null ? now : Math.min(now, x.getEndedAt()));
        default -> {}
      }
    }
    metrics.sweep(now);
  }

  @Override
  public void process(FixedKeyRecord<String, ResultInput> record) {
    String experimentId = record.key();
    ExperimentTimeline timeline = store.get(experimentId);
    if (timeline == null) {
      timeline = new ExperimentTimeline();
    }
    boolean changed;
    if (record.value().run() != null) {
      // a new PipelineRuns joins the timeline only when it took the sample: a sample that is not
      // a run's leaves the timeline as it was
      PipelineRuns runs = timeline.pipeline == null ? new PipelineRuns() : timeline.pipeline;
      changed = runs.add(record.value().run());
      if (changed) {
        timeline.pipeline = runs;
      }
    } else {
      changed =
          record.value().event() != null
              ? onAttackEvent(timeline, record.value().event())
              : onVerdict(
                  timeline, record.value().verdict(), hypotheses.definition(experimentId), record);
    }
    if (!changed) {
      return;
    }
    timeline.trim();
    store.put(experimentId, timeline);
    context.forward(record.withValue(new ResultDue(record.timestamp())));
  }

  /** {@link AnalyzerMetrics#ATTACK_ACTIVE} of the event's attack: 1 while it runs, 0 once ended. */
  private void attackActive(AttackEvent event, String fault, int active) {
    metrics.set(
        AnalyzerMetrics.ATTACK_ACTIVE,
        active,
        "experiment",
        event.getExperimentId(),
        "attack",
        event.getAttackId(),
        "fault",
        fault);
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
        if (span.endedAt != null) {
          // the attack's end is known: its STARTED came late (a span not started until now) or
          // again from the agent's outbox (docs/adr/0074); the attack is not active
          return true;
        }
        attackActive(event, event.getFault(), 1);
        return true;
      }
      case STOPPED, ROLLED_BACK, FAILED -> {
        AttackSpan span = timeline.attacks.get(event.getAttackId());
        if (span != null && span.endedAt != null) {
          return false; // ended already, started or not: the first end counts
        }
        if (span == null) {
          // the end before the start: the STARTED may still come from the agent's outbox
          // (docs/adr/0074); kept as not started until it does, and out of the result till then
          span = new AttackSpan();
          span.attackId = event.getAttackId();
          span.fault = event.getFault();
          span.startedAt = AttackSpan.NOT_STARTED;
          span.endedAt = event.getTimestamp();
          timeline.attacks.put(event.getAttackId(), span);
          return true;
        }
        span.endedAt = event.getTimestamp();
        attackActive(event, span.fault, 0);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /** {@code definition}: the experiment's, decoded at most once for this verdict. */
  private boolean onVerdict(
      ExperimentTimeline timeline,
      WindowVerdict verdict,
      Hypotheses.Definition definition,
      FixedKeyRecord<String, ?> record) {
    String metric = verdict.getMetric();
    WindowStatus window = timeline.windows.get(verdict.getWindowStart());
    if (window != null && window.contains(metric)) {
      return false; // the same window judged twice (replay): already counted, the timeline as it
      // was
    }
    if (window == null) {
      window = new WindowStatus();
      timeline.windows.put(verdict.getWindowStart(), window);
    }
    window.end = verdict.getWindowEnd();
    switch (verdict.getState()) {
      case DEVIATING -> window.deviating.add(metric);
      case STEADY -> window.steady.add(metric);
      default -> window.insufficient.add(metric);
    }
    MetricTrack track = timeline.metrics.computeIfAbsent(metric, m -> new MetricTrack());
    track.state = verdict.getState();
    track.windows++;
    track.lastEffect = verdict.getEffect();
    track.keepWindowMeans(
        verdict.getState(), verdict.getControl().getMean(), verdict.getExperimental().getMean());
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
        track.firings.add(new long[] {track.firedAt, -1});
        metrics.firing(verdict.getExperimentId(), metric);
        emitAlert(timeline, verdict, definition, AlertStatus.FIRING, track, record);
      }
      Hypothesis hypothesis = definition.of(metric);
      if (!timeline.aborted && hypothesis.abortsAt(verdict.getEffect())) {
        abort(timeline, verdict, hypothesis, record);
      }
    } else if (verdict.getState() == SteadyState.STEADY && track.firing) {
      track.firing = false;
      if (!track.firings.isEmpty()) {
        track.firings.get(track.firings.size() - 1)[1] = verdict.getWindowEnd();
      }
      metrics.resolved(
          verdict.getExperimentId(), metric, (verdict.getWindowEnd() - track.firedAt) / 1000.0);
      emitAlert(timeline, verdict, definition, AlertStatus.RESOLVED, track, record);
    }
    return true;
  }

  private void abort(
      ExperimentTimeline timeline,
      WindowVerdict v,
      Hypothesis hypothesis,
      FixedKeyRecord<String, ?> record) {
    timeline.aborted = true;
    timeline.abortReason =
        String.format(
            Locale.ROOT,
            "%s effect %+.1f%% in window %d-%d is beyond the abort threshold of %.1f%%",
            v.getMetric(),
            v.getEffect() * 100,
            v.getWindowStart(),
            v.getWindowEnd(),
            hypothesis.abortThreshold() * 100);
    AttackCommand halt =
        AttackCommand.newBuilder()
            .setCommandId("abort-" + v.getExperimentId())
            .setExperimentId(v.getExperimentId())
            .setType(CommandType.HALT_ALL)
            .setIssuedAt(System.currentTimeMillis())
            .setIssuedBy("faultline-analyzer")
            .build();
    log.warn("aborting experiment {}: {}", v.getExperimentId(), timeline.abortReason);
    context.forward(record.withValue(halt)); // keyed by the experiment, as the halt's sink wants
  }

  private void emitAlert(
      ExperimentTimeline timeline,
      WindowVerdict v,
      Hypotheses.Definition definition,
      AlertStatus status,
      MetricTrack track,
      FixedKeyRecord<String, ?> record) {
    Experiment experiment = definition.experiment();
    // noisy as the result counts it: resolved within the noisy time, not at an attack's end
    int q = definition.recoveryWindows(settings.recoveryWindows());
    List<long[]> recoveries =
        ResultCalculator.recoveries(
            timeline.attacks.values(), q, v.getWindowEnd() - v.getWindowStart());
    boolean selfResolving =
        status == AlertStatus.RESOLVED
            && ResultCalculator.AlertFigures.of(
                        List.of(new long[] {track.firedAt, v.getWindowEnd()}),
                        settings.noisyMs(),
                        recoveries)
                    .noisy()
                == 1;
    String reason =
        String.format(
            Locale.ROOT,
            "%s experimental mean %.3f vs control %.3f (effect %+.1f%%, log LR %.2f) in window %d-%d",
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
            .setService(ResultCalculator.serviceOf(experiment))
            .setSev(
                ResultCalculator.severityOf(
                    experiment, v.getMetric(), definition.of(v.getMetric()).critical(), levels))
            .setSelfResolving(selfResolving)
            .build();
    log.info("alert {} {}: {}", status, alert.getAlertId(), reason);
    context.forward(record.withValue(alert)); // re-keyed experiment|metric before its sink
  }
}
