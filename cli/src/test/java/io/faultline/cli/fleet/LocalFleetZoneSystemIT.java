package io.faultline.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.agent.AttackAgent;
import io.faultline.agent.local.LocalZoneOutage;
import io.faultline.kafka.TestBroker;
import io.faultline.scale.fleet.FleetCommands;
import io.faultline.scale.fleet.FleetMember;
import io.faultline.scale.fleet.GroupFleet;
import io.faultline.scale.fleet.LocalFleet;
import io.faultline.scale.fleet.WriteProbe;
import io.faultline.scale.fleet.ZoneMarkers;
import io.faultline.schema.AttackEvent;
import io.faultline.schema.AttackEventType;
import io.faultline.schema.Topics;
import io.faultline.testsupport.AgentSettings;
import io.faultline.testsupport.ProcessTree;
import io.faultline.testsupport.TestTopics;
import io.faultline.testsupport.TopicFollower;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The seed's zone question on this machine: both groups as multi-zone fleets (2 web replicas each,
 * HAProxy, Patroni + etcd; Debian packages haproxy, patroni, etcd-server, postgresql, skipped
 * naming them when absent), the agent applying zone-outage (SIGKILL) to the zone of the
 * experimental group's primary through Kafka. Asserted: the control group's processes, load
 * balancer and database are untouched; the experimental LB serves again through the other zone; its
 * database fails over and writes resume; at the attack's end the zone's members start again;
 * closing leaves no process behind. The figures are printed (see sample-pipeline/README.md).
 */
class LocalFleetZoneSystemIT {

  /** One request through a group's load balancer. */
  record Probe(String group, Instant at, int status, double millis) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void zoneOutageOfTheExperimentalPrimarysZoneLeavesControlUntouchedAndRecovers() throws Exception {
    Path root = Files.createDirectories(Path.of("target", "fleet-zone-it-" + System.nanoTime()));
    assumeTrue(
        FleetCommands.cannotStartIn(root).isEmpty(),
        () -> "the local fleet " + FleetCommands.cannotStartIn(root).orElse(""));
    Path targets = root.resolve("targets");
    Set<Long> seen = new HashSet<>();
    List<Probe> probes = new CopyOnWriteArrayList<>();
    Topics topics = TestTopics.provision(TestTopics.prefix("fleet"));
    try (LocalFleet fleet =
            LocalFleet.start(root, targets, 2, 300, Duration.ofSeconds(1), s -> {});
        AttackAgent agent =
            AgentMain.start(
                AgentConfig.fromMap(
                    AgentSettings.forTestBroker(topics, "fleet-it", targets).toMap()));
        var producer =
            new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", TestBroker.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer());
        var events = TopicFollower.start(topics.attackEvents());
        WriteProbe controlWrites =
            new WriteProbe(fleet.control().jdbcUrl(), Duration.ofMillis(100));
        WriteProbe experimentalWrites =
            new WriteProbe(fleet.experimental().jdbcUrl(), Duration.ofMillis(100))) {
      seen.addAll(fleet.pids());
      Map<String, Long> controlBefore = fleet.control().memberPids();
      assertThat(controlBefore.values()).allMatch(p -> p > 0);
      Thread load = load(fleet, probes);
      Thread.sleep(3_000);
      GroupFleet x = fleet.experimental();
      String primary = x.primary();
      String zone =
          x.layout().members().stream()
              .filter(m -> m.name().equals(primary))
              .map(FleetMember::zone)
              .findFirst()
              .orElseThrow();

      String experiment = "zone-" + UUID.randomUUID().toString().substring(0, 6);
      producer
          .send(
              new ProducerRecord<>(
                  topics.attackCommands().name(),
                  experiment,
                  "{\"commandId\":\""
                      + UUID.randomUUID()
                      + "\",\"experimentId\":\""
                      + experiment
                      + "\",\"type\":\"START\",\"fault\":\"zone-outage\","
                      + "\"parameters\":{\"signal\":\"KILL\"},\"target\":{\"kind\":\"zone\","
                      + "\"names\":[\""
                      + zone
                      + "\"],\"group\":\"EXPERIMENTAL\"},"
                      + "\"duration\":\"40s\"}"))
          .get();
      AttackEvent started = await(events, experiment, AttackEventType.STARTED, 30);
      Instant outage = Instant.ofEpochMilli(started.getTimestamp());
      assertThat(started.getTargets().get(0)).contains("zone " + zone, "SIGKILL");
      assertThat(ZoneMarkers.isDown(targets, zone, "EXPERIMENTAL")).isTrue();
      assertThat(LocalZoneOutage.marker(targets, zone))
          .isEqualTo(ZoneMarkers.marker(targets, zone, "EXPERIMENTAL"));

      // writes resume on the other zone's member; the LB serves through the other zone
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (experimentalWrites.outages().isEmpty()) {
        assertThat(System.nanoTime()).as("writes resume within 60 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      WriteProbe.Outage writes = experimentalWrites.outages().get(0);
      while (!servedAfter(probes, "EXPERIMENTAL", writes.recovered())) {
        assertThat(System.nanoTime()).as("LB serves within 60 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      String newPrimary = x.primary();
      assertThat(newPrimary).isNotNull().isNotEqualTo(primary);

      // the attack ends at its duration: the zone is back, its members start again
      AttackEvent rolledBack = await(events, experiment, AttackEventType.ROLLED_BACK, 60);
      assertThat(ZoneMarkers.isDown(targets, zone, "EXPERIMENTAL")).isFalse();
      deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (x.memberPids().values().stream().anyMatch(p -> p <= 0)) {
        assertThat(System.nanoTime())
            .as("every member of " + zone + " running again within 120 s: " + x.memberPids())
            .isLessThan(deadline);
        Thread.sleep(500);
      }
      seen.addAll(fleet.pids());
      Thread.sleep(3_000);
      load.interrupt();
      load.join(5_000);

      // control: the same processes, no LB error, no failed write
      assertThat(fleet.control().memberPids()).isEqualTo(controlBefore);
      assertThat(probes)
          .filteredOn(p -> p.group().equals("CONTROL"))
          .allMatch(p -> p.status() == 200);
      assertThat(controlWrites.outages()).isEmpty();
      assertThat(controlWrites.failed()).isZero();
      assertThat(controlWrites.lostWrites()).isZero();
      long lost = experimentalWrites.lostWrites();

      List<Probe> failed =
          probes.stream()
              .filter(p -> p.group().equals("EXPERIMENTAL") && p.status() != 200)
              .toList();
      long total = probes.stream().filter(p -> p.group().equals("EXPERIMENTAL")).count();
      double errorWindow =
          failed.isEmpty()
              ? 0
              : Duration.between(failed.get(0).at(), failed.get(failed.size() - 1).at()).toMillis()
                  / 1000.0;
      System.out.printf(
          "FLEET zone-outage KILL %s (primary %s): writes failed %.1f s, accepted again +%.1f s"
              + " after STARTED (new primary %s); experimental LB: %d of %d requests failed over"
              + " %.1f s; control LB: 0 of %d failed, control writes: 0 failed of %d;"
              + " rolled back +%.1f s, zone's members all running again +%.1f s;"
              + " experimental acknowledged writes missing afterwards: %d%n",
          zone,
          primary,
          writes.length().toMillis() / 1000.0,
          Duration.between(outage, writes.recovered()).toMillis() / 1000.0,
          newPrimary,
          failed.size(),
          total,
          errorWindow,
          probes.stream().filter(p -> p.group().equals("CONTROL")).count(),
          controlWrites.accepted(),
          (rolledBack.getTimestamp() - started.getTimestamp()) / 1000.0,
          Duration.between(outage, Instant.now()).toMillis() / 1000.0 - 3.0,
          lost);
    }
    assertThat(ProcessTree.alive(seen, Duration.ofSeconds(5)))
        .as("processes left behind 5 s after the stop")
        .isEmpty();
  }

  private static boolean servedAfter(List<Probe> probes, String group, Instant after) {
    return probes.stream()
        .anyMatch(p -> p.group().equals(group) && p.status() == 200 && p.at().isAfter(after));
  }

  private Thread load(LocalFleet fleet, List<Probe> probes) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                for (String group : List.of("CONTROL", "EXPERIMENTAL")) {
                  long start = System.nanoTime();
                  int status =
                      status(fleet.group(group).lbUrl() + "/similar?song=song-00042&limit=5");
                  if (Thread.currentThread().isInterrupted()) {
                    return; // the test stopped the load mid-request: no answer, not a failure
                  }
                  probes.add(
                      new Probe(group, Instant.now(), status, (System.nanoTime() - start) / 1e6));
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "fleet-load");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private int status(String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (InterruptedException e) {
      // the load's end: HttpClient.send clears the flag, so the loop would go on and count it
      Thread.currentThread().interrupt();
      return -1;
    } catch (Exception e) {
      System.out.println("FLEET probe " + url + " failed at " + Instant.now() + ": " + e);
      return -1;
    }
  }

  private static AttackEvent await(
      TopicFollower<String, AttackEvent> events, String experiment, AttackEventType type, int s)
      throws Exception {
    return events.await(
        e -> e.getExperimentId().equals(experiment) && e.getType() == type, Duration.ofSeconds(s));
  }
}
