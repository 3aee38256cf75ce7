package io.faultline.bench;

import io.faultline.agent.AgentMain;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The attack agent's own footprint, read from /proc of an agent JVM started as a child process (as
 * an operator runs it): CPU (utime + stime), RSS and threads sampled every second, heap in use
 * ({@code jcmd GC.heap_info}) at the end of each phase. Phases: idle (no commands) and busy
 * (holding 20 active {@code pause-process} attacks, each on its own {@code sleep} process). Usage:
 * {@code AgentFootprintBench [SECONDS per phase, default 60] [JVM options for the agent...]}.
 */
public final class AgentFootprintBench {

  private static final int ATTACKS = 20;
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private AgentFootprintBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          "usage: AgentFootprintBench [SECONDS per phase, default 60] [JVM options for the agent]");
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    List<String> jvmOptions = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
    Path work = Files.createTempDirectory("footprint");
    Path targets = Files.createDirectory(work.resolve("targets"));
    List<Process> victims = new ArrayList<>();
    Process agent = null;
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      Topics topics = Topics.named(Topics.DEFAULT_PREFIX);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        TopicProvisioner.ensure(admin, topics, (short) 1);
      }
      Path config = work.resolve("agent.properties");
      Files.writeString(
          config,
          "bootstrap.servers="
              + kafka.bootstrapServers()
              + "\nagent.targets.dir="
              + targets
              + "\nagent.max.concurrent="
              + (ATTACKS + 5)
              // every victim paused at once, on purpose (the blast radius counts across
              // attacks, docs/adr/0096)
              + "\nagent.max.blast.radius.percent=100"
              + "\nagent.id=footprint-agent\n");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              AgentMain.class.getName(),
              "--config",
              config.toString()));
      agent =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("agent.log").toFile())
              .start();
      System.out.println(
          "agent pid "
              + agent.pid()
              + " "
              + (jvmOptions.isEmpty() ? "(JVM defaults)" : jvmOptions));
      AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
      try (var producer =
              new KafkaProducer<>(
                  Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                  new StringSerializer(),
                  new StringSerializer());
          var consumer =
              new KafkaConsumer<>(
                  Map.<String, Object>of(
                      "bootstrap.servers",
                      kafka.bootstrapServers(),
                      "group.id",
                      "footprint-" + UUID.randomUUID(),
                      "auto.offset.reset",
                      "earliest"),
                  new StringDeserializer(),
                  new ByteArrayDeserializer())) {
        // the agent is ready once it answers a dry run
        waitUntilReady(agent, producer, consumer, topics, serde);
        Thread.sleep(20_000); // let start-up work (class loading, JIT, group join) settle
        System.out.println(
            "| phase | seconds | CPU, % of one core | CPU ms | RSS MB min / mean / max |"
                + " heap used MB | threads |");
        System.out.println("|---|---|---|---|---|---|---|");
        Map<String, Long> idleThreads0 = threadTicks(agent.pid());
        System.out.println(measure("idle, no commands", agent.pid(), seconds));
        String idleThreads = threadTicksSince(agent.pid(), idleThreads0);

        for (int i = 0; i < ATTACKS; i++) {
          Process v = new ProcessBuilder("sleep", "900").start();
          victims.add(v);
          Files.writeString(
              targets.resolve("v" + i + ".properties"),
              "name=v" + i + "\ngroup=EXPERIMENTAL\npid=" + v.pid() + "\n");
          producer.send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "footprint",
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\"footprint\",\"type\":\"START\","
                      + "\"fault\":\"pause-process\",\"target\":{\"names\":[\"v"
                      + i
                      + "\"],\"group\":\"EXPERIMENTAL\"},\"duration\":\"10m\"}"));
        }
        producer.flush();
        int started = awaitEvents(consumer, serde, "footprint", AttackEventType.STARTED, ATTACKS);
        if (started < ATTACKS) {
          throw new IllegalStateException("only " + started + " of " + ATTACKS + " started");
        }
        Thread.sleep(2000);
        System.out.println(measure("busy, 20 active attacks", agent.pid(), seconds));
        producer
            .send(
                new ProducerRecord<>(
                    topics.attackCommands().name(),
                    "footprint",
                    "{\"commandId\":\""
                        + UUID.randomUUID()
                        + "\",\"experimentId\":\"footprint\",\"type\":\"HALT_ALL\"}"))
            .get();
        int rolledBack =
            awaitEvents(consumer, serde, "footprint", AttackEventType.ROLLED_BACK, ATTACKS);
        System.out.println("HALT_ALL: " + rolledBack + " of " + ATTACKS + " rolled back");
        System.out.println();
        System.out.println(
            "Idle, CPU by thread (clock ticks of 10 ms over the phase, /proc/PID/task; names"
                + " cut to 15 characters by the kernel): "
                + idleThreads);
      }
    } finally {
      if (agent != null) {
        agent.destroy();
        agent.waitFor(20, TimeUnit.SECONDS);
        agent.destroyForcibly();
      }
      victims.forEach(Process::destroyForcibly);
    }
  }

  private static void waitUntilReady(
      Process agent,
      KafkaProducer<String, String> producer,
      KafkaConsumer<String, byte[]> consumer,
      Topics topics,
      AvroSerde<AttackEvent> serde)
      throws Exception {
    consumer.subscribe(List.of(topics.attackEvents().name()));
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (!agent.isAlive()) {
        throw new IllegalStateException("the agent exited with " + agent.exitValue());
      }
      // an unknown fault is REJECTED: proof that the agent consumes and produces
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  "ready",
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\"ready\",\"type\":\"START\","
                      + "\"fault\":\"probe\"}"))
          .get();
      for (var r : consumer.poll(Duration.ofMillis(1000))) {
        if (serde.decode(r.value()).getExperimentId().equals("ready")) {
          return;
        }
      }
    }
    throw new IllegalStateException("the agent did not answer within 120 s");
  }

  private static int awaitEvents(
      KafkaConsumer<String, byte[]> consumer,
      AvroSerde<AttackEvent> serde,
      String experiment,
      AttackEventType type,
      int n) {
    int seen = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    while (seen < n && System.currentTimeMillis() < deadline) {
      for (var r : consumer.poll(Duration.ofMillis(50))) {
        AttackEvent e = serde.decode(r.value());
        if (e.getExperimentId().equals(experiment) && e.getType() == type) {
          seen++;
        }
      }
    }
    return seen;
  }

  private static String measure(String phase, long pid, int seconds) throws Exception {
    long cpu0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    long rssMin = Long.MAX_VALUE;
    long rssMax = 0;
    long rssSum = 0;
    int threads = 0;
    for (int i = 0; i < seconds; i++) {
      Thread.sleep(1000);
      long rss = statusKb(pid, "VmRSS:");
      rssMin = Math.min(rssMin, rss);
      rssMax = Math.max(rssMax, rss);
      rssSum += rss;
      threads = (int) statusKb(pid, "Threads:");
    }
    long cpuMs = (cpuTicks(pid) - cpu0) * 1000 / TICKS_PER_SECOND;
    double wallMs = (System.nanoTime() - t0) / 1e6;
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.2f | %d | %.0f / %.0f / %.0f | %s | %d |",
        phase,
        seconds,
        100.0 * cpuMs / wallMs,
        cpuMs,
        rssMin / 1024.0,
        rssSum / 1024.0 / seconds,
        rssMax / 1024.0,
        heapUsedMb(pid),
        threads);
  }

  /** utime + stime of each thread of {@code pid}, by thread id and name. */
  private static Map<String, Long> threadTicks(long pid) throws IOException {
    Map<String, Long> ticks = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks.put(task.getFileName() + " " + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return ticks;
  }

  /** The threads that used CPU since {@code before}, busiest first, summed by name. */
  private static String threadTicksSince(long pid, Map<String, Long> before) throws IOException {
    Map<String, Long> byName = new TreeMap<>();
    threadTicks(pid)
        .forEach(
            (thread, ticks) -> {
              long used = ticks - before.getOrDefault(thread, 0L);
              if (used > 0) {
                byName.merge(thread.substring(thread.indexOf(' ') + 1), used, Long::sum);
              }
            });
    return byName.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** utime + stime of /proc/PID/stat, in clock ticks. */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
  }

  private static long statusKb(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException(key + " not in /proc/" + pid + "/status");
  }

  /** Heap in use as {@code jcmd PID GC.heap_info} reports it (after the CPU samples). */
  private static String heapUsedMb(long pid) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return "n/a (no jcmd)";
    }
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(out);
    if (!m.find()) {
      return "n/a (" + out.strip().lines().findFirst().orElse("") + ")";
    }
    return String.format(
        Locale.ROOT,
        "%.1f of %.0f committed",
        Long.parseLong(m.group(2)) / 1024.0,
        Long.parseLong(m.group(1)) / 1024.0);
  }
}
