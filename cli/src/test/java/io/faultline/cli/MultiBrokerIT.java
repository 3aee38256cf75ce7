package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.kafka.EmbeddedKafkaCluster;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.AttackCommandCodec;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.CommandType;
import io.faultline.schema.ExperimentResult;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.TargetSelector;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import io.faultline.schema.WindowVerdict;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 3-broker KRaft cluster (replication factor 3, min.insync.replicas 2) with an agent and an
 * analyzer on it; the broker leading the commands' partition is stopped without a controlled
 * shutdown mid-experiment, while a fault is active and commands are in flight (docs/adr/0024).
 * Every command is handled, the fault ends at its duration (well inside the agent's lease), and the
 * analyzer publishes the same verdicts and results as the same run without the kill. That run goes
 * on the single test broker while the cluster starts (docs/adr/0039): the figures the analyzer
 * decides do not depend on the replication, and the two runs one after the other on the cluster
 * took 3.6-6 min on the shared 2-core machine; now 60-116 s at load 4-49, so it runs in every
 * {@code ./mvnw verify}.
 */
class MultiBrokerIT {

  private static final AvroSerde<MetricSample> SAMPLES = AvroSerde.of(MetricSample.class);
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);
  private static final String METRIC = "http.latency.ms";
  private static final List<String> EXPERIMENTS = List.of("mb-shifted", "mb-unaffected");
  private static final int WINDOWS = 16;
  private static final int DRY_RUNS = 60;
  private static final long PAUSE_MS = 6000;

  private static CompletableFuture<EmbeddedKafkaCluster> starting;
  private static EmbeddedKafkaCluster cluster;

  /** What one run published and what happened to its commands and its victim. */
  record Outcome(
      Map<String, WindowVerdict> verdicts,
      Map<String, ExperimentResult> results,
      int accepted,
      long pauseOverrunMs) {}

  /** The cluster starts while the run without a kill goes on the test broker. */
  @BeforeAll
  static void startCluster() {
    starting =
        CompletableFuture.supplyAsync(
            () -> EmbeddedKafkaCluster.start(3), task -> new Thread(task, "cluster-start").start());
  }

  @AfterAll
  static void stopCluster() {
    EmbeddedKafkaCluster started = starting.exceptionally(e -> null).join();
    if (started != null) {
      started.close();
    }
  }

  @Test
  void aBrokerKilledMidExperimentLosesNoCommandAndChangesNoVerdict() throws Exception {
    long t0 = (System.currentTimeMillis() / 5000) * 5000 - 900_000;
    // without the kill: the same agent, analyzer and input on the single test broker (what the
    // analyzer decides does not depend on the replication), overlapping the cluster's start
    Outcome whole = run(t0, TestBroker.bootstrapServers(), false);
    cluster = starting.join();
    Outcome killed = run(t0, cluster.bootstrapServers(), true);

    for (Outcome o : List.of(whole, killed)) {
      assertThat(o.accepted()).as("every dry-run command handled").isEqualTo(DRY_RUNS);
      // the bound is the lease's (no fault outlives it); the margin over the duration is a
      // loaded machine's: at load 35-55 the expiry's kill -CONT took 1.1-1.5 s to spawn
      assertThat(o.pauseOverrunMs())
          .as("the pause ends at its expiry (+5 s), far inside the 30 s lease")
          .isLessThanOrEqualTo(5000);
      assertThat(o.verdicts()).hasSizeGreaterThanOrEqualTo(EXPERIMENTS.size() * (WINDOWS - 2));
      assertThat(o.results()).containsKeys(EXPERIMENTS.toArray(String[]::new));
    }
    assertThat(killed.verdicts()).as("every window's verdict").isEqualTo(whole.verdicts());
    assertThat(killed.results()).as("the results").isEqualTo(whole.results());
    assertThat(whole.results().get("mb-shifted").getVerdict().toString()).isEqualTo("DEVIATED");
  }

  private Outcome run(long t0, String bootstrap, boolean kill) throws Exception {
    Topics topics = new Topics(TestTopics.prefix(kill ? "mb-killed" : "mb-whole"), 3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      if (kill) {
        TopicProvisioner.ensure(admin, topics, (short) 3, Map.of("min.insync.replicas", "2"));
      } else {
        TopicProvisioner.ensure(admin, topics, (short) 1, Map.of());
      }
    }
    try (VictimProcess victim = VictimProcess.start();
        var producer = producer(bootstrap);
        var verdicts = TopicFollower.startCommitted(topics.steadyState(), bootstrap);
        var results = TopicFollower.startCommitted(topics.results(), bootstrap);
        var events = TopicFollower.startCommitted(topics.attackEvents(), bootstrap)) {
      TargetFiles targets =
          TargetFiles.create("mb-targets").process("victim", "EXPERIMENTAL", victim.pid());
      // the two start side by side: each mostly waits for its group and its topics
      AgentConfig agentConfig =
          AgentConfig.fromMap(
              AgentSettings.forBroker(bootstrap, topics, targets.dir())
                  .set("agent.lease", "30s")
                  .set("agent.outbox.dir", Files.createTempDirectory("mb-outbox").toString())
                  .toMap());
      CompletableFuture<AttackAgent> agentStart =
          CompletableFuture.supplyAsync(
              () -> AgentMain.start(agentConfig), task -> new Thread(task, "agent-start").start());
      AnalyzerApp.Running analyzer =
          AnalyzerApp.run(
              AnalyzerConfig.fromMap(
                  Map.of(
                      "bootstrap.servers",
                      bootstrap,
                      "topics.prefix",
                      topics.prefix(),
                      "analyzer.application.id",
                      topics.prefix() + "analyzer",
                      "analyzer.state.dir",
                      Files.createTempDirectory("mb-analyzer").toString())));
      AttackAgent agent = agentStart.join();
      try {
        for (String e : EXPERIMENTS) {
          event(producer, topics, e, AttackEventType.STARTED, t0 + 6 * 5000L);
        }
        samples(producer, topics, t0, 0, WINDOWS / 2);
        // mid-experiment: the analyzer is running (its internal topics exist) and judging
        verdicts.awaitAtLeast(
            EXPERIMENTS.size() * 4,
            v -> EXPERIMENTS.contains(v.getExperimentId()),
            Duration.ofSeconds(120));
        String pauseId = "pause-" + UUID.randomUUID();
        send(producer, topics, command("mb-pause", pauseId, PAUSE_MS, false));
        awaitState(victim, 'T', Duration.ofSeconds(30));
        AtomicLong resumedAt = new AtomicLong();
        Thread watch = watchResume(victim, resumedAt);
        for (int i = 0; i < DRY_RUNS; i++) {
          send(producer, topics, command("mb-dry-" + (i % 5), "dry-" + i, 10_000, true));
          if (kill && i == DRY_RUNS / 3) {
            awaitFullIsr(); // a healthy cluster loses a broker, not the only replica in sync
            cluster.kill(leaderOf(topics.attackCommands().name()));
          }
        }
        for (String e : EXPERIMENTS) {
          event(producer, topics, e, AttackEventType.STOPPED, t0 + 11 * 5000L);
        }
        samples(producer, topics, t0, WINDOWS / 2, WINDOWS);
        samples(producer, topics, t0, WINDOWS + 3, WINDOWS + 4); // all windows close
        watch.join(30_000);
        assertThat(resumedAt.get()).as("the victim runs again").isPositive();
        List<AttackEvent> started =
            events.awaitAtLeast(
                1,
                e -> e.getType() == AttackEventType.STARTED && pauseId.equals(e.getCommandId()),
                Duration.ofSeconds(30));
        long expiresAt = Long.parseLong(started.get(0).getDetails().get("expiresAt"));
        // the agent stamps ROLLED_BACK once SIGCONT is sent: with the watch thread's sighting,
        // whichever is first, a loaded machine's late watch thread does not count as an overrun
        long rolledBackAt =
            events
                .awaitAtLeast(
                    1,
                    e ->
                        e.getType() == AttackEventType.ROLLED_BACK
                            && pauseId.equals(e.getCommandId()),
                    Duration.ofSeconds(30))
                .get(0)
                .getTimestamp();
        List<AttackEvent> accepted =
            events.awaitAtLeast(
                DRY_RUNS,
                e -> e.getType() == AttackEventType.ACCEPTED && e.getCommandId().startsWith("dry-"),
                Duration.ofSeconds(90));
        verdicts.awaitAtLeast(
            EXPERIMENTS.size() * (WINDOWS - 2),
            v -> EXPERIMENTS.contains(v.getExperimentId()),
            Duration.ofSeconds(180));
        for (String e : EXPERIMENTS) {
          // the result that has taken in every window: results follow the verdicts through a
          // repartition topic and a transaction of their own, so they may come seconds later
          results.awaitAtLeast(
              1,
              r ->
                  r.getExperimentId().equals(e)
                      && r.getMetrics().stream().anyMatch(m -> m.getWindows() >= WINDOWS),
              Duration.ofSeconds(120));
        }
        Thread.sleep(3000); // a duplicate would arrive within a few commits
        Set<String> acceptedIds =
            accepted.stream().map(AttackEvent::getCommandId).collect(Collectors.toSet());
        Map<String, WindowVerdict> byWindow = new TreeMap<>();
        List<String> twice = new ArrayList<>();
        for (WindowVerdict v : verdicts.values()) {
          if (EXPERIMENTS.contains(v.getExperimentId())
              && byWindow.put(v.getExperimentId() + "|" + v.getWindowStart(), v) != null) {
            twice.add(v.getExperimentId() + "|" + v.getWindowStart());
          }
        }
        assertThat(twice).as("windows judged twice").isEmpty();
        Map<String, ExperimentResult> last = new TreeMap<>();
        for (ExperimentResult r : results.values()) {
          if (EXPERIMENTS.contains(r.getExperimentId())) {
            ExperimentResult copy = ExperimentResult.newBuilder(r).build();
            copy.setUpdatedAt(0L);
            last.put(r.getExperimentId(), copy);
          }
        }
        return new Outcome(
            byWindow,
            last,
            acceptedIds.size(),
            Math.min(resumedAt.get(), rolledBackAt) - expiresAt);
      } finally {
        analyzer.close();
        agent.close();
        // the killed broker stays down: the cluster is closed after this last run
      }
    }
  }

  /** Waits until every partition of every topic, internal ones too, has all 3 replicas in sync. */
  private static void awaitFullIsr() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      long deadline = System.currentTimeMillis() + 60_000;
      String lagging = "";
      while (System.currentTimeMillis() < deadline) {
        Set<String> names =
            admin
                .listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(10, TimeUnit.SECONDS);
        lagging =
            admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                .flatMap(
                    d ->
                        d.partitions().stream()
                            .filter(p -> p.isr().size() < p.replicas().size())
                            .map(p -> d.name() + "-" + p.partition()))
                .collect(Collectors.joining(", "));
        if (lagging.isEmpty()) {
          return;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("replicas still out of sync after 60 s: " + lagging);
    }
  }

  private static int leaderOf(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .get(0)
          .leader()
          .id();
    }
  }

  /** Notes when the paused victim runs again, to the 10 ms. */
  private static Thread watchResume(VictimProcess victim, AtomicLong resumedAt) {
    Thread watch =
        new Thread(
            () -> {
              long deadline = System.currentTimeMillis() + 60_000;
              while (victim.state() == 'T' && System.currentTimeMillis() < deadline) {
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
              if (victim.state() != 'T') {
                resumedAt.set(System.currentTimeMillis());
              }
            },
            "watch-victim");
    watch.setDaemon(true);
    watch.start();
    return watch;
  }

  private static void awaitState(VictimProcess victim, char state, Duration limit)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (victim.state() != state && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(victim.state()).as("victim state").isEqualTo(state);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.<String, Object>of(
            "bootstrap.servers", bootstrap,
            "acks", "all",
            "delivery.timeout.ms", "120000",
            "request.timeout.ms", "5000"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private static AttackCommand command(String experiment, String id, long ms, boolean dryRun) {
    return AttackCommand.newBuilder()
        .setCommandId(id)
        .setExperimentId(experiment)
        .setType(CommandType.START)
        .setFault("pause-process")
        .setTarget(
            TargetSelector.newBuilder()
                .setNames(List.of("victim"))
                .setGroup(Group.EXPERIMENTAL)
                .build())
        .setDurationMs(ms)
        .setDryRun(dryRun)
        .setIssuedAt(System.currentTimeMillis())
        .build();
  }

  private static void send(KafkaProducer<String, byte[]> producer, Topics topics, AttackCommand c)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                topics.attackCommands().name(), c.getExperimentId(), AttackCommandCodec.toAvro(c)))
        .get(120, TimeUnit.SECONDS);
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
        .get(120, TimeUnit.SECONDS);
  }

  /**
   * Windows [from, to) of 40 samples per group, window by window for both experiments (they may
   * share a partition, whose stream time must not pass one while the other is behind); the shifted
   * experiment triples while attacked.
   */
  private static void samples(
      KafkaProducer<String, byte[]> producer, Topics topics, long t0, int from, int to) {
    for (int w = from; w < to; w++) {
      for (String experiment : EXPERIMENTS) {
        window(producer, topics, t0, experiment, w);
      }
    }
    producer.flush();
  }

  private static void window(
      KafkaProducer<String, byte[]> producer, Topics topics, long t0, String experiment, int w) {
    String key = Topics.metricKey(experiment, METRIC);
    Random random = new Random(w);
    boolean attacked = experiment.equals("mb-shifted") && w >= 6 && w <= 10;
    for (int i = 0; i < 40; i++) {
      long ts = t0 + w * 5000L + i * 120L;
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        double mean = g == Group.EXPERIMENTAL && attacked ? 60 : 20;
        MetricSample s =
            MetricSample.newBuilder()
                .setExperimentId(experiment)
                .setMetric(METRIC)
                .setGroup(g)
                .setTarget(g.name())
                .setTimestamp(ts)
                .setValue(mean * (1 + 0.1 * random.nextGaussian()))
                .build();
        producer.send(
            new ProducerRecord<>(topics.metrics().name(), null, ts, key, SAMPLES.encode(s)));
      }
    }
  }
}
