package io.faultline.scale.fleet;

import java.nio.file.Path;

/**
 * One Patroni member's configuration (docs/adr/0015): etcd v3 as its store, a 10 s leader TTL so a
 * lost primary is replaced in about ten seconds, pg_rewind so an old primary rejoins as a replica,
 * trust on loopback only, no Unix socket (the data directory's path may be too long for one).
 */
public final class PatroniConfig {

  static final int TTL_SECONDS = 10;

  private PatroniConfig() {}

  public static String render(FleetLayout layout, FleetMember member, Path dataDir) {
    String scope = "scale-" + layout.group().toLowerCase(java.util.Locale.ROOT);
    return String.join(
        "\n",
        "# written by the fleet supervisor for " + member.name() + " (" + member.zone() + ")",
        "scope: " + scope,
        "name: " + member.name(),
        "restapi:",
        "  listen: 127.0.0.1:" + member.secondPort(),
        "  connect_address: 127.0.0.1:" + member.secondPort(),
        "etcd3:",
        "  hosts: " + layout.etcdHosts(),
        "bootstrap:",
        "  dcs:",
        "    ttl: " + TTL_SECONDS,
        "    loop_wait: 2",
        "    retry_timeout: 4",
        "    maximum_lag_on_failover: 10485760",
        "    postgresql:",
        "      use_pg_rewind: true",
        "      parameters:",
        "        wal_log_hints: \"on\"",
        "        max_connections: 60",
        "        shared_buffers: 32MB",
        "  initdb:",
        "    - encoding: UTF8",
        "    - auth: trust",
        "  pg_hba:",
        "    - host all all 127.0.0.1/32 trust",
        "    - host replication all 127.0.0.1/32 trust",
        "postgresql:",
        "  listen: 127.0.0.1:" + member.port(),
        "  connect_address: 127.0.0.1:" + member.port(),
        "  data_dir: " + dataDir.resolve("data").toAbsolutePath(),
        "  bin_dir: " + FleetCommands.postgresBin(),
        "  pgpass: " + dataDir.resolve("pgpass").toAbsolutePath(),
        "  authentication:",
        "    superuser: {username: postgres}",
        "    replication: {username: postgres}",
        "    rewind: {username: postgres}",
        "  parameters:",
        "    unix_socket_directories: \"\"",
        "");
  }
}
