package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.Fault;
import io.faultline.agent.LocalTargets;
import io.faultline.agent.Target;
import io.faultline.kafka.TestBroker;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Group;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.TargetFiles;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import io.faultline.testsupport.VictimProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * zone-outage on platform local against real processes laid out like a fleet: in zone-a an
 * EXPERIMENTAL web replica, an EXPERIMENTAL database member whose pidfile names a second process
 * (the postmaster), and a CONTROL replica; in zone-b an EXPERIMENTAL replica. Only zone-a's
 * EXPERIMENTAL processes are touched, by the fault directly and through the agent (TTL, HALT_ALL,
 * CONTROL refused, blast radius).
 */
class LocalZoneOutageIT {

  private VictimProcess webA;
  private VictimProcess dbA;
  private VictimProcess postmasterA;
  private VictimProcess controlA;
  private VictimProcess webB;
  private TargetFiles targets;

  @BeforeEach
  void fleet() throws Exception {
    webA = VictimProcess.start();
    dbA = VictimProcess.start();
    postmasterA = VictimProcess.start();
    controlA = VictimProcess.start();
    webB = VictimProcess.start();
    targets = TargetFiles.create("zone-it-targets");
    Path pidFile = targets.dir().resolve("postmaster.pid");
    Files.writeString(pidFile, postmasterA.pid() + "\n/data\n");
    targets
        .write("exp-web-1", member("exp-web-1", "EXPERIMENTAL", webA, "zone-a", "web", null))
        .write("exp-db-1", member("exp-db-1", "EXPERIMENTAL", dbA, "zone-a", "db", pidFile))
        .write("ctl-web-1", member("ctl-web-1", "CONTROL", controlA, "zone-a", "web", null))
        .write("exp-web-2", member("exp-web-2", "EXPERIMENTAL", webB, "zone-b", "web", null))
        // a zone of CONTROL only is never an EXPERIMENTAL target
        .write("ctl-web-2", member("ctl-web-2", "CONTROL", controlA, "zone-c", "web", null));
  }

  @AfterEach
  void stop() {
    for (VictimProcess v : List.of(webA, dbA, postmasterA, controlA, webB)) {
      v.close();
    }
  }

  private static String member(
      String name, String group, VictimProcess p, String zone, String role, Path pidFile) {
    return "name="
        + name
        + "\ngroup="
        + group
        + "\npid="
        + p.pid()
        + "\nzone="
        + zone
        + "\nrole="
        + role
        + "\n"
        + (pidFile == null ? "" : "pidfile=" + pidFile + "\n");
  }

  private ClusterTarget zone(String name) {
    return LocalZoneOutage.zoneTargets(new LocalTargets(targets.dir()).read(), targets.dir())
        .stream()
        .filter(z -> z.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void zonesComeFromTheTargetFilesWithOnlyExperimentalPidsResolvedBeforeAnySignal() {
    assertThat(zone("zone-a").group()).isEqualTo(Group.EXPERIMENTAL);
    assertThat(zone("zone-c").group()).isEqualTo(Group.CONTROL);
    List<String> pids = List.of(zone("zone-a").attribute("pids").split(","));
    assertThat(pids)
        .containsExactlyInAnyOrder(
            Long.toString(webA.pid()), Long.toString(dbA.pid()), Long.toString(postmasterA.pid()));
    assertThat(zone("zone-a").attribute("processes")).isEqualTo("exp-db-1,exp-web-1");
    assertThat(zone("zone-a").stateEntries()).containsKey("pids");
  }

  @Test
  void stopFreezesTheZonesExperimentalProcessesAndTheirPostmasterUntilRecovery() throws Exception {
    LocalZoneOutage fault = new LocalZoneOutage(targets.dir());
    ClusterTarget zoneA = zone("zone-a");
    Fault.Applied applied = fault.apply(zoneA, Map.of("signal", "STOP"), Duration.ofSeconds(30));
    assertThat(applied.touched().get(0)).contains("SIGSTOP (3 processes)");
    // read once, no waiting: STARTED is sent right after apply returns
    for (VictimProcess v : List.of(webA, dbA, postmasterA)) {
      assertThat(v.state()).as("pid %d's state as apply returns", v.pid()).isEqualTo('T');
    }
    assertStopped(webA);
    assertStopped(dbA);
    assertStopped(postmasterA);
    assertRunning(controlA);
    assertRunning(webB);
    assertThat(LocalZoneOutage.marker(targets.dir(), "zone-a")).exists();

    fault.recover(zoneA, applied.recovery());
    for (VictimProcess v : List.of(webA, dbA, postmasterA)) {
      assertRunning(v);
    }
    assertThat(LocalZoneOutage.marker(targets.dir(), "zone-a")).doesNotExist();
  }

  @Test
  void killIsAPowerLossOfTheZonesExperimentalProcessesOnly() throws Exception {
    LocalZoneOutage fault = new LocalZoneOutage(targets.dir());
    fault.apply(zone("zone-a"), Map.of("signal", "KILL"), Duration.ofSeconds(30));
    for (VictimProcess v : List.of(webA, dbA, postmasterA)) {
      assertThat(v.process().waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    assertThat(controlA.isAlive()).isTrue();
    assertThat(webB.isAlive()).isTrue();
    assertThat(LocalZoneOutage.marker(targets.dir(), "zone-a")).exists();
  }

  @Test
  void anOrphanIsRecoveredFromWhatAttackStateRecordedBeforeTheFault() throws Exception {
    LocalZoneOutage fault = new LocalZoneOutage(targets.dir());
    ClusterTarget zoneA = zone("zone-a");
    fault.apply(zoneA, Map.of("signal", "STOP"), Duration.ofSeconds(30));
    // another agent sees only attack.state: the target's entries, no recovery data from apply
    Target fromState = fault.fromState(zoneA.name(), zoneA.stateEntries());
    fault.recover(fromState, Map.of());
    for (VictimProcess v : List.of(webA, dbA, postmasterA)) {
      assertRunning(v);
    }
    assertThat(LocalZoneOutage.marker(targets.dir(), "zone-a")).doesNotExist();
  }

  @Test
  void throughTheAgentItEndsAtItsDurationOnHaltAllAndNeverTakesControl() throws Exception {
    Topics topics = TestTopics.provision(TestTopics.prefix("zone"));
    try (AttackAgent agent =
            AgentMain.start(
                AgentConfig.fromMap(
                    AgentSettings.forTestBroker(topics, "zone-it", targets.dir()).toMap()));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer());
        var events = TopicFollower.start(topics.attackEvents())) {
      // TTL: a 2 s partition of zone-a ends by itself
      String ttl = send(producer, topics, zoneCommand("zone-a", "STOP", "2s", "EXPERIMENTAL"));
      AttackEvent started = await(events, ttl, AttackEventType.STARTED);
      assertThat(started.getTargets().get(0)).contains("zone zone-a", "SIGSTOP");
      assertStopped(webA);
      assertRunning(controlA);
      await(events, ttl, AttackEventType.ROLLED_BACK);
      assertRunning(webA);
      assertRunning(postmasterA);

      // HALT_ALL ends a long one at once
      String halted = send(producer, topics, zoneCommand("zone-b", "STOP", "60s", "EXPERIMENTAL"));
      await(events, halted, AttackEventType.STARTED);
      assertStopped(webB);
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  halted,
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\""
                      + halted
                      + "\",\"type\":\"HALT_ALL\"}"))
          .get();
      assertThat(await(events, halted, AttackEventType.ROLLED_BACK).getReason())
          .startsWith("HALT_ALL");
      assertRunning(webB);

      // never the control group: a CONTROL selector, and a zone of CONTROL processes only
      String control = send(producer, topics, zoneCommand("zone-a", "KILL", "5s", "CONTROL"));
      assertThat(await(events, control, AttackEventType.REJECTED).getReason())
          .contains("only target the EXPERIMENTAL group");
      String controlZone =
          send(producer, topics, zoneCommand("zone-c", "KILL", "5s", "EXPERIMENTAL"));
      assertThat(await(events, controlZone, AttackEventType.REJECTED).getReason())
          .contains("'zone-c' is in the CONTROL group");
      // blast radius: two of the two EXPERIMENTAL zones is over the default 50%
      String both =
          send(producer, topics, zoneCommand("zone-a\",\"zone-b", "KILL", "5s", "EXPERIMENTAL"));
      assertThat(await(events, both, AttackEventType.REJECTED).getReason())
          .contains("blast radius");
      assertThat(controlA.isAlive()).isTrue();
      assertThat(webA.isAlive()).isTrue();
    }
  }

  /** A signal is delivered asynchronously: the state letter changes a moment after kill returns. */
  private static void assertStopped(VictimProcess v) throws InterruptedException {
    awaitState(v, true);
    assertThat(v.state()).isEqualTo('T');
  }

  private static void assertRunning(VictimProcess v) throws InterruptedException {
    awaitState(v, false);
    assertThat(v.state()).isNotEqualTo('T');
  }

  private static void awaitState(VictimProcess v, boolean stopped) throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while ((v.state() == 'T') != stopped && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static String zoneCommand(String zones, String signal, String duration, String group) {
    return "{\"commandId\":\""
        + UUID.randomUUID()
        + "\",\"experimentId\":\"$EXP\",\"type\":\"START\",\"fault\":\"zone-outage\","
        + "\"parameters\":{\"signal\":\""
        + signal
        + "\"},"
        + "\"target\":{\"kind\":\"zone\",\"names\":[\""
        + zones
        + "\"],\"group\":\""
        + group
        + "\",\"mode\":\"all\"},\"duration\":\""
        + duration
        + "\"}";
  }

  private static String send(KafkaProducer<String, String> producer, Topics topics, String json)
      throws Exception {
    String experiment = "zone-" + UUID.randomUUID().toString().substring(0, 6);
    producer
        .send(
            new ProducerRecord<>(
                topics.attackCommands().name(), experiment, json.replace("$EXP", experiment)))
        .get();
    return experiment;
  }

  private static AttackEvent await(
      TopicFollower<String, AttackEvent> events, String experiment, AttackEventType type)
      throws Exception {
    return events.await(
        e -> e.getExperimentId().equals(experiment) && e.getType() == type, Duration.ofSeconds(20));
  }
}
