package io.faultline.scale.fleet;

import io.faultline.scale.fleet.FleetMember.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Where a group's processes go, decided before any starts: {@code replicas} Scale web replicas
 * round robin over the zones (replica 1 in the first zone), one etcd member per zone (three
 * members, so the store keeps a quorum when a zone is lost), two Patroni members in the first two
 * zones (the primary and its streaming replica never share a zone), and one HAProxy in no zone.
 */
public record FleetLayout(String group, List<String> zones, List<FleetMember> members) {

  public static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");

  public FleetLayout {
    zones = List.copyOf(zones);
    members = List.copyOf(members);
  }

  /**
   * Plans a group of {@code replicas} web replicas over {@code zones}; ports come from {@code
   * ports} (a free loopback port per call). Throws naming the bad value.
   */
  public static FleetLayout plan(
      String group, int replicas, List<String> zones, IntSupplier ports) {
    if (replicas < 2 || replicas > 12) {
      throw new IllegalArgumentException(
          "fleet replicas " + replicas + ": must be from 2 to 12 (one replica is not a fleet)");
    }
    if (zones.size() != 3 || zones.stream().distinct().count() != 3) {
      throw new IllegalArgumentException(
          "fleet zones "
              + zones
              + ": must be three distinct zones (etcd needs a quorum of 2 of 3)");
    }
    for (String zone : zones) {
      if (!zone.matches("[a-z0-9][a-z0-9-]{0,30}")) {
        throw new IllegalArgumentException(
            "fleet zone '" + zone + "': lower-case letters, digits and '-' only, e.g. zone-a");
      }
    }
    String g = group.toUpperCase(Locale.ROOT);
    if (!g.equals("CONTROL") && !g.equals("EXPERIMENTAL")) {
      throw new IllegalArgumentException("fleet group '" + group + "': CONTROL or EXPERIMENTAL");
    }
    String prefix = "scale-" + g.toLowerCase(Locale.ROOT) + "-";
    List<FleetMember> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(
          new FleetMember(
              prefix + "etcd-" + (i + 1),
              g,
              Role.DCS,
              zones.get(i),
              ports.getAsInt(),
              ports.getAsInt()));
    }
    for (int i = 0; i < 2; i++) {
      members.add(
          new FleetMember(
              prefix + "db-" + (i + 1),
              g,
              Role.DB,
              zones.get(i),
              ports.getAsInt(),
              ports.getAsInt()));
    }
    for (int i = 0; i < replicas; i++) {
      members.add(
          new FleetMember(
              prefix + "web-" + (i + 1), g, Role.WEB, zones.get(i % 3), ports.getAsInt(), 0));
    }
    members.add(
        new FleetMember(prefix + "lb", g, Role.LB, null, ports.getAsInt(), ports.getAsInt()));
    return new FleetLayout(g, zones, members);
  }

  public List<FleetMember> of(Role role) {
    return members.stream().filter(m -> m.role() == role).toList();
  }

  public FleetMember lb() {
    return of(Role.LB).get(0);
  }

  /** The members a zone outage takes down: every member of the zone (never the load balancer). */
  public List<FleetMember> inZone(String zone) {
    return members.stream().filter(m -> zone.equals(m.zone())).toList();
  }

  /** etcd's {@code --initial-cluster}: {@code name=http://127.0.0.1:peer,...}. */
  public String etcdCluster() {
    return String.join(
        ",",
        of(Role.DCS).stream().map(m -> m.name() + "=http://127.0.0.1:" + m.secondPort()).toList());
  }

  /** Patroni's {@code etcd3.hosts}: {@code 127.0.0.1:client,...}. */
  public String etcdHosts() {
    return String.join(",", of(Role.DCS).stream().map(m -> "127.0.0.1:" + m.port()).toList());
  }

  /**
   * The JDBC URL of the group's database for Scale: every Patroni member, the driver picks the one
   * that accepts writes; short timeouts so a stopped primary is given up in seconds.
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://"
        + String.join(",", of(Role.DB).stream().map(m -> "127.0.0.1:" + m.port()).toList())
        + "/postgres?targetServerType=primary&connectTimeout=2&socketTimeout=5&loginTimeout=4";
  }
}
