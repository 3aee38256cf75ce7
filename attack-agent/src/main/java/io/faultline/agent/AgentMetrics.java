package io.faultline.agent;

import io.faultline.schema.AttackEventType;
import io.faultline.schema.ComponentMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.LongSupplier;

/**
 * The agent's figures on its /metrics, next to the JVM's and its Kafka clients': attacks active,
 * events by type (ACCEPTED, REJECTED, FAILED, STARTED are a command's outcomes; STOPPED and
 * ROLLED_BACK end an attack), how long the local recovery of an attack took, sends that failed, and
 * where a START's time goes (docs/adr/0103).
 */
final class AgentMetrics {

  private final Counter events;
  private final Histogram recovery;
  private final Histogram startSteps;

  AgentMetrics(ComponentMetrics metrics, LongSupplier active, LongSupplier failedSends) {
    GaugeWithCallback.builder()
        .name("faultline_agent_active_attacks")
        .help("Attacks this agent holds applied now")
        .callback(cb -> cb.call(active.getAsLong()))
        .register(metrics.registry());
    CounterWithCallback.builder()
        .name("faultline_agent_failed_sends_total")
        .help("Records the agent's producer could not send (they stay in the outbox)")
        .callback(cb -> cb.call(failedSends.getAsLong()))
        .register(metrics.registry());
    events =
        Counter.builder()
            .name("faultline_agent_attack_events_total")
            .help(
                "Attack events this agent emitted, by type: a command's outcome or an attack's end")
            .labelNames("type")
            .register(metrics.registry());
    for (AttackEventType t : AttackEventType.values()) {
      events.initLabelValues(t.name());
    }
    recovery =
        Histogram.builder()
            .name("faultline_agent_recovery_seconds")
            .help("Time to undo an attack's fault on its targets, locally, by fault")
            .unit(Unit.SECONDS)
            .labelNames("fault")
            .classicOnly()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(metrics.registry());
    // native buckets too (about 2% apart), for quantiles; the text format shows the classic ones
    startSteps =
        Histogram.builder()
            .name("faultline_agent_start_step_seconds")
            .help(
                "Time from the poll that returned a START to each step of its path, by step; the"
                    + " step polled is the command's age at that poll (milliseconds: its record's"
                    + " timestamp)")
            .unit(Unit.SECONDS)
            .labelNames("step")
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
            .nativeMaxNumberOfBuckets(1000)
            .register(metrics.registry());
  }

  void event(AttackEventType type) {
    events.labelValues(type.name()).inc();
  }

  /**
   * A START that reached STARTED: its command's age when polled ({@code ageMillis}, from its
   * record's timestamp) and its steps since that poll.
   */
  void started(long ageMillis, StartSteps steps) {
    startSteps.labelValues(StartSteps.Step.POLLED.label()).observe(Math.max(0, ageMillis) / 1e3);
    steps
        .sincePoll()
        .forEach((step, nanos) -> startSteps.labelValues(step.label()).observe(nanos / 1e9));
  }

  void recovered(String fault, long nanos) {
    recovery.labelValues(fault).observe(nanos / 1e9);
  }
}
