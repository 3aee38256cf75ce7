package io.faultline.scale.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.scale.fleet.FleetMember.Role;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The fleet supervisor's decisions, without starting a process. */
class FleetLayoutTest {

  private static FleetLayout plan(String group, int replicas) {
    AtomicInteger port = new AtomicInteger(30000);
    return FleetLayout.plan(group, replicas, FleetLayout.ZONES, port::incrementAndGet);
  }

  @Test
  void spreadsReplicasOverTheZonesAndKeepsPrimaryAndReplicaApart() {
    FleetLayout layout = plan("experimental", 4);
    assertThat(layout.of(Role.WEB).stream().map(FleetMember::zone))
        .containsExactly("zone-a", "zone-b", "zone-c", "zone-a");
    assertThat(layout.of(Role.DCS).stream().map(FleetMember::zone))
        .containsExactly("zone-a", "zone-b", "zone-c");
    assertThat(layout.of(Role.DB).stream().map(FleetMember::zone))
        .containsExactly("zone-a", "zone-b");
    assertThat(layout.lb().zone()).isNull();
    assertThat(layout.inZone("zone-a").stream().map(FleetMember::name))
        .containsExactly(
            "scale-experimental-etcd-1",
            "scale-experimental-db-1",
            "scale-experimental-web-1",
            "scale-experimental-web-4");
    assertThat(layout.members()).allMatch(m -> m.group().equals("EXPERIMENTAL"));
  }

  @Test
  void everyPortIsItsOwn() {
    FleetLayout layout = plan("control", 3);
    List<Integer> ports =
        layout.members().stream()
            .flatMap(m -> java.util.stream.Stream.of(m.port(), m.secondPort()))
            .filter(p -> p != 0)
            .toList();
    assertThat(ports).doesNotHaveDuplicates();
  }

  @Test
  void theGroupsShareNoName() {
    List<String> control = plan("control", 2).members().stream().map(FleetMember::name).toList();
    List<String> experimental =
        plan("experimental", 2).members().stream().map(FleetMember::name).toList();
    assertThat(control).doesNotContainAnyElementsOf(experimental);
  }

  @Test
  void rejectsAFleetOfOneTwoZonesAndAnUnknownGroupNamingTheValue() {
    assertThatThrownBy(() -> plan("experimental", 1))
        .hasMessage("fleet replicas 1: must be from 2 to 12 (one replica is not a fleet)");
    assertThatThrownBy(() -> FleetLayout.plan("control", 2, List.of("zone-a", "zone-b"), () -> 1))
        .hasMessageStartingWith("fleet zones [zone-a, zone-b]: must be three distinct zones");
    assertThatThrownBy(() -> plan("canary", 2))
        .hasMessage("fleet group 'canary': CONTROL or EXPERIMENTAL");
  }

  @Test
  void scaleFindsThePrimaryAmongBothPatroniMembers() {
    FleetLayout layout = plan("control", 2);
    List<FleetMember> db = layout.of(Role.DB);
    assertThat(layout.jdbcUrl())
        .startsWith(
            "jdbc:postgresql://127.0.0.1:"
                + db.get(0).port()
                + ",127.0.0.1:"
                + db.get(1).port()
                + "/postgres?")
        .contains("targetServerType=primary", "socketTimeout=");
    assertThat(layout.etcdCluster().split(",")).hasSize(3);
  }

  @Test
  void theLoadBalancerChecksReadyOnEveryReplica() {
    FleetLayout layout = plan("experimental", 3);
    String cfg = HaproxyConfig.render(layout);
    assertThat(cfg).contains("option httpchk GET /ready", "option redispatch", "stats uri /stats");
    assertThat(cfg).contains("bind 127.0.0.1:" + layout.lb().port());
    for (FleetMember web : layout.of(Role.WEB)) {
      assertThat(cfg).contains("server " + web.name() + " 127.0.0.1:" + web.port() + " check");
    }
    assertThat(cfg).doesNotContain("0.0.0.0");
  }

  @Test
  void patroniMembersUseTheGroupsEtcdAndLoopbackOnly() {
    FleetLayout layout = plan("experimental", 2);
    FleetMember db = layout.of(Role.DB).get(1);
    String yml = PatroniConfig.render(layout, db, Path.of("/data/db-2"));
    assertThat(yml)
        .contains(
            "scope: scale-experimental",
            "name: scale-experimental-db-2",
            "hosts: " + layout.etcdHosts(),
            "listen: 127.0.0.1:" + db.port(),
            "ttl: 10",
            "use_pg_rewind: true",
            "data_dir: /data/db-2/data");
  }

  @Test
  void aTargetFileCarriesZoneRoleAndThePostmastersPidFile() {
    FleetLayout layout = plan("experimental", 2);
    FleetMember db = layout.of(Role.DB).get(0);
    String file = GroupFleet.targetFile(db, 42, Path.of("/d/data/postmaster.pid"));
    assertThat(file)
        .contains(
            "name=scale-experimental-db-1\n",
            "group=EXPERIMENTAL\n",
            "pid=42\n",
            "zone=zone-a\n",
            "role=db\n",
            "pidfile=/d/data/postmaster.pid\n");
    assertThat(GroupFleet.targetFile(layout.lb(), 7, null)).doesNotContain("zone=", "pidfile=");
  }

  @Test
  void anExitedMemberRestartsUnlessItsZoneIsDownOrTheFleetCloses() {
    assertThat(GroupFleet.afterExit(false, false)).isEqualTo(GroupFleet.AfterExit.RESTART);
    assertThat(GroupFleet.afterExit(false, true)).isEqualTo(GroupFleet.AfterExit.WAIT_FOR_ZONE);
    assertThat(GroupFleet.afterExit(true, false)).isEqualTo(GroupFleet.AfterExit.NOTHING);
    assertThat(GroupFleet.afterExit(true, true)).isEqualTo(GroupFleet.AfterExit.NOTHING);
  }

  @Test
  void zoneMarkersArePerZoneAndGroup(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    java.nio.file.Files.writeString(ZoneMarkers.marker(dir, "zone-a", "EXPERIMENTAL"), "x");
    assertThat(ZoneMarkers.marker(dir, "zone-a", "EXPERIMENTAL").getFileName().toString())
        .isEqualTo("zone-a.experimental.down");
    assertThat(ZoneMarkers.isDown(dir, "zone-a", "EXPERIMENTAL")).isTrue();
    assertThat(ZoneMarkers.isDown(dir, "zone-a", "CONTROL")).isFalse();
    assertThat(ZoneMarkers.isDown(dir, "zone-b", "EXPERIMENTAL")).isFalse();
    assertThat(ZoneMarkers.isDown(dir, null, "EXPERIMENTAL")).isFalse();
  }

  @Test
  void aWriteOutageRunsFromTheFirstFailureToTheFirstAcceptedWrite() {
    WriteProbe probe = WriteProbe.detached();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    probe.record(true, t0);
    probe.record(false, t0.plusMillis(100));
    probe.record(false, t0.plusMillis(200));
    assertThat(probe.failing()).isTrue();
    probe.record(true, t0.plusMillis(9_300));
    assertThat(probe.outages()).hasSize(1);
    assertThat(probe.outages().get(0).length().toMillis()).isEqualTo(9_200);
    assertThat(probe.accepted()).isEqualTo(2);
    assertThat(probe.failed()).isEqualTo(2);
  }
}
