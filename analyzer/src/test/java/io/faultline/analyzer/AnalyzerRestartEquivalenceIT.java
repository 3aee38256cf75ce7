package io.faultline.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.AnalyzerSettings;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once across a restart: the same experiment (steady state, an attack that shifts latency,
 * recovery) is analysed twice on the same broker, once without interruption and once with the
 * analyzer stopped mid-attack and restarted with an empty state directory (stores restored from
 * their changelogs). Both publish the same final ExperimentResult, each window's verdict exactly
 * once, and the same alerts. The interrupted run is made three times: on RocksDB stores, on
 * in-memory ones ({@code analyzer.state.stores=memory}, docs/adr/0063), whose open windows,
 * monitors and timelines exist only in their changelogs once the instance is closed, and switched
 * from RocksDB to memory at the restart, as an operator would change the setting.
 */
@Tag("side-by-side")
class AnalyzerRestartEquivalenceIT {

  private static final String EXPERIMENT = "exp-eq";
  private static final int WINDOWS = 24;
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);

  /** What one run published, read with read_committed. */
  record Published(
      ExperimentResult result, Map<Long, Integer> verdictsPerWindow, List<String> alerts) {}

  @Test
  void anInterruptedRunOnEitherStorePublishesWhatAnUninterruptedOneDoes() throws Exception {
    long t0 = (System.currentTimeMillis() / 5000) * 5000 - 900_000;
    Published straight = run(t0, StateStores.ROCKSDB, null);
    assertThat(straight.verdictsPerWindow()).hasSizeGreaterThanOrEqualTo(WINDOWS - 2);
    assertThat(straight.alerts()).anyMatch(a -> a.startsWith("FIRING"));
    ExperimentResult a = straight.result();
    a.setUpdatedAt(0L);
    assertThat(a.getAttacks()).isNotEmpty();
    assertThat(a.getAttacks().get(0).getMttdMs()).isNotNull();
    List<List<StateStores>> restarts =
        List.of(
            List.of(StateStores.ROCKSDB, StateStores.ROCKSDB),
            List.of(StateStores.MEMORY, StateStores.MEMORY),
            List.of(StateStores.ROCKSDB, StateStores.MEMORY));
    for (List<StateStores> stores : restarts) {
      Published interrupted = run(t0, stores.get(0), stores.get(1));
      assertThat(interrupted.verdictsPerWindow().values())
          .as("each window judged exactly once, " + stores)
          .containsOnly(1);
      assertThat(interrupted.verdictsPerWindow()).isEqualTo(straight.verdictsPerWindow());
      assertThat(interrupted.alerts())
          .as("same alerts, none twice, " + stores)
          .isEqualTo(straight.alerts());
      ExperimentResult b = interrupted.result();
      b.setUpdatedAt(0L);
      assertThat(b).as("the final ExperimentResult, " + stores).isEqualTo(a);
    }
  }

  /** One run on {@code first}; with {@code restarted}, stopped mid-attack and restarted on it. */
  private Published run(long t0, StateStores first, StateStores restarted) throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("eq"));
    try (var producer = LatencySamples.producer();
        var verdicts = TopicFollower.startCommitted(topics.steadyState());
        var alerts = TopicFollower.startCommitted(topics.alerts());
        var results = TopicFollower.startCommitted(topics.results())) {
      AnalyzerApp.Running analyzer = AnalyzerApp.run(config(topics, first));
      try {
        // the attack: started at window 8, stopped at the end of window 12
        event(producer, topics, AttackEventType.STARTED, t0 + 8 * 5000L);
        send(producer, topics, t0, 0, WINDOWS / 2);
        if (restarted != null) {
          verdicts.awaitAtLeast(
              5, AnalyzerRestartEquivalenceIT::ofThisExperiment, Duration.ofSeconds(90));
          analyzer.close(); // mid-attack
          // an empty state dir: every store restored from its changelog
          analyzer = AnalyzerApp.run(config(topics, restarted));
        }
        event(producer, topics, AttackEventType.STOPPED, t0 + 13 * 5000L);
        send(producer, topics, t0, WINDOWS / 2, WINDOWS);
        send(producer, topics, t0, WINDOWS + 3, WINDOWS + 4); // moves stream time: all close
        verdicts.awaitAtLeast(
            WINDOWS - 2, AnalyzerRestartEquivalenceIT::ofThisExperiment, Duration.ofSeconds(120));
        Thread.sleep(4000); // a duplicate or a late result would arrive within a few commits
        Map<Long, Integer> perWindow = new HashMap<>();
        verdicts.values().stream()
            .filter(AnalyzerRestartEquivalenceIT::ofThisExperiment)
            .forEach(v -> perWindow.merge(v.getWindowStart(), 1, Integer::sum));
        List<String> alertLines =
            alerts.values().stream()
                .map(a -> a.getStatus() + " " + a.getMetric() + " fired " + a.getFiredAt())
                .toList();
        List<ExperimentResult> published = results.values();
        assertThat(published).as("a result on " + topics.results().name()).isNotEmpty();
        return new Published(published.get(published.size() - 1), perWindow, alertLines);
      } finally {
        analyzer.close();
      }
    }
  }

  private static boolean ofThisExperiment(WindowVerdict v) {
    return v.getExperimentId().equals(EXPERIMENT);
  }

  private static AnalyzerConfig config(Topics topics, StateStores stores) throws Exception {
    // the restarted instance joins the closed one's group: 6 s of session, not 45 s, to wait
    Map<String, String> settings =
        new HashMap<>(AnalyzerSettings.forTestBroker(topics).sessionAtBrokerMinimum().toMap());
    settings.put(StateStores.KEY, stores.configName());
    return AnalyzerConfig.fromMap(settings);
  }

  private static void event(
      KafkaProducer<String, byte[]> producer, Topics topics, AttackEventType type, long ts)
      throws Exception {
    AttackEvent e =
        AttackEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setExperimentId(EXPERIMENT)
            .setType(type)
            .setAttackId("attack-1")
            .setFault("cpu-burn")
            .setTimestamp(ts)
            .build();
    producer
        .send(
            new ProducerRecord<>(
                topics.attackEvents().name(), null, ts, EXPERIMENT, EVENTS.encode(e)))
        .get();
  }

  /**
   * Windows [from, to): latency 20 ms in both groups, 60 ms in the experimental one while attacked.
   */
  private static void send(
      KafkaProducer<String, byte[]> producer, Topics topics, long t0, int from, int to) {
    LatencySamples.send(
        producer, topics, EXPERIMENT, t0, from, to, w -> w >= 8 && w <= 12 ? 60 : 20);
  }
}
