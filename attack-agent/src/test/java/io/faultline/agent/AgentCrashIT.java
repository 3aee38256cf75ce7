package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An agent process is killed with SIGKILL while its target is paused (SIGSTOP); the fault must not
 * outlive it: a restarted agent process with the same id (from its local journal, JVM start
 * included), or another agent of the group (from attack.state), resumes it.
 */
class AgentCrashIT {

  private static char processState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"restarted", "another"})
  void aKilledAgentsFaultIsRecovered(String recoverer) throws Exception {
    String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 1);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createTempDirectory("crash-targets");
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\n");
    String crashyId = "crashy-" + UUID.randomUUID().toString().substring(0, 6);
    Path outbox = Files.createTempDirectory("crash-outbox");

    ProcessBuilder child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AgentMain.class.getName(),
                "--bootstrap-server",
                TestBroker.bootstrapServers(),
                "--targets-dir",
                targets.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    child.environment().put("FAULTLINE_AGENT_ID", crashyId);
    child.environment().put("FAULTLINE_TOPICS_PREFIX", prefix);
    child.environment().put("FAULTLINE_AGENT_LEASE", "6s");
    child.environment().put("FAULTLINE_AGENT_OUTBOX_DIR", outbox.toString());
    Process agentProcess = child.start();
    Process restarted = null;

    List<AttackEvent> events = new CopyOnWriteArrayList<>();
    AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
    try (var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer());
        var consumer =
            new KafkaConsumer<>(
                TestBroker.consumerConfig(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.attackEvents().name()));
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "crash",
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\"crash\",\"type\":\"START\","
                      + "\"fault\":\"pause-process\",\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},"
                      + "\"duration\":\"2m\"}"))
          .get();
      awaitEvent(consumer, serde, events, AttackEventType.STARTED, Duration.ofSeconds(60));
      assertThat(processState(victim.pid())).isEqualTo('T');

      agentProcess.destroyForcibly().waitFor();
      long killedAt = System.currentTimeMillis();
      Thread.sleep(500);
      assertThat(processState(victim.pid())).as("still paused after the agent died").isEqualTo('T');

      if (recoverer.equals("restarted")) {
        // a real restart: a new JVM with the same agent.id and outbox dir
        long launchedAt = System.currentTimeMillis();
        restarted = child.start();
        AttackEvent rolledBack =
            awaitEvent(
                consumer, serde, events, AttackEventType.ROLLED_BACK, Duration.ofSeconds(40));
        long now = System.currentTimeMillis();
        System.out.println(
            "restarted agent JVM recovered the orphan "
                + (now - killedAt)
                + " ms after the crash, "
                + (now - launchedAt)
                + " ms after its launch (JVM start included; the event is read from Kafka)");
        assertThat(rolledBack.getReason()).contains("orphan").contains("local journal");
        assertThat(rolledBack.getTargets().get(0)).contains("SIGCONT");
        assertThat(processState(victim.pid())).isNotEqualTo('T');
        assertThat(now - killedAt).isLessThan(15_000L);
        return;
      }
      Map<String, String> conf =
          Map.of(
              "bootstrap.servers",
              TestBroker.bootstrapServers(),
              "topics.prefix",
              prefix,
              "agent.id",
              "rescuer-" + UUID.randomUUID(),
              "agent.lease",
              "6s",
              "agent.targets.dir",
              targets.toString(),
              "agent.outbox.dir",
              outbox.toString());
      try (AttackAgent rescuer = AgentMain.start(AgentConfig.fromMap(conf))) {
        AttackEvent rolledBack =
            awaitEvent(
                consumer, serde, events, AttackEventType.ROLLED_BACK, Duration.ofSeconds(40));
        long after = System.currentTimeMillis() - killedAt;
        System.out.println(
            recoverer + " agent recovered the orphan " + after + " ms after the crash");
        assertThat(rolledBack.getReason()).contains("orphan");
        assertThat(rolledBack.getTargets().get(0)).contains("SIGCONT");
        assertThat(processState(victim.pid())).isNotEqualTo('T');
        assertThat(after).isLessThan(25_000L);
      }
    } finally {
      agentProcess.destroyForcibly();
      if (restarted != null) {
        restarted.destroyForcibly();
      }
      victim.destroyForcibly();
    }
  }

  private static AttackEvent awaitEvent(
      KafkaConsumer<byte[], byte[]> consumer,
      AvroSerde<AttackEvent> serde,
      List<AttackEvent> events,
      AttackEventType type,
      Duration limit) {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (System.currentTimeMillis() < deadline) {
      consumer.poll(Duration.ofMillis(100)).forEach(r -> events.add(serde.decode(r.value())));
      for (AttackEvent e : events) {
        if (e.getType() == type) {
          return e;
        }
      }
    }
    throw new AssertionError("no " + type + " within " + limit + "; events: " + events);
  }
}
