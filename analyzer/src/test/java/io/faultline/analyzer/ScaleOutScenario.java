package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.Alert;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.SteadyState;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The input of the scale-out tests: {@value #EXPERIMENTS} experiments at once, so that their keys
 * spread over the partitions of {@code metrics} and every analyzer instance owns some. Each has an
 * attack from window 8 to the end of window 12; in the even-numbered experiments it triples the
 * experimental group's latency, in the odd ones it changes nothing. The same input every run
 * (seeded noise, one fixed start time per test), so two runs publish the same figures.
 */
final class ScaleOutScenario {

  static final int EXPERIMENTS = 6;
  static final int WINDOWS = 24;
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);

  /** What one run published, read with read_committed: every figure the analyzer decides. */
  record Published(
      Map<String, ExperimentResult> results,
      Map<String, WindowVerdict> verdicts,
      Map<String, Integer> verdictsPerWindow,
      List<String> alerts) {}

  /** Something a test does between the two halves of the input (stop, kill, restart). */
  interface MidExperiment {
    void run() throws Exception;
  }

  /** Waits until the analyzers have processed and committed everything sent so far. */
  interface Pacing {
    void awaitCommitted(Topics topics) throws Exception;
  }

  private final long t0;
  private final int shards;
  private final Pacing pacing;

  /** Windows 5 s wide from a start a quarter of an hour ago, the same for every run of a test. */
  ScaleOutScenario() {
    this(1, null);
  }

  /**
   * Keys sharded as a collector with {@code shards} shards writes them, and every window sent only
   * once {@code pacing} says the previous one is committed: the shards' partials of a window then
   * all reach the merge before any partial of the next window, which is what closes it, so every
   * run merges the same partials (docs/adr/0039). Sent at once, a task whose flush came first would
   * close the windows of the others' shards before their partials arrived, and those would be
   * dropped as late (ShardMerge): a replay faster than the grace, not a live fleet.
   */
  ScaleOutScenario(int shards, Pacing pacing) {
    this.t0 = (System.currentTimeMillis() / 5000) * 5000 - 900_000;
    this.shards = shards;
    this.pacing = pacing;
  }

  static String experiment(int i) {
    return "exp-scale-" + i;
  }

  /**
   * Sends the first half of the input, waits for verdicts of it, runs {@code mid}, sends the rest
   * and collects what the analyzers (already started by the caller) published on {@code topics}.
   * Paced, {@code mid} runs after the first window of the second half is sent and before it is
   * committed, so a killed instance may die inside its transaction.
   */
  Published run(Topics topics, MidExperiment mid) throws Exception {
    try (var producer = LatencySamples.producer();
        var verdicts = TopicFollower.startCommitted(topics.steadyState());
        var alerts = TopicFollower.startCommitted(topics.alerts());
        var results = TopicFollower.startCommitted(topics.results())) {
      for (int e = 0; e < EXPERIMENTS; e++) {
        event(producer, topics, experiment(e), AttackEventType.STARTED, t0 + 8 * 5000L);
      }
      send(producer, topics, 0, WINDOWS / 2);
      verdicts.awaitAtLeast(EXPERIMENTS * 4, v -> true, Duration.ofSeconds(120));
      if (pacing == null) {
        mid.run();
      }
      for (int e = 0; e < EXPERIMENTS; e++) {
        event(producer, topics, experiment(e), AttackEventType.STOPPED, t0 + 13 * 5000L);
      }
      if (pacing != null) {
        send(producer, topics, WINDOWS / 2, WINDOWS / 2 + 1, false);
        mid.run();
        pacing.awaitCommitted(topics);
        send(producer, topics, WINDOWS / 2 + 1, WINDOWS);
      } else {
        send(producer, topics, WINDOWS / 2, WINDOWS);
      }
      send(producer, topics, WINDOWS + 3, WINDOWS + 4); // moves stream time: all windows close
      verdicts.awaitAtLeast(EXPERIMENTS * (WINDOWS - 2), v -> true, Duration.ofSeconds(180));
      // every verdict also reaches the results through a repartition topic, later: wait for the
      // result that counts all of an experiment's judged windows, committed in the transaction
      // after its alerts, so that a slow task's alerts are not taken for lost ones
      for (int e = 0; e < EXPERIMENTS; e++) {
        String id = experiment(e);
        long judged =
            verdicts.values().stream()
                .filter(v -> v.getExperimentId().equals(id))
                .filter(
                    v ->
                        v.getState() == SteadyState.STEADY || v.getState() == SteadyState.DEVIATING)
                .count();
        results.awaitAtLeast(
            1,
            r -> r.getExperimentId().equals(id) && r.getWindowsJudged() >= judged,
            Duration.ofSeconds(120));
      }
      Thread.sleep(4000); // a duplicate or a late record would arrive within a few commits
      Map<String, WindowVerdict> byWindow = new TreeMap<>();
      Map<String, Integer> perWindow = new TreeMap<>();
      for (WindowVerdict v : verdicts.values()) {
        String key = v.getExperimentId() + "|" + v.getMetric() + "|" + v.getWindowStart();
        byWindow.put(key, v);
        perWindow.merge(key, 1, Integer::sum);
      }
      Map<String, ExperimentResult> last = new TreeMap<>();
      for (ExperimentResult r : results.values()) {
        ExperimentResult copy = ExperimentResult.newBuilder(r).build();
        copy.setUpdatedAt(0L);
        last.put(r.getExperimentId(), copy);
      }
      List<String> alertLines =
          alerts.values().stream().map(ScaleOutScenario::describe).sorted().toList();
      return new Published(last, byWindow, perWindow, alertLines);
    }
  }

  /** The checks every run must pass on its own, before two runs are compared. */
  static void assertComplete(Published p) {
    assertThat(p.verdictsPerWindow().values())
        .as("each window judged exactly once")
        .containsOnly(1);
    assertThat(p.verdicts()).hasSizeGreaterThanOrEqualTo(EXPERIMENTS * (WINDOWS - 2));
    assertThat(p.results()).hasSize(EXPERIMENTS);
    assertThat(p.alerts()).as("no alert twice").doesNotHaveDuplicates();
    assertThat(p.alerts())
        .as("the attacked even-numbered experiments fire")
        .anyMatch(a -> a.startsWith(experiment(0) + " FIRING"));
  }

  /** Both runs complete, and {@code other} published every figure {@code expected} did. */
  static void assertSame(Published expected, Published other, String what) {
    assertComplete(expected);
    assertComplete(other);
    assertThat(other.verdicts())
        .as(what + ": every window's verdict")
        .isEqualTo(expected.verdicts());
    assertThat(other.alerts()).as(what + ": the alerts").isEqualTo(expected.alerts());
    assertThat(other.results())
        .as(what + ": each experiment's final result")
        .isEqualTo(expected.results());
  }

  private static String describe(Alert a) {
    return a.getExperimentId() + " " + a.getStatus() + " " + a.getMetric() + " " + a.getFiredAt();
  }

  private static void event(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      String experiment,
      AttackEventType type,
      long ts)
      throws Exception {
    AttackEvent e =
        AttackEvent.newBuilder()
            .setEventId(UUID.nameUUIDFromBytes((experiment + type).getBytes()).toString())
            .setExperimentId(experiment)
            .setType(type)
            .setAttackId("attack-" + experiment)
            .setFault("cpu-burn")
            .setTimestamp(ts)
            .build();
    producer
        .send(
            new ProducerRecord<>(
                topics.attackEvents().name(), null, ts, experiment, EVENTS.encode(e)))
        .get();
  }

  /**
   * Windows [from, to) of every experiment, window by window: experiments share partitions, and a
   * partition's stream time must not run ahead of one experiment while another is still behind.
   */
  private void send(KafkaProducer<String, byte[]> producer, Topics topics, int from, int to)
      throws Exception {
    send(producer, topics, from, to, true);
  }

  private void send(
      KafkaProducer<String, byte[]> producer, Topics topics, int from, int to, boolean paced)
      throws Exception {
    for (int w = from; w < to; w++) {
      for (int e = 0; e < EXPERIMENTS; e++) {
        boolean effect = e % 2 == 0;
        LatencySamples.send(
            producer,
            topics,
            experiment(e),
            t0,
            w,
            w + 1,
            x -> effect && x >= 8 && x <= 12 ? 60 : 20,
            shards);
      }
      if (paced && pacing != null) {
        pacing.awaitCommitted(topics);
      }
    }
  }
}
