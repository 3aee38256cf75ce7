package io.faultline.agent.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentMain;
import io.faultline.agent.local.ImpairmentProxy;
import io.faultline.scale.fleet.LoopbackPorts;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestJvm;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.VictimProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix of faultline itself: an outage of Kafka (broker SIGKILL, broker SIGTERM, the
 * agent's link to it cut) while 1, 5 or 20 attacks of mixed kinds hold real processes, with the
 * agent staying up or being SIGKILLed and restarted during the outage. Broker and agent are child
 * JVMs; the faults are the real ones (SIGSTOP, burner, holder and writer JVMs, proxy latency).
 *
 * <p>In every cell no fault outlives its lease by more than 1 s, and once Kafka is back every event
 * reaches attack.events exactly once and attack.state is tombstoned. {@code ./mvnw verify} runs a
 * diagonal (each outage, each size and each agent mode at least once); {@code
 * -Dfaultline.matrix=full} runs all 18 cells. Each cell appends its row to
 * target/fault-matrix/results.md (docs/reliability.md).
 */
class FaultMatrixIT {

  private static final String[] KINDS = {
    "pause-process", "cpu-burn", "memory-pressure", "network-latency", "disk-io"
  };
  private static final Map<String, String> PARAMETERS =
      Map.of(
          "pause-process", "{}",
          "cpu-burn", "{\"cores\":\"1\",\"percent\":\"5\"}",
          "memory-pressure", "{\"mb\":\"16\"}",
          "network-latency", "{\"latency\":\"50ms\"}",
          "disk-io", "{\"mbps\":\"1\",\"block-kb\":\"64\"}");
  private static final Path OUT = Path.of("target", "fault-matrix");
  private static final AvroSerde<AttackEvent> EVENTS = AvroSerde.of(AttackEvent.class);
  // one client for every look at a proxy: a new one per look (threads, selector) slowed the
  // sweep that times when each fault ended, on a loaded machine by more than the 1 s margin
  private static final HttpClient PROXY_CONTROL = HttpClient.newHttpClient();

  enum Outage {
    BROKER_SIGKILL,
    BROKER_SIGTERM,
    LINK_CUT
  }

  /**
   * What the cell waits out after the outage: 6 s for an agent that stays up, whose switch trips
   * within 100 ms of the lease's end whatever its length; 12 s for a killed one, whose restart (JVM
   * start included, up to 9.5 s on a loaded machine) must fit inside the lease
   * (docs/reliability.md).
   */
  enum AgentFate {
    STAYS_UP(Duration.ofSeconds(6)),
    KILLED_AND_RESTARTED(Duration.ofSeconds(12));

    final Duration lease;

    AgentFate(Duration lease) {
      this.lease = lease;
    }
  }

  static Stream<Object[]> cells() {
    if ("full".equals(System.getProperty("faultline.matrix"))) {
      List<Object[]> all = new ArrayList<>();
      for (Outage o : Outage.values()) {
        for (int n : new int[] {1, 5, 20}) {
          for (AgentFate f : AgentFate.values()) {
            all.add(new Object[] {o, n, f});
          }
        }
      }
      return all.stream();
    }
    // each outage, each size and each fate at least once; the restarted agent with one attack,
    // since its JVM start-up under a loaded build machine dominates that cell (docs/reliability.md)
    return Stream.of(
        new Object[] {Outage.BROKER_SIGKILL, 20, AgentFate.STAYS_UP},
        new Object[] {Outage.BROKER_SIGTERM, 1, AgentFate.KILLED_AND_RESTARTED},
        new Object[] {Outage.LINK_CUT, 5, AgentFate.STAYS_UP},
        new Object[] {Outage.LINK_CUT, 1, AgentFate.KILLED_AND_RESTARTED});
  }

  /** One attack of the cell: what it attacks and how the test sees that its fault has ended. */
  private record Attack(
      String attackId, String fault, VictimProcess victim, ImpairmentProxy proxy) {}

  @ParameterizedTest(name = "{0} x {1} attacks x agent {2}")
  @MethodSource("cells")
  void noFaultOutlivesItsLeaseAndEveryEventArrivesOnce(Outage outage, int n, AgentFate fate)
      throws Exception {
    Files.createDirectories(OUT);
    String cell = outage + "-" + n + "-" + fate;
    String prefix = TestTopics.prefix("matrix");
    Topics topics = new Topics(prefix, 3);
    Path work = Files.createTempDirectory("fault-matrix-");
    TargetFiles targets = TargetFiles.create("fault-matrix-targets");
    int brokerPort = freePort();
    List<Attack> attacks = new ArrayList<>();
    Process broker = null;
    Process agent = null;
    try (LinkProxy link = LinkProxy.start(brokerPort)) {
      String bootstrap = "127.0.0.1:" + link.port();
      broker = startBroker(work.resolve("kafka"), brokerPort, link.port(), cell + "-broker-1");
      TestTopics.provisionOn(bootstrap, topics);
      for (int i = 0; i < n; i++) {
        String fault = KINDS[i % KINDS.length];
        VictimProcess victim = VictimProcess.start(Duration.ofMinutes(10));
        ImpairmentProxy proxy = null;
        if (fault.equals("network-latency")) {
          proxy =
              ImpairmentProxy.start(
                  new InetSocketAddress("127.0.0.1", 0),
                  new InetSocketAddress("127.0.0.1", 9),
                  new InetSocketAddress("127.0.0.1", 0));
          targets.proxiedProcess(
              "victim" + i,
              "EXPERIMENTAL",
              victim.pid(),
              proxy.listenPort(),
              proxy.controlAddress());
        } else {
          targets.process("victim" + i, "EXPERIMENTAL", victim.pid());
        }
        attacks.add(new Attack(prefix + "a" + i, fault, victim, proxy));
      }
      String agentId = "matrix-agent-" + UUID.randomUUID().toString().substring(0, 6);
      Map<String, String> agentEnv =
          AgentSettings.forBroker(bootstrap, topics, targets.dir())
              .set("agent.id", agentId)
              .set("agent.lease", fate.lease.toSeconds() + "s")
              .set("agent.max.concurrent", "25")
              .set("agent.max.blast.radius.percent", "100")
              .set("agent.outbox.dir", work.resolve("outbox").toString())
              .toEnvironment();
      agent = startAgent(agentEnv, cell + "-agent-1");

      Map<String, AttackEvent> started;
      try (var commands = CommandWriter.open(bootstrap, topics);
          var consumer = eventConsumer(bootstrap, topics)) {
        for (int i = 0; i < n; i++) {
          Attack a = attacks.get(i);
          commands.send(
              "matrix",
              "{\"commandId\":\""
                  + UUID.randomUUID()
                  + "\",\"experimentId\":\"matrix\",\"type\":\"START\",\"attackId\":\""
                  + a.attackId()
                  + "\",\"fault\":\""
                  + a.fault()
                  + "\",\"target\":{\"names\":[\"victim"
                  + i
                  + "\"],\"group\":\"EXPERIMENTAL\"},\"duration\":\"5m\",\"parameters\":"
                  + PARAMETERS.get(a.fault())
                  + "}");
        }
        started = new HashMap<>();
        List<AttackEvent> seen = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 150_000;
        while (started.size() < n && System.currentTimeMillis() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(200))) {
            AttackEvent e = EVENTS.decode(r.value());
            seen.add(e);
            if (e.getType() == AttackEventType.STARTED) {
              started.put(e.getAttackId(), e);
            }
          }
        }
        assertThat(started)
            .as(
                "every attack STARTED; events: %s",
                seen.stream().filter(e -> e.getType() != AttackEventType.ACCEPTED).toList())
            .hasSize(n);
      }
      Map<String, BooleanSupplier> ended = new LinkedHashMap<>();
      for (Attack a : attacks) {
        ended.put(a.attackId(), endOf(a, started.get(a.attackId())));
      }
      ended.forEach(
          (id, isEnded) -> assertThat(isEnded.getAsBoolean()).as(id + " in place").isFalse());

      // the outage
      long outageAt = System.currentTimeMillis();
      switch (outage) {
        case BROKER_SIGKILL -> broker.destroyForcibly();
        case BROKER_SIGTERM -> broker.destroy();
        case LINK_CUT -> link.cut();
      }
      long restartedAt = -1;
      if (fate == AgentFate.KILLED_AND_RESTARTED) {
        Thread.sleep(1000);
        agent.destroyForcibly().waitFor();
        restartedAt = System.currentTimeMillis();
        agent = startAgent(agentEnv, cell + "-agent-2");
      }
      Map<String, Long> endedAt = new LinkedHashMap<>();
      long limit = outageAt + fate.lease.toMillis() + 15_000;
      while (endedAt.size() < n && System.currentTimeMillis() < limit) {
        for (var e : ended.entrySet()) {
          if (!endedAt.containsKey(e.getKey()) && e.getValue().getAsBoolean()) {
            endedAt.put(e.getKey(), System.currentTimeMillis());
          }
        }
        Thread.sleep(25);
      }
      long leaseEnd = outageAt + fate.lease.toMillis();
      long worst =
          endedAt.values().stream().mapToLong(t -> t - leaseEnd).max().orElse(Long.MAX_VALUE);
      long lastEnd = endedAt.values().stream().mapToLong(t -> t).max().orElse(-1);
      List<String> notEnded =
          ended.keySet().stream().filter(id -> !endedAt.containsKey(id)).toList();

      // Kafka back
      long backAt = System.currentTimeMillis();
      switch (outage) {
        case BROKER_SIGKILL ->
            broker =
                startBroker(work.resolve("kafka"), brokerPort, link.port(), cell + "-broker-2");
        case BROKER_SIGTERM -> {
          broker.waitFor(60, TimeUnit.SECONDS);
          broker = startBroker(work.resolve("kafka"), brokerPort, link.port(), cell + "-broker-2");
        }
        case LINK_CUT -> link.restore();
      }
      Map<String, Integer> counts = new HashMap<>();
      long allEventsAt;
      try (var consumer = eventConsumer(bootstrap, topics)) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (countOf(counts, AttackEventType.ROLLED_BACK) < n
            && System.currentTimeMillis() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> count(counts, r.value()));
        }
        allEventsAt = System.currentTimeMillis();
        // a late duplicate would come now
        long settle = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < settle) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> count(counts, r.value()));
        }
      }
      int lost = 0;
      int duplicates = 0;
      for (Attack a : attacks) {
        for (AttackEventType type :
            List.of(
                AttackEventType.ACCEPTED, AttackEventType.STARTED, AttackEventType.ROLLED_BACK)) {
          int c = counts.getOrDefault(a.attackId() + "/" + type, 0);
          lost += c == 0 ? 1 : 0;
          duplicates += Math.max(0, c - 1);
        }
      }
      Set<String> live = liveStates(bootstrap, topics, attacks);
      String row =
          String.format(
              "| %s | %d | %s | %+d ms | %d ms | %s | %d of %d | %d | %d | %s |",
              outage,
              n,
              fate,
              worst,
              lastEnd - outageAt,
              restartedAt < 0 ? "-" : (lastEnd - restartedAt) + " ms",
              lost,
              3 * n,
              duplicates,
              live.size(),
              (allEventsAt - backAt) + " ms");
      System.out.println("fault matrix: " + row);
      Files.writeString(
          OUT.resolve("results.md"),
          row + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      assertThat(notEnded)
          .as("faults still in place %d s after the outage", (limit - outageAt) / 1000)
          .isEmpty();
      assertThat(worst)
          .as("longest time a fault outlived its lease (ms)")
          .isLessThanOrEqualTo(1000L);
      assertThat(lost).as("events missing from attack.events: %s", counts).isZero();
      assertThat(duplicates).as("events on attack.events more than once: %s", counts).isZero();
      assertThat(live).as("attack.state records not tombstoned").isEmpty();
    } finally {
      if (agent != null) {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      if (broker != null) {
        broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (Attack a : attacks) {
        a.victim().close();
        if (a.proxy() != null) {
          a.proxy().close();
        }
      }
    }
  }

  /** How the test sees that the attack's fault has ended, from the STARTED event's touched list. */
  private static BooleanSupplier endOf(Attack a, AttackEvent started) {
    String touched = String.join(" ", started.getTargets());
    return switch (a.fault()) {
      case "pause-process" -> () -> VictimProcess.stateOrGone(a.victim().pid()) != 'T';
      case "cpu-burn" -> childEnded(touched, "burner pid=(\\d+)");
      case "memory-pressure" -> childEnded(touched, "memory holder pid=(\\d+)");
      case "disk-io" -> childEnded(touched, "disk writer pid=(\\d+)");
      case "network-latency" -> () -> impairments(a.proxy()).contains("latency=none");
      default -> throw new IllegalArgumentException(a.fault());
    };
  }

  private static BooleanSupplier childEnded(String touched, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(touched);
    assertThat(m.find()).as(pattern + " in " + touched).isTrue();
    long pid = Long.parseLong(m.group(1));
    return () -> {
      char s = VictimProcess.stateOrGone(pid);
      return s == 0 || s == 'Z' || s == 'X';
    };
  }

  private static String impairments(ImpairmentProxy proxy) {
    try {
      return PROXY_CONTROL
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://" + proxy.controlAddress() + "/impairments"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static void count(Map<String, Integer> counts, byte[] value) {
    AttackEvent e = EVENTS.decode(value);
    counts.merge(e.getAttackId() + "/" + e.getType(), 1, Integer::sum);
  }

  private static int countOf(Map<String, Integer> counts, AttackEventType type) {
    return (int) counts.keySet().stream().filter(k -> k.endsWith("/" + type)).count();
  }

  private static KafkaConsumer<String, byte[]> eventConsumer(String bootstrap, Topics topics) {
    var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "matrix-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(List.of(topics.attackEvents().name()));
    return consumer;
  }

  /** The attacks whose latest attack.state record is not a tombstone, read for up to 60 s. */
  private static Set<String> liveStates(String bootstrap, Topics topics, List<Attack> attacks) {
    Map<String, Boolean> live = new HashMap<>();
    attacks.forEach(a -> live.put(a.attackId(), false));
    try (var consumer =
        new KafkaConsumer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topics.attackState().name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (live.containsKey(r.key())) {
            live.put(r.key(), r.value() != null);
          }
        }
        if (!live.containsValue(true) && !live.isEmpty() && seenAll(consumer, partitions)) {
          break;
        }
      }
    }
    return live.entrySet().stream()
        .filter(Map.Entry::getValue)
        .map(Map.Entry::getKey)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static boolean seenAll(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
  }

  private static Process startBroker(Path dataDir, int port, int advertised, String name)
      throws Exception {
    Process p =
        TestJvm.command(
                List.of("-Xmx512m"),
                BrokerProcess.class,
                dataDir.toString(),
                Integer.toString(port),
                Integer.toString(advertised))
            .redirectErrorStream(true)
            .start();
    CountDownLatch ready = new CountDownLatch(1);
    Path log = OUT.resolve(name + ".log");
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("READY")) {
                    ready.countDown();
                  }
                  Files.writeString(
                      log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
              } catch (IOException e) {
                // the broker ended
              }
            },
            "broker-output");
    reader.setDaemon(true);
    reader.start();
    // a broker JVM starts in about 15 s; a helper's run at load 40 once took over 90 s
    if (!ready.await(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("broker " + name + " not ready within 180 s; see " + log);
    }
    return p;
  }

  /** An agent JVM configured by its environment alone, its output in {@code OUT/name.log}. */
  private static Process startAgent(Map<String, String> env, String name) throws IOException {
    ProcessBuilder child =
        TestJvm.command(AgentMain.class)
            .redirectErrorStream(true)
            .redirectOutput(OUT.resolve(name + ".log").toFile());
    child.environment().putAll(env);
    return child.start();
  }

  /**
   * The broker's port, below the ephemeral range: the broker binds it at start and again after the
   * outage, while the agent's reconnecting clients open connection after connection, one of which
   * could take a port from that range meanwhile.
   */
  private static int freePort() {
    return LoopbackPorts.next();
  }
}
