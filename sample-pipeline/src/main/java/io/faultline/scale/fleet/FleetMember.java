package io.faultline.scale.fleet;

/**
 * One process of a group's fleet: its name (also its target file's), group, role, zone ({@code
 * null} for the load balancer, which like a cloud load balancer lives in no zone), its main port
 * and, for etcd and Patroni, a second one (etcd's peer port, Patroni's REST API).
 */
public record FleetMember(
    String name, String group, Role role, String zone, int port, int secondPort) {

  /** What a member is in a Scale deployment. */
  public enum Role {
    /** a Scale web replica ({@code ScaleMain web}) */
    WEB,
    /** the group's HAProxy */
    LB,
    /** a Patroni member with its PostgreSQL */
    DB,
    /** an etcd member, Patroni's store */
    DCS;

    /** How target files and logs name the role. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
