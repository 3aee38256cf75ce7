package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AttackState;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * STOP, idempotency by commandId, the concurrency limit, the attack.state record, and close(): one
 * agent per test (agent.max.concurrent 1), attacking a paused-then-resumed child process.
 */
class AgentLifecycleIT {

  private Topics topics;
  private Path targetsDir;
  private Process victim;
  private AttackAgent agent;
  private KafkaProducer<String, String> producer;
  private final List<AttackEvent> events = new CopyOnWriteArrayList<>();
  private final Map<String, Optional<AttackState>> states = new ConcurrentHashMap<>();
  private volatile boolean following = true;
  private Thread follower;

  @BeforeEach
  void start() throws Exception {
    String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    topics = new Topics(prefix, 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    targetsDir = Files.createTempDirectory("lifecycle-targets");
    victim = new ProcessBuilder("sleep", "300").start();
    Files.writeString(
        targetsDir.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\nport=0\nhost=127.0.0.1\n");
    agent =
        AgentMain.start(
            AgentConfig.fromMap(
                Map.of(
                    "bootstrap.servers",
                    TestBroker.bootstrapServers(),
                    "topics.prefix",
                    prefix,
                    "agent.id",
                    "agent-lifecycle",
                    "agent.max.concurrent",
                    "1",
                    "agent.targets.dir",
                    targetsDir.toString())));
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", TestBroker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer());
    follower = new Thread(this::follow, "lifecycle-follower");
    follower.start();
  }

  private void follow() {
    AvroSerde<AttackEvent> eventSerde = AvroSerde.of(AttackEvent.class);
    AvroSerde<AttackState> stateSerde = AvroSerde.of(AttackState.class);
    try (var consumer =
        new KafkaConsumer<>(
            TestBroker.consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.attackEvents().name(), topics.attackState().name()));
      while (following) {
        for (var r : consumer.poll(Duration.ofMillis(50))) {
          if (r.topic().equals(topics.attackState().name())) {
            states.put(
                r.key(),
                r.value() == null ? Optional.empty() : Optional.of(stateSerde.decode(r.value())));
          } else {
            events.add(eventSerde.decode(r.value()));
          }
        }
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
    following = false;
    follower.join(5000);
    producer.close();
    victim.destroyForcibly();
  }

  private void send(String experiment, String json) throws Exception {
    producer.send(new ProducerRecord<>(topics.attackCommands().name(), experiment, json)).get();
  }

  private static String pause(String commandId, String experiment, String duration) {
    return "{\"commandId\":\""
        + commandId
        + "\",\"experimentId\":\""
        + experiment
        + "\",\"type\":\"START\",\"fault\":\"pause-process\","
        + "\"target\":{\"kind\":\"process\",\"group\":\"EXPERIMENTAL\",\"mode\":\"one\"},"
        + "\"duration\":\""
        + duration
        + "\"}";
  }

  private AttackEvent await(Predicate<AttackEvent> match, Duration limit) throws Exception {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (System.currentTimeMillis() < deadline) {
      for (AttackEvent e : events) {
        if (match.test(e)) {
          return e;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching event within " + limit + "; events so far: " + events);
  }

  private AttackEvent await(String experiment, AttackEventType type) throws Exception {
    return await(
        e -> e.getExperimentId().equals(experiment) && e.getType() == type, Duration.ofSeconds(10));
  }

  /** The state letter of /proc/PID/stat: T when stopped by SIGSTOP. */
  private static char state(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void stopCommandRecoversTheAttackAndSaysStopped() throws Exception {
    String exp = "exp-stop";
    send(exp, pause(UUID.randomUUID().toString(), exp, "60s"));
    AttackEvent started = await(exp, AttackEventType.STARTED);
    assertThat(started.getTargets()).containsExactly("victim pid=" + victim.pid() + " SIGSTOP");
    assertThat(state(victim.pid())).isEqualTo('T');

    send(
        exp,
        "{\"commandId\":\""
            + UUID.randomUUID()
            + "\",\"experimentId\":\""
            + exp
            + "\",\"type\":\"STOP\",\"attackId\":\""
            + started.getAttackId()
            + "\"}");
    AttackEvent stopped = await(exp, AttackEventType.STOPPED);
    assertThat(stopped.getAttackId()).isEqualTo(started.getAttackId());
    assertThat(stopped.getTargets()).containsExactly("victim pid=" + victim.pid() + " SIGCONT");
    assertThat(state(victim.pid())).isNotEqualTo('T');
    assertThat(agent.activeAttacks()).isEmpty();
  }

  @Test
  void attackStateRecordsTheTargetsBeforeTheFaultAndIsTombstonedAfterRecovery() throws Exception {
    String exp = "exp-state";
    send(exp, pause(UUID.randomUUID().toString(), exp, "2s"));
    AttackEvent started = await(exp, AttackEventType.STARTED);
    long deadline = System.currentTimeMillis() + 5000;
    while (!states.containsKey(started.getAttackId()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    AttackState recorded = states.get(started.getAttackId()).orElseThrow();
    assertThat(recorded.getAgentId()).isEqualTo("agent-lifecycle");
    assertThat(recorded.getTargets()).containsExactly("victim pid=" + victim.pid());
    assertThat(recorded.getRecovery()).containsEntry("victim.pid", Long.toString(victim.pid()));
    assertThat(recorded.getExpiresAt() - recorded.getStartedAt()).isEqualTo(2000);

    await(exp, AttackEventType.ROLLED_BACK);
    deadline = System.currentTimeMillis() + 5000;
    while (states.get(started.getAttackId()).isPresent() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(states.get(started.getAttackId())).as("tombstone after recovery").isEmpty();
  }

  @Test
  void aRepeatedCommandIdIsAppliedOnce() throws Exception {
    String exp = "exp-repeat";
    String commandId = UUID.randomUUID().toString();
    send(exp, pause(commandId, exp, "1s"));
    send(exp, pause(commandId, exp, "1s"));
    await(exp, AttackEventType.ROLLED_BACK);
    // a marker command after both: once it is handled, the repeat has been too
    send("exp-marker", pause(UUID.randomUUID().toString(), "exp-marker", "1s"));
    await("exp-marker", AttackEventType.STARTED);
    assertThat(
            events.stream()
                .filter(e -> e.getExperimentId().equals(exp))
                .filter(e -> e.getType() == AttackEventType.STARTED))
        .hasSize(1);
  }

  @Test
  void aCommandBeyondMaxConcurrentIsRejectedAndCloseRecoversTheActiveOne() throws Exception {
    String exp = "exp-close";
    send(exp, pause(UUID.randomUUID().toString(), exp, "60s"));
    AttackEvent started = await(exp, AttackEventType.STARTED);
    send("exp-second", pause(UUID.randomUUID().toString(), "exp-second", "60s"));
    AttackEvent rejected = await("exp-second", AttackEventType.REJECTED);
    assertThat(rejected.getReason())
        .isEqualTo("blast radius: 1 attacks already active (agent.max.concurrent=1)");
    assertThat(state(victim.pid())).isEqualTo('T');

    long closing = System.currentTimeMillis();
    agent.close();
    System.out.println(
        "close() with one active attack took " + (System.currentTimeMillis() - closing) + " ms");
    assertThat(state(victim.pid())).as("resumed by close()").isNotEqualTo('T');
    AttackEvent rolledBack = await(exp, AttackEventType.ROLLED_BACK);
    assertThat(rolledBack.getAttackId()).isEqualTo(started.getAttackId());
    assertThat(rolledBack.getReason()).isEqualTo("agent shutting down");
    assertThat(victim.isAlive()).isTrue();
  }
}
