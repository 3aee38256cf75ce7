package io.faultline.bench;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Halt: with 1, 20 and 100 active {@code pause-process} attacks (each on its own real child
 * process), the time from publishing HALT_ALL to receiving the last ROLLED_BACK, and whether every
 * process runs again. Usage: {@code HaltBench}.
 */
public final class HaltBench {

  private HaltBench() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      System.out.println(
          "| active attacks | HALT_ALL to last ROLLED_BACK, ms | all processes resumed |");
      System.out.println("|---|---|---|");
      for (int n : new int[] {1, 20, 100}) {
        run(kafka.bootstrapServers(), n);
      }
    }
  }

  private static void run(String bootstrap, int n) throws Exception {
    String prefix = "halt" + n + ".";
    Topics topics = Topics.named(prefix);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Path targets = Files.createTempDirectory("halt-targets");
    Process[] victims = new Process[n];
    for (int i = 0; i < n; i++) {
      victims[i] = new ProcessBuilder("sleep", "600").start();
      Files.writeString(
          targets.resolve("v" + i + ".properties"),
          "name=v" + i + "\ngroup=EXPERIMENTAL\npid=" + victims[i].pid() + "\n");
    }
    AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
    try (AttackAgent agent =
            AgentMain.start(
                AgentConfig.fromMap(
                    Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "topics.prefix",
                        prefix,
                        "agent.max.concurrent",
                        "1000",
                        // every victim paused at once: all of the bench's own processes, on
                        // purpose (the blast radius counts across attacks, docs/adr/0096)
                        "agent.max.blast.radius.percent",
                        "100",
                        "agent.targets.dir",
                        targets.toString())));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", "0"),
                new StringSerializer(),
                new StringSerializer());
        var consumer =
            new KafkaConsumer<>(
                Map.<String, Object>of(
                    "bootstrap.servers",
                    bootstrap,
                    "group.id",
                    "halt-" + UUID.randomUUID(),
                    "auto.offset.reset",
                    "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      for (int i = 0; i < n; i++) {
        producer.send(
            new ProducerRecord<>(
                topics.attackCommands().name(),
                "halt",
                "{\"commandId\":\""
                    + UUID.randomUUID()
                    + "\",\"experimentId\":\"halt\",\"type\":\"START\","
                    + "\"fault\":\"pause-process\",\"target\":{\"names\":[\"v"
                    + i
                    + "\"],\"group\":\"EXPERIMENTAL\"},"
                    + "\"duration\":\"5m\"}"));
      }
      producer.flush();
      long deadline = System.currentTimeMillis() + 60_000;
      while (agent.activeAttacks().size() < n && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      if (agent.activeAttacks().size() < n) {
        throw new IllegalStateException(
            "only " + agent.activeAttacks().size() + " of " + n + " attacks started");
      }
      consumer.subscribe(List.of(topics.attackEvents().name()));
      long joined = System.currentTimeMillis() + 10_000;
      while (consumer.assignment().isEmpty() && System.currentTimeMillis() < joined) {
        consumer.poll(Duration.ofMillis(20)); // join the group before the clock starts
      }
      long sent = System.nanoTime();
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "halt",
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\"halt\",\"type\":\"HALT_ALL\"}"))
          .get();
      int rolledBack = 0;
      long lastAt = sent;
      deadline = System.currentTimeMillis() + 60_000;
      while (rolledBack < n && System.currentTimeMillis() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(5))) {
          if (serde.decode(r.value()).getType() == AttackEventType.ROLLED_BACK) {
            rolledBack++;
            lastAt = System.nanoTime();
          }
        }
      }
      boolean allResumed = true;
      for (Process v : victims) {
        String stat = Files.readString(Path.of("/proc/" + v.pid() + "/stat"));
        allResumed &= stat.charAt(stat.lastIndexOf(')') + 2) != 'T';
      }
      System.out.printf(
          Locale.ROOT,
          "| %d | %s | %s |%n",
          n,
          rolledBack == n
              ? String.format(Locale.ROOT, "%.1f", (lastAt - sent) / 1e6)
              : "only " + rolledBack + " rolled back",
          allResumed ? "yes" : "NO");
      System.out.printf(
          Locale.ROOT,
          "{\"bench\":\"halt\",\"active\":%d,\"rolled_back\":%d,\"halt_ms\":%.1f,\"all_resumed\":%s}%n",
          n,
          rolledBack,
          (lastAt - sent) / 1e6,
          allResumed);
    } finally {
      for (Process v : victims) {
        v.destroyForcibly();
      }
    }
  }
}
