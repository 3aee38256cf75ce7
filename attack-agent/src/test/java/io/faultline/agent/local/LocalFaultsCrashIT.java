package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.AvroSerde;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * An agent JVM killed with SIGKILL while holding a memory-pressure and a network-latency attack:
 * another agent recovers both from what attack.state recorded, long before their own deadlines.
 */
class LocalFaultsCrashIT {

  @Test
  void anotherAgentRecoversTheNewFaultsOfAKilledAgentFromAttackState() throws Exception {
    String prefix = "crash-local-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    Topics topics = new Topics(prefix, 3);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestBroker.bootstrapServers()))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    Process victim = new ProcessBuilder("sleep", "300").start();
    Path targets = Files.createTempDirectory("crash-local-targets");
    Process agentProcess = null;
    try (ImpairmentProxy proxy =
        ImpairmentProxy.start(
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 9),
            new InetSocketAddress("127.0.0.1", 0))) {
      Files.writeString(
          targets.resolve("victim.properties"),
          "name=victim\ngroup=EXPERIMENTAL\npid="
              + victim.pid()
              + "\nport="
              + proxy.listenPort()
              + "\nproxy.control="
              + proxy.controlAddress()
              + "\n");
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
      child.environment().put("FAULTLINE_AGENT_ID", "doomed-" + UUID.randomUUID());
      child.environment().put("FAULTLINE_TOPICS_PREFIX", prefix);
      child.environment().put("FAULTLINE_AGENT_LEASE", "12s");
      agentProcess = child.start();

      AvroSerde<AttackEvent> serde = AvroSerde.of(AttackEvent.class);
      List<AttackEvent> events = new ArrayList<>();
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
        for (String[] fault :
            List.of(
                new String[] {"memory-pressure", "{\"mb\":\"64\"}"},
                new String[] {"network-latency", "{\"latency\":\"200ms\"}"},
                new String[] {"packet-loss", "{\"percent\":\"20\"}"},
                new String[] {"cpu-burn", "{\"cores\":\"1\",\"percent\":\"20\"}"},
                new String[] {"disk-io", "{\"mbps\":\"2\"}"})) {
          producer
              .send(
                  new ProducerRecord<>(
                      topics.attackCommands().name(),
                      "crash",
                      "{\"commandId\":\""
                          + UUID.randomUUID()
                          + "\",\"experimentId\":\"crash\",\"type\":\"START\",\"fault\":\""
                          + fault[0]
                          + "\",\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},"
                          + "\"duration\":\"2m\",\"parameters\":"
                          + fault[1]
                          + "}"))
              .get();
        }
        List<AttackEvent> started =
            await(consumer, serde, events, AttackEventType.STARTED, 5, Duration.ofSeconds(60));
        String touched = started.stream().flatMap(e -> e.getTargets().stream()).toList().toString();
        ProcessHandle holder = child(touched, "memory holder pid=(\\d+)");
        ProcessHandle burner = child(touched, "burner pid=(\\d+)");
        ProcessHandle writer = child(touched, "disk writer pid=(\\d+)");
        Matcher dirMatch = Pattern.compile("dir=(\\S+?)[,\\]]").matcher(touched);
        assertThat(dirMatch.find()).as(touched).isTrue();
        Path diskDir = Path.of(dirMatch.group(1));
        assertThat(diskDir).exists();
        assertThat(impairments(proxy)).contains("latency=ms:200").doesNotContain("loss=none");

        agentProcess.destroyForcibly().waitFor();
        long killedAt = System.currentTimeMillis();
        Thread.sleep(500);
        assertThat(holder.isAlive()).as("holder outlives the killed agent").isTrue();
        assertThat(burner.isAlive()).as("burner outlives the killed agent").isTrue();
        assertThat(writer.isAlive()).as("disk writer outlives the killed agent").isTrue();
        assertThat(impairments(proxy)).contains("latency=ms:200");

        try (AttackAgent rescuer =
            AgentMain.start(
                AgentConfig.fromMap(
                    Map.of(
                        "bootstrap.servers",
                        TestBroker.bootstrapServers(),
                        "topics.prefix",
                        prefix,
                        "agent.id",
                        "rescuer-" + UUID.randomUUID(),
                        "agent.lease",
                        "12s",
                        "agent.targets.dir",
                        targets.toString())))) {
          List<AttackEvent> rolledBack =
              await(
                  consumer, serde, events, AttackEventType.ROLLED_BACK, 5, Duration.ofSeconds(40));
          long after = System.currentTimeMillis() - killedAt;
          System.out.println("rescuer recovered all 5 orphans " + after + " ms after the crash");
          assertThat(rolledBack).allSatisfy(e -> assertThat(e.getReason()).contains("orphan"));
          assertThat(rolledBack.stream().flatMap(e -> e.getTargets().stream()).toList())
              .anySatisfy(t -> assertThat(t).contains("memory holder pid=" + holder.pid()))
              .anySatisfy(t -> assertThat(t).contains("cleared latency"));
          assertThat(ProcFs.within(Duration.ofSeconds(5), () -> !holder.isAlive())).isTrue();
          assertThat(ProcFs.within(Duration.ofSeconds(5), () -> !burner.isAlive())).isTrue();
          assertThat(ProcFs.within(Duration.ofSeconds(5), () -> !writer.isAlive())).isTrue();
          assertThat(ProcFs.within(Duration.ofSeconds(5), () -> !Files.exists(diskDir)))
              .as("disk-io directory removed")
              .isTrue();
          assertThat(impairments(proxy))
              .contains("latency=none")
              .contains("loss=none")
              .contains("expired=0");
          assertThat(after).as("recovered within the lease (12 s)").isLessThan(12_000L);
        }
      }
    } finally {
      if (agentProcess != null) {
        agentProcess.destroyForcibly();
      }
      victim.destroyForcibly();
    }
  }

  private static ProcessHandle child(String touched, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(touched);
    assertThat(m.find()).as(pattern + " in " + touched).isTrue();
    return ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
  }

  private static String impairments(ImpairmentProxy proxy) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://" + proxy.controlAddress() + "/impairments"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static List<AttackEvent> await(
      KafkaConsumer<byte[], byte[]> consumer,
      AvroSerde<AttackEvent> serde,
      List<AttackEvent> events,
      AttackEventType type,
      int n,
      Duration limit) {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    List<AttackEvent> matching = List.of();
    while (System.currentTimeMillis() < deadline) {
      consumer.poll(Duration.ofMillis(100)).forEach(r -> events.add(serde.decode(r.value())));
      matching = events.stream().filter(e -> e.getType() == type).toList();
      if (matching.size() >= n) {
        return matching;
      }
    }
    throw new AssertionError("only " + matching.size() + " " + type + "; events: " + events);
  }
}
