package io.faultline.scale.fleet;

import com.sun.net.httpserver.HttpServer;
import io.faultline.common.DaemonThreads;
import io.faultline.scale.fleet.FleetMember.Role;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One group's fleet as a Prometheus exporter, like kube-state-metrics, the Patroni and HAProxy
 * exporters would be on Kubernetes: {@code /metrics} answers, at each scrape, with what the fleet
 * shows now. Replicas ready per zone (each web replica's {@code /ready}), each database member's
 * role, state, timeline and replication lag (Patroni's {@code /cluster}), the load balancer's
 * backend states and error counts (HAProxy's {@code /stats;csv}) and the write probe's outcome.
 * Every series has {@code group}; names follow docs/adr/0016 (base units, {@code _total} counters).
 */
public final class FleetStatus implements AutoCloseable {

  /** One database member as Patroni's {@code /cluster} lists it. */
  public record DbMember(String name, String role, String state, long timeline, Long lagBytes) {
    public boolean primary() {
      return "leader".equals(role) || "master".equals(role) || "standby_leader".equals(role);
    }
  }

  /** One HAProxy server line: up or not, connection and response errors, retries. */
  public record Backend(String name, boolean up, long connectionErrors, long responseErrors) {
    public long errors() {
      return connectionErrors + responseErrors;
    }
  }

  /**
   * A database member seen leading where another member, or an older timeline, led before: a
   * promotion, at the time this process first observed it (at most {@link #OBSERVE_EVERY} plus
   * Patroni's answer after it happened).
   *
   * @param observedAtMs epoch ms of the observation that first showed the new leader
   * @param member the new leader, without its group's prefix (db-2)
   * @param timeline its timeline
   */
  public record Promotion(long observedAtMs, String member, long timeline) {}

  /**
   * Follows the leader across observations: the first leader seen is the baseline; another member
   * leading after it is a {@link Promotion}, and so is the same member leading on a newer timeline
   * after an observation of members without a leader (it lost its key and took it again). Patroni
   * names the new leader before its timeline moves on: a newer timeline of the same leader without
   * a gap amends the last promotion's timeline, its time stays. Used by the observing thread only.
   */
  static final class LeaderWatch {
    private String leader;
    private long timeline;
    private boolean leaderless;
    private final List<Promotion> promotions = new ArrayList<>();

    /** Takes one observation of Patroni's members; returns every promotion seen so far. */
    List<Promotion> observe(long atMs, List<DbMember> db) {
      DbMember now =
          db.stream()
              .filter(DbMember::primary)
              .max(java.util.Comparator.comparingLong(DbMember::timeline))
              .orElse(null);
      if (now == null) {
        // members without a leader; no members at all is no answer, which says nothing
        leaderless |= leader != null && !db.isEmpty();
        return promotions;
      }
      String name = shortName(now.name());
      boolean newer = now.timeline() > timeline;
      if (leader != null && (!name.equals(leader) || (leaderless && newer))) {
        promotions.add(new Promotion(atMs, name, now.timeline()));
      } else if (leader != null && newer && !promotions.isEmpty()) {
        Promotion last = promotions.remove(promotions.size() - 1);
        promotions.add(new Promotion(last.observedAtMs(), last.member(), now.timeline()));
      }
      leader = name;
      timeline = Math.max(timeline, now.timeline());
      leaderless = false;
      return promotions;
    }
  }

  /** What one scrape saw. */
  record Observation(
      Map<String, int[]> zones, // zone -> {ready, planned}
      List<DbMember> db,
      List<Backend> backends,
      long frontend5xx,
      boolean lbAnswered,
      long dbAnsweredAtMs) {}

  /** The collector's name of the write probe's last outcome (1 accepted, 0 failed). */
  public static final String DB_WRITABLE = "fleet.db.writable";

  /**
   * What the collector's {@code scrape} source publishes of this endpoint, metric name to selector:
   * per zone the share of ready replicas, the database's primaries, replication lag and
   * writability, the load balancer's replicas up and per replica its state and errors of the last 5
   * s. Counters stay on the endpoint only: the analyzer judges each sample's level, and a running
   * total never returns to its baseline.
   */
  public static Map<String, String> collectorSelectors(FleetLayout layout) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String zone : layout.zones()) {
      if (layout.inZone(zone).stream().anyMatch(m -> m.role() == Role.WEB)) {
        out.put("fleet.ready.ratio." + zone, "scale_fleet_zone_ready_ratio{zone=\"" + zone + "\"}");
      }
    }
    out.put("fleet.db.primaries", "scale_fleet_db_primaries");
    out.put("fleet.db.replication.lag.bytes", "scale_fleet_db_replication_lag_bytes");
    out.put(DB_WRITABLE, "scale_fleet_db_writable");
    out.put("fleet.lb.backends.up", "scale_fleet_lb_backends_up");
    for (FleetMember web : layout.of(Role.WEB)) {
      String name = shortName(web.name());
      String b = "{backend=\"" + name + "\"}";
      out.put("fleet.lb.backend.up." + name, "scale_fleet_lb_backend_up" + b);
      out.put("fleet.lb.backend.errors." + name, "scale_fleet_lb_backend_recent_errors" + b);
    }
    return out;
  }

  /** A member's name without its group's prefix: the same in both groups, e.g. web-1. */
  static String shortName(String name) {
    return name.replaceFirst("^scale-(control|experimental)-", "");
  }

  /** How often the fleet is looked at. */
  static final Duration OBSERVE_EVERY = Duration.ofMillis(500);

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FleetStatus.class);

  /** How far back {@code scale_fleet_lb_backend_recent_errors} counts. */
  static final Duration RECENT = Duration.ofSeconds(5);

  private static final Pattern MEMBER_FIELD =
      Pattern.compile("\"(name|role|state|timeline|lag)\"\\s*:\\s*(\"[^\"]*\"|[-0-9.]+)");

  private final GroupFleet fleet;
  private final WriteProbe writes; // may be null
  private final HttpServer server;
  private final java.util.concurrent.ScheduledExecutorService observer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fleet-status"));
  private final java.util.concurrent.ExecutorService checks =
      Executors.newCachedThreadPool(DaemonThreads.named("fleet-status"));
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private volatile Observation now = new Observation(Map.of(), List.of(), List.of(), 0, false, 0);
  private final RecentErrors recent = new RecentErrors(RECENT);
  private volatile Map<String, Long> recentErrors = Map.of();
  private final LeaderWatch leaderWatch = new LeaderWatch();
  private volatile List<Promotion> promotions = List.of();

  private FleetStatus(GroupFleet fleet, WriteProbe writes, int port) throws IOException {
    this.fleet = fleet;
    this.writes = writes;
    register(Labels.of("group", fleet.layout().group().toLowerCase(java.util.Locale.ROOT)));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newSingleThreadExecutor(DaemonThreads.named("fleet-status")));
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body;
          int status = 200;
          try {
            body = scrape().getBytes(StandardCharsets.UTF_8);
          } catch (RuntimeException e) {
            status = 500;
            body = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
          }
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    observer.scheduleWithFixedDelay(
        this::observeNow, 0, OBSERVE_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Serves the group's status on a loopback port ({@link LoopbackPorts}); {@code writes} (may be
   * null) is the group's write probe.
   */
  public static FleetStatus serve(GroupFleet fleet, WriteProbe writes) throws IOException {
    return new FleetStatus(fleet, writes, LoopbackPorts.next());
  }

  /** Where the collector scrapes it. */
  public String metricsUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
  }

  /**
   * The text exposition 0.0.4 of the latest observation. Observing runs on its own thread every
   * {@link #OBSERVE_EVERY}, so a scrape answers at once even while a replica's {@code /ready} waits
   * for a database that is gone (the moments a scrape must not miss); the write probe's figures are
   * read live.
   */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
    try {
      PrometheusTextFormatWriter.create()
          .write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Every promotion of a database member this endpoint observed since it started, oldest first: the
   * time to a new primary, measured apart from the time writes are accepted again.
   */
  public List<Promotion> promotions() {
    return promotions;
  }

  /** One round of looking at the fleet; the checks of a round run side by side. */
  private void observeNow() {
    try {
      Observation o = observe();
      List<Promotion> seen = List.copyOf(leaderWatch.observe(o.dbAnsweredAtMs(), o.db()));
      if (!seen.equals(promotions)) {
        Promotion p = seen.get(seen.size() - 1);
        log.info(
            "{} database: {} promoted, timeline {}",
            fleet.layout().group(),
            p.member(),
            p.timeline());
      }
      promotions = seen;
      Map<String, Long> totals = new TreeMap<>();
      o.backends().forEach(b -> totals.put(shortName(b.name()), b.errors()));
      recentErrors = recent.add(System.currentTimeMillis(), totals);
      now = o;
    } catch (RuntimeException e) {
      log.warn("{} fleet status: {}", fleet.layout().group(), e.toString());
    }
  }

  private Observation observe() {
    FleetLayout layout = fleet.layout();
    Map<FleetMember, CompletableFuture<Integer>> ready = new LinkedHashMap<>();
    for (FleetMember m : layout.of(Role.WEB)) {
      ready.put(
          m,
          CompletableFuture.supplyAsync(
              () -> status("http://127.0.0.1:" + m.port() + "/ready"), checks));
    }
    CompletableFuture<String> stats =
        CompletableFuture.supplyAsync(() -> body(fleet.statsUrl()), checks);
    // the database's members from the first Patroni that answers, with the time it answered
    CompletableFuture<Map.Entry<Long, List<DbMember>>> db =
        CompletableFuture.supplyAsync(
            () -> {
              for (FleetMember m : layout.of(Role.DB)) {
                String json = body("http://127.0.0.1:" + m.secondPort() + "/cluster");
                if (json != null) {
                  return Map.entry(System.currentTimeMillis(), patroniCluster(json));
                }
              }
              return Map.entry(0L, List.<DbMember>of());
            },
            checks);
    Map<String, int[]> zones = new TreeMap<>();
    for (String zone : layout.zones()) {
      int[] counts = new int[2];
      for (FleetMember m : layout.inZone(zone)) {
        if (m.role() == Role.WEB) {
          counts[1]++;
          if (ready.get(m).join() == 200) {
            counts[0]++;
          }
        }
      }
      if (counts[1] > 0) {
        zones.put(zone, counts);
      }
    }
    Map.Entry<Long, List<DbMember>> cluster = db.join();
    String csv = stats.join();
    List<Backend> backends = csv == null ? List.of() : haproxyBackends(csv, "replicas");
    return new Observation(
        zones,
        cluster.getValue(),
        backends,
        csv == null ? 0 : haproxyFrontend5xx(csv, "scale"),
        csv != null,
        cluster.getKey());
  }

  private int status(String url) {
    return GroupFleet.status(http, url, Duration.ofMillis(800));
  }

  private String body(String url) {
    try {
      HttpRequest r =
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(800)).GET().build();
      HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The members of Patroni's {@code /cluster} JSON; a lag Patroni calls "unknown" is null. */
  static List<DbMember> patroniCluster(String json) {
    List<DbMember> out = new ArrayList<>();
    int members = json.indexOf("\"members\"");
    if (members < 0) {
      return out;
    }
    // one segment per member: from its "name" to the next member's
    String[] parts = json.substring(members).split("(?=\"name\"\\s*:)");
    for (String part : parts) {
      Map<String, String> f = new LinkedHashMap<>();
      Matcher m = MEMBER_FIELD.matcher(part);
      while (m.find()) {
        f.putIfAbsent(m.group(1), m.group(2).replace("\"", ""));
      }
      if (!f.containsKey("name") || !f.containsKey("role")) {
        continue;
      }
      out.add(
          new DbMember(
              f.get("name"),
              f.get("role"),
              f.getOrDefault("state", ""),
              number(f.get("timeline"), 0L),
              number(f.get("lag"), null)));
    }
    return out;
  }

  private static Long number(String s, Long otherwise) {
    if (s == null) {
      return otherwise;
    }
    try {
      return (long) Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /** The servers of one backend in HAProxy's {@code /stats;csv}, by its header's field names. */
  static List<Backend> haproxyBackends(String csv, String backend) {
    List<Backend> out = new ArrayList<>();
    List<String> header = null;
    for (String line : csv.split("\n")) {
      if (line.startsWith("# ")) {
        header = List.of(line.substring(2).split(",", -1));
        continue;
      }
      if (header == null || line.isBlank()) {
        continue;
      }
      String[] v = line.split(",", -1);
      String px = field(header, v, "pxname");
      String sv = field(header, v, "svname");
      if (!backend.equals(px) || "BACKEND".equals(sv) || "FRONTEND".equals(sv)) {
        continue;
      }
      out.add(
          new Backend(
              sv,
              field(header, v, "status").startsWith("UP"),
              count(field(header, v, "econ")),
              count(field(header, v, "eresp"))));
    }
    return out;
  }

  /** The 5xx responses a frontend sent (HAProxy's own 503s when no backend is up included). */
  static long haproxyFrontend5xx(String csv, String frontend) {
    List<String> header = null;
    for (String line : csv.split("\n")) {
      if (line.startsWith("# ")) {
        header = List.of(line.substring(2).split(",", -1));
        continue;
      }
      String[] v = line.split(",", -1);
      if (header != null
          && frontend.equals(field(header, v, "pxname"))
          && "FRONTEND".equals(field(header, v, "svname"))) {
        return count(field(header, v, "hrsp_5xx"));
      }
    }
    return 0;
  }

  private static String field(List<String> header, String[] values, String name) {
    int i = header.indexOf(name);
    return i < 0 || i >= values.length ? "" : values[i];
  }

  private static long count(String s) {
    try {
      return s.isEmpty() ? 0 : Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void register(Labels g) {
    GaugeWithCallback.builder()
        .name("scale_fleet_replicas")
        .help("Web replicas planned per zone.")
        .constLabels(g)
        .labelNames("zone")
        .callback(cb -> now.zones().forEach((z, c) -> cb.call(c[1], z)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_replicas_ready")
        .help("Web replicas answering /ready with 200, per zone.")
        .constLabels(g)
        .labelNames("zone")
        .callback(cb -> now.zones().forEach((z, c) -> cb.call(c[0], z)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_zone_ready_ratio")
        .help("Share of the zone's web replicas that are ready (0-1): the zone's availability.")
        .constLabels(g)
        .labelNames("zone")
        .callback(cb -> now.zones().forEach((z, c) -> cb.call((double) c[0] / c[1], z)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_db_member_primary")
        .help("1 if the database member leads (Patroni role leader), 0 if not.")
        .constLabels(g)
        .labelNames("member", "role", "state")
        .callback(
            cb ->
                now.db()
                    .forEach(
                        m ->
                            cb.call(m.primary() ? 1 : 0, shortName(m.name()), m.role(), m.state())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_db_primaries")
        .help("Database members leading now (1 in a healthy cluster, 0 during a failover).")
        .constLabels(g)
        .callback(cb -> cb.call(now.db().stream().filter(DbMember::primary).count()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_db_replication_lag_bytes")
        .help("WAL bytes a replica is behind its primary, as Patroni reports it.")
        .constLabels(g)
        .labelNames("member")
        .callback(
            cb ->
                now.db().stream()
                    .filter(m -> !m.primary() && m.lagBytes() != null)
                    .forEach(m -> cb.call(m.lagBytes(), shortName(m.name()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_db_timeline")
        .help("The primary's timeline (one more after every promotion).")
        .constLabels(g)
        .callback(
            cb ->
                now.db().stream()
                    .filter(DbMember::primary)
                    .mapToLong(DbMember::timeline)
                    .max()
                    .ifPresent(cb::call))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_lb_backend_up")
        .help("1 if HAProxy has the replica UP, 0 if DOWN or in maintenance.")
        .constLabels(g)
        .labelNames("backend")
        .callback(cb -> now.backends().forEach(b -> cb.call(b.up() ? 1 : 0, shortName(b.name()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_lb_backends_up")
        .help("Replicas HAProxy has UP.")
        .constLabels(g)
        .callback(
            cb -> {
              if (now.lbAnswered()) {
                cb.call(now.backends().stream().filter(Backend::up).count());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("scale_fleet_lb_backend_errors_total")
        .help("Connection and response errors HAProxy saw per replica (econ + eresp).")
        .constLabels(g)
        .labelNames("backend")
        .callback(cb -> now.backends().forEach(b -> cb.call(b.errors(), shortName(b.name()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("scale_fleet_lb_backend_recent_errors")
        .help("Connection and response errors HAProxy saw per replica in the last 5 s.")
        .constLabels(g)
        .labelNames("backend")
        .callback(cb -> recentErrors.forEach((b, n) -> cb.call(n, b)))
        .register(registry);
    CounterWithCallback.builder()
        .name("scale_fleet_lb_responses_5xx_total")
        .help("5xx responses the load balancer sent, its own 503s (no backend up) included.")
        .constLabels(g)
        .callback(
            cb -> {
              if (now.lbAnswered()) {
                cb.call(now.frontend5xx());
              }
            })
        .register(registry);
    if (writes != null) {
      CounterWithCallback.builder()
          .name("scale_fleet_db_writes_total")
          .help("Writes of the write probe (a new connection and one INSERT each), by outcome.")
          .constLabels(g)
          .labelNames("outcome")
          .callback(
              cb -> {
                cb.call(writes.accepted(), "accepted");
                cb.call(writes.failed(), "failed");
              })
          .register(registry);
      GaugeWithCallback.builder()
          .name("scale_fleet_db_writable")
          .help("1 if the write probe's last write was accepted, 0 if it failed.")
          .constLabels(g)
          .callback(cb -> cb.call(writes.failing() ? 0 : 1))
          .register(registry);
    }
  }

  /**
   * Per-key increase of counters over a trailing span: the current totals minus the oldest totals
   * seen within the span (a counter that went down, HAProxy restarted, counts from zero).
   */
  static final class RecentErrors {
    private final long spanMs;
    private final java.util.ArrayDeque<Map.Entry<Long, Map<String, Long>>> seen =
        new java.util.ArrayDeque<>();

    RecentErrors(Duration span) {
      this.spanMs = span.toMillis();
    }

    Map<String, Long> add(long atMs, Map<String, Long> totals) {
      seen.addLast(Map.entry(atMs, Map.copyOf(totals)));
      while (seen.size() > 1 && seen.peekFirst().getKey() < atMs - spanMs) {
        seen.removeFirst();
      }
      Map<String, Long> oldest = seen.peekFirst().getValue();
      Map<String, Long> out = new TreeMap<>();
      totals.forEach(
          (k, v) -> {
            long before = oldest.getOrDefault(k, v);
            out.put(k, v >= before ? v - before : v);
          });
      return out;
    }
  }

  @Override
  public void close() {
    observer.shutdownNow();
    checks.shutdownNow();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
