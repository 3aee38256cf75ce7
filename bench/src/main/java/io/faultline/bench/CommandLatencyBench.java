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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Command to fault: the time from publishing a JSON attack command to receiving its STARTED event,
 * over N commands against the in-process broker and the local executor ({@code pause-process} on a
 * real child process). Baseline, same broker, same run: a bare produce-to-consume round trip of one
 * record. The command path has two hops (command, then event) plus the fault itself.
 *
 * <p>Usage: {@code CommandLatencyBench [N] [--steps]} (default 200). Prints a Markdown table and a
 * JSON line; with {@code --steps}, also where a START's time goes (docs/adr/0103): the p50 and p99
 * of each step's time since the agent's poll returned the command, read from the agent's own {@code
 * faultline_agent_start_step_seconds} histogram (native buckets, about 2% wide; the warm-up
 * commands subtracted), and the two Kafka hops on millisecond clocks (the command's age when
 * polled, STARTED's from its timestamp to the bench's receipt).
 */
public final class CommandLatencyBench {

  private CommandLatencyBench() {}

  public static void main(String[] args) throws Exception {
    List<String> options = List.of(args);
    boolean steps = options.contains("--steps");
    int n =
        options.stream()
            .filter(a -> !a.startsWith("--"))
            .findFirst()
            .map(Integer::parseInt)
            .orElse(200);
    Path targets = Files.createTempDirectory("bench-targets");
    Process victim = new ProcessBuilder("sleep", "3600").start();
    Files.writeString(
        targets.resolve("victim.properties"),
        "name=victim\ngroup=EXPERIMENTAL\npid=" + victim.pid() + "\nport=0\n");
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      String bootstrap = kafka.bootstrapServers();
      Topics topics = Topics.named("bench.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        TopicProvisioner.ensure(admin, topics, (short) 1);
        admin.createTopics(List.of(new NewTopic("bench.baseline", 1, (short) 1))).all().get();
      }
      double[] baseline = baseline(bootstrap, n);
      double[] command;
      StepTimes stepTimes = steps ? new StepTimes() : null;
      try (AttackAgent agent =
          AgentMain.start(
              AgentConfig.fromMap(
                  Map.of(
                      "bootstrap.servers",
                      bootstrap,
                      "topics.prefix",
                      "bench.",
                      "agent.max.concurrent",
                      "1000",
                      "agent.targets.dir",
                      targets.toString())))) {
        command = commandToStarted(bootstrap, topics, n, agent, stepTimes);
      }
      report(n, baseline, command);
      if (stepTimes != null) {
        stepTimes.report(n, command);
      }
    } finally {
      victim.destroyForcibly();
    }
  }

  private static double[] baseline(String bootstrap, int n) throws Exception {
    double[] ms = new double[n];
    try (var producer = producer(bootstrap);
        var consumer = consumer(bootstrap)) {
      consumer.subscribe(List.of("bench.baseline"));
      warmUp(consumer);
      for (int i = 0; i < n + 20; i++) {
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>("bench.baseline", "k", "v" + i)).get();
        boolean received = false;
        long deadline = System.currentTimeMillis() + 10_000;
        while (!received) {
          received = !consumer.poll(Duration.ofMillis(100)).isEmpty();
          if (!received && System.currentTimeMillis() > deadline) {
            throw new IllegalStateException(
                "baseline record "
                    + i
                    + " not consumed within 10 s; the broker or consumer is stuck");
          }
        }
        if (i >= 20) {
          ms[i - 20] = (System.nanoTime() - sent) / 1e6;
        }
      }
    }
    return ms;
  }

  private static double[] commandToStarted(
      String bootstrap, Topics topics, int n, AttackAgent agent, StepTimes stepTimes)
      throws Exception {
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Double> latencies = new ArrayList<>();
    AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
    try (var producer = producer(bootstrap);
        var consumer = consumer(bootstrap)) {
      consumer.subscribe(List.of(topics.attackEvents().name()));
      warmUp(consumer);
      for (int i = 0; i < n + 10; i++) {
        if (stepTimes != null && i == 10) {
          stepTimes.afterWarmUp(agent);
        }
        String experiment = "bench-" + i;
        String json =
            "{\"commandId\":\""
                + UUID.randomUUID()
                + "\",\"experimentId\":\""
                + experiment
                + "\",\"type\":\"START\",\"fault\":\"pause-process\",\"target\":{\"kind\":\"process\","
                + "\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},\"duration\":\"1s\"}";
        long sent = System.nanoTime();
        sentAt.put(experiment, sent);
        producer.send(new ProducerRecord<>(topics.attackCommands().name(), experiment, json)).get();
        boolean started = false;
        long deadline = System.currentTimeMillis() + 10_000;
        while (!started && System.currentTimeMillis() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(100))) {
            AttackEvent e = serde.decode(r.value());
            if (e.getType() == AttackEventType.STARTED && e.getExperimentId().equals(experiment)) {
              started = true;
              if (i >= 10) {
                latencies.add((System.nanoTime() - sent) / 1e6);
                if (stepTimes != null) {
                  stepTimes.startedHop(System.currentTimeMillis() - e.getTimestamp());
                }
              }
            } else if (e.getType() == AttackEventType.REJECTED
                || e.getType() == AttackEventType.FAILED) {
              throw new IllegalStateException(
                  "bench command " + e.getType() + ": " + e.getReason());
            }
          }
        }
        if (!started) {
          throw new IllegalStateException("no STARTED for " + experiment + " within 10 s");
        }
      }
    }
    if (stepTimes != null) {
      stepTimes.atEnd(agent);
    }
    return latencies.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * A consumer as clients have one: its fetch waits on the broker (up to the default 500 ms) and
   * returns as soon as a record is appended, so no poll loop spins and takes the CPU the agent
   * needs on a small machine (docs/adr/0033).
   */
  /** The baseline's and the commands' producer: each send on its own, acknowledged by all. */
  private static KafkaProducer<String, String> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", "0", "acks", "all"),
        new StringSerializer(),
        new StringSerializer());
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    return new KafkaConsumer<>(
        Map.<String, Object>of(
            "bootstrap.servers",
            bootstrap,
            "group.id",
            "bench-" + UUID.randomUUID(),
            "auto.offset.reset",
            "latest"),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static void warmUp(KafkaConsumer<String, byte[]> consumer) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (consumer.assignment().isEmpty() && System.currentTimeMillis() < deadline) {
      consumer.poll(Duration.ofMillis(50));
    }
    // resolve the starting offsets now: resolved lazily, a record sent meanwhile would be skipped
    consumer.assignment().forEach(tp -> consumer.position(tp, Duration.ofSeconds(10)));
  }

  static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void report(int n, double[] baseline, double[] command) {
    double b50 = percentile(baseline, 50);
    double b99 = percentile(baseline, 99);
    double c50 = percentile(command, 50);
    double c99 = percentile(command, 99);
    System.out.println(
        "| measure (n="
            + n
            + ", in-process broker) | p50 ms | p99 ms | p50 ratio to baseline |"
            + " p99 ratio to baseline |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| produce-to-consume round trip (baseline) | %.2f | %.2f | 1.0 | 1.0 |%n",
        b50,
        b99);
    System.out.printf(
        Locale.ROOT,
        "| command published to STARTED received (pause-process) | %.2f | %.2f | %.1f | %.1f |%n",
        c50,
        c99,
        c50 / b50,
        c99 / b99);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"command-to-started\",\"n\":%d,\"baseline_p50_ms\":%.3f,\"baseline_p99_ms\":%.3f,"
            + "\"command_p50_ms\":%.3f,\"command_p99_ms\":%.3f,\"ratio_p50\":%.2f,"
            + "\"ratio_p99\":%.2f}%n",
        n,
        b50,
        b99,
        c50,
        c99,
        c50 / b50,
        c99 / b99);
  }
}
