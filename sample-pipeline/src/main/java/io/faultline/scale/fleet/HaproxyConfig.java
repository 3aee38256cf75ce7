package io.faultline.scale.fleet;

import io.faultline.scale.fleet.FleetMember.Role;

/**
 * The group's HAProxy configuration, like a Service or an ALB in front of the web replicas: round
 * robin, {@code GET /ready} checked every 500 ms (down after 2 failures, up after 2 successes), a
 * refused connection retried on another replica ({@code redispatch}), and a stats page for the
 * backend states ({@code /stats;csv} on the member's second port).
 */
public final class HaproxyConfig {

  static final int CHECK_INTERVAL_MS = 500;

  private HaproxyConfig() {}

  public static String render(FleetLayout layout) {
    FleetMember lb = layout.lb();
    StringBuilder s = new StringBuilder();
    s.append("# written by the fleet supervisor for ").append(lb.name()).append('\n');
    s.append("global\n  maxconn 2000\n\n");
    s.append("defaults\n")
        .append("  mode http\n")
        .append("  timeout connect 1s\n")
        .append("  timeout client 10s\n")
        .append("  timeout server 10s\n")
        .append("  timeout check 1s\n")
        .append("  retries 2\n")
        .append("  option redispatch\n\n");
    s.append("frontend scale\n")
        .append("  bind 127.0.0.1:")
        .append(lb.port())
        .append('\n')
        .append("  default_backend replicas\n\n");
    s.append("backend replicas\n")
        .append("  balance roundrobin\n")
        .append("  option httpchk GET /ready\n")
        .append("  http-check expect status 200\n")
        .append("  default-server inter ")
        .append(CHECK_INTERVAL_MS)
        .append(" fall 2 rise 2\n");
    for (FleetMember web : layout.of(Role.WEB)) {
      s.append("  server ")
          .append(web.name())
          .append(" 127.0.0.1:")
          .append(web.port())
          .append(" check\n");
    }
    s.append("\nlisten stats\n")
        .append("  bind 127.0.0.1:")
        .append(lb.secondPort())
        .append('\n')
        .append("  stats enable\n")
        .append("  stats uri /stats\n");
    return s.toString();
  }
}
