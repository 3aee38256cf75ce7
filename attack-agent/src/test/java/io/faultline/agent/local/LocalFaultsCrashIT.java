package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.CommandWriter;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An agent JVM killed with SIGKILL while holding a memory-pressure and a network-latency attack:
 * another agent recovers both from what attack.state recorded, long before their own deadlines.
 */
class LocalFaultsCrashIT {

  @Test
  void anotherAgentRecoversTheNewFaultsOfAKilledAgentFromAttackState() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("crash-local"));
    VictimProcess victim = VictimProcess.start();
    TargetFiles targets = TargetFiles.create("crash-local-targets");
    Process agentProcess = null;
    try (ImpairmentProxy proxy =
        ImpairmentProxy.start(
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 9),
            new InetSocketAddress("127.0.0.1", 0))) {
      targets.proxiedProcess(
          "victim", "EXPERIMENTAL", victim.pid(), proxy.listenPort(), proxy.controlAddress());
      ProcessBuilder child =
          AgentSettings.forTestBroker(topics, "doomed-" + UUID.randomUUID(), targets.dir())
              .set("agent.lease", "12s")
              .childJvm(AgentMain.class);
      agentProcess = child.start();

      try (var commands = CommandWriter.open(topics);
          var events = TopicFollower.start(topics.attackEvents())) {
        for (String[] fault :
            List.of(
                new String[] {"memory-pressure", "{\"mb\":\"64\"}"},
                new String[] {"network-latency", "{\"latency\":\"200ms\"}"},
                new String[] {"packet-loss", "{\"percent\":\"20\"}"},
                new String[] {"cpu-burn", "{\"cores\":\"1\",\"percent\":\"20\"}"},
                new String[] {"disk-io", "{\"mbps\":\"2\"}"})) {
          commands.send(
              "crash",
              "{\"commandId\":\""
                  + UUID.randomUUID()
                  + "\",\"experimentId\":\"crash\",\"type\":\"START\",\"fault\":\""
                  + fault[0]
                  + "\",\"target\":{\"names\":[\"victim\"],\"group\":\"EXPERIMENTAL\"},"
                  + "\"duration\":\"2m\",\"parameters\":"
                  + fault[1]
                  + "}");
        }
        List<AttackEvent> started =
            events.awaitAtLeast(
                // a wait, not a bound: at load 40 the agent JVM and its four fault JVMs took
                // over a minute to start
                5, e -> e.getType() == AttackEventType.STARTED, Duration.ofSeconds(150));
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
                    AgentSettings.forTestBroker(
                            topics, "rescuer-" + UUID.randomUUID(), targets.dir())
                        .set("agent.lease", "12s")
                        .toMap()))) {
          List<AttackEvent> rolledBack =
              events.awaitAtLeast(
                  5, e -> e.getType() == AttackEventType.ROLLED_BACK, Duration.ofSeconds(40));
          // from the events' own timestamps (each stamped once its recovery ran), not from the
          // moment this thread read the fifth from Kafka on a loaded machine
          long after =
              rolledBack.stream().mapToLong(AttackEvent::getTimestamp).max().orElseThrow()
                  - killedAt;
          System.out.println(
              "rescuer recovered all 5 orphans "
                  + after
                  + " ms after the crash (read back "
                  + (System.currentTimeMillis() - killedAt)
                  + " ms after)");
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
      victim.close();
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
}
