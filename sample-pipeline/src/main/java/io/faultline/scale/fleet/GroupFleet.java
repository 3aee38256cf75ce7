package io.faultline.scale.fleet;

import io.faultline.common.DaemonThreads;
import io.faultline.scale.ExtractionJob;
import io.faultline.scale.GeneratedCorpus;
import io.faultline.scale.SongStore;
import io.faultline.scale.fleet.FleetMember.Role;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's Scale deployment on this machine (docs/adr/0015): a 3-member etcd, two Patroni
 * members with PostgreSQL, N Scale web replicas and an HAProxy in front of them, each a child
 * process with its zone in its target file ({@code <targetsDir>/<name>.properties}: name, group,
 * pid, host, port, zone, role, and for a Patroni member {@code pidfile}, its postmaster's pid file,
 * since the postmaster is not Patroni's child). A member that exits is started again after the
 * restart delay, as a ReplicaSet would, unless its zone is down for the group ({@link
 * ZoneMarkers}); then it waits for the zone. Closing (or the JVM's exit) stops every process and
 * its descendants, stopped ones included, and deletes the target files.
 */
public final class GroupFleet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupFleet.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  static final long SEED = 42;

  /** What happens to a member that exited. */
  enum AfterExit {
    RESTART,
    WAIT_FOR_ZONE,
    NOTHING
  }

  static AfterExit afterExit(boolean closing, boolean zoneDown) {
    if (closing) {
      return AfterExit.NOTHING;
    }
    return zoneDown ? AfterExit.WAIT_FOR_ZONE : AfterExit.RESTART;
  }

  private final class Member {
    final FleetMember spec;
    final List<String> command;
    final Path dir;
    final Path pidFile; // the postmaster's, for a Patroni member
    volatile Process process;
    volatile boolean waitingForZone;

    Member(FleetMember spec, List<String> command, Path dir, Path pidFile) {
      this.spec = spec;
      this.command = command;
      this.dir = dir;
      this.pidFile = pidFile;
    }
  }

  private final FleetLayout layout;
  private final Path dir;
  private final Path targetsDir;
  private final Duration restartDelay;
  private final Consumer<String> say;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Thread shutdownHook = new Thread(this::close, "fleet-shutdown");
  private volatile boolean closing;

  private GroupFleet(
      FleetLayout layout, Path dir, Path targetsDir, Duration restartDelay, Consumer<String> say) {
    this.layout = layout;
    this.dir = dir;
    this.targetsDir = targetsDir;
    this.restartDelay = restartDelay;
    this.say = say;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("fleet-" + layout.group().toLowerCase(Locale.ROOT)));
  }

  /**
   * Starts the group in order (etcd, the Patroni primary, then its replica cloning while the
   * database is seeded with {@code songs} generated songs and the web replicas start, HAProxy once
   * the replica streams and the web replicas are ready) and returns once the load balancer answers
   * {@code /ready}. Fails naming the member and its log; whatever it started is stopped then. Fails
   * before starting anything when a Debian package is missing or user postgres cannot reach {@code
   * dataDir} ({@link FleetCommands#cannotStartIn(Path)}).
   */
  public static GroupFleet start(
      FleetLayout layout,
      Path dataDir,
      Path targetsDir,
      int songs,
      Duration restartDelay,
      Consumer<String> say)
      throws IOException {
    java.util.Optional<String> blocked = FleetCommands.cannotStartIn(dataDir);
    if (blocked.isPresent()) {
      throw new IOException("the local fleet " + blocked.get());
    }
    Path dir = dataDir.resolve("fleet").resolve(layout.group().toLowerCase(Locale.ROOT));
    GroupFleet fleet = new GroupFleet(layout, dir, targetsDir, restartDelay, say);
    Runtime.getRuntime().addShutdownHook(fleet.shutdownHook);
    try {
      fleet.startAll(songs);
      fleet.scheduler.scheduleWithFixedDelay(
          fleet::startWaitingMembers, 500, 500, TimeUnit.MILLISECONDS);
      return fleet;
    } catch (IOException | RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  private void startAll(int songs) throws IOException {
    Files.createDirectories(targetsDir);
    // a fresh cluster every time: etcd's and Patroni's old state names ports of an earlier run
    deleteTree(dir);
    ScaleDirs.createTraversable(dir);
    for (FleetMember m : layout.of(Role.DCS)) {
      Path d = dir.resolve(m.name());
      ScaleDirs.createTraversable(d);
      add(new Member(m, FleetCommands.etcd(layout, m, d), d, null));
    }
    for (FleetMember m : layout.of(Role.DCS)) {
      launch(members.get(m.name()), "started");
    }
    for (FleetMember m : layout.of(Role.DCS)) {
      await(m, "etcd health", () -> get("http://127.0.0.1:" + m.port() + "/health") == 200);
    }
    List<FleetMember> dbs = layout.of(Role.DB);
    for (FleetMember m : dbs) {
      Path d = dir.resolve(m.name());
      ScaleDirs.createOwnedByPostgres(d);
      Path config = d.resolve("patroni.yml");
      Files.writeString(config, PatroniConfig.render(layout, m, d));
      add(
          new Member(
              m, FleetCommands.patroni(config), d, d.resolve("data").resolve("postmaster.pid")));
    }
    // the first member bootstraps the cluster; the second is cloned from it
    launch(members.get(dbs.get(0).name()), "started");
    await(dbs.get(0), "Patroni primary", () -> patroni(dbs.get(0), "/primary") == 200);
    launch(members.get(dbs.get(1).name()), "started");
    // seeding and the web replicas' start need only the primary: they go on while the replica
    // clones (it streams what the seed writes), instead of after it
    seed(songs);
    for (FleetMember m : layout.of(Role.WEB)) {
      Path d = dir.resolve(m.name());
      ScaleDirs.createTraversable(d);
      add(new Member(m, FleetCommands.web(layout, m, d.resolve("scale.log")), d, null));
      launch(members.get(m.name()), "started");
    }
    await(dbs.get(1), "Patroni streaming replica", () -> patroni(dbs.get(1), "/replica") == 200);
    for (FleetMember m : layout.of(Role.WEB)) {
      await(m, "/ready", () -> get("http://127.0.0.1:" + m.port() + "/ready") == 200);
    }
    FleetMember lb = layout.lb();
    Path d = dir.resolve(lb.name());
    ScaleDirs.createTraversable(d);
    Path config = d.resolve("haproxy.cfg");
    Files.writeString(config, HaproxyConfig.render(layout));
    add(new Member(lb, FleetCommands.haproxy(config), d, null));
    launch(members.get(lb.name()), "started");
    await(lb, "/ready through the load balancer", () -> get(lbUrl() + "/ready") == 200);
    say.accept(
        layout.group()
            + " fleet ready: "
            + layout.of(Role.WEB).size()
            + " web replicas over "
            + layout.zones()
            + " behind "
            + lbUrl()
            + ", primary "
            + primary());
  }

  private void add(Member m) {
    members.put(m.spec.name(), m);
  }

  private void seed(int songs) throws IOException {
    try (SongStore store = SongStore.open(layout.jdbcUrl(), "postgres", "", 2)) {
      if (store.count() >= songs) {
        return;
      }
      ExtractionJob.Report report =
          new ExtractionJob(store, 2).run(new GeneratedCorpus(songs, SEED));
      log.info("{} database seeded: {}", layout.group(), report);
    } catch (java.sql.SQLException e) {
      throw new IOException(
          layout.group() + " database: cannot seed " + songs + " songs: " + e.getMessage(), e);
    }
  }

  private void launch(Member m, String what) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(m.command)
            .directory(m.dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(m).toFile()));
    if (m.spec.role() == Role.WEB) {
      pb.environment().put("SCALE_DB_USER", "postgres");
      pb.environment().put("SCALE_DB_POOL_SIZE", "4");
      pb.environment().put("SCALE_INDEX_REFRESH", "3600");
    }
    if (m.spec.role() == Role.DB) {
      pb.environment().put("HOME", m.dir.toAbsolutePath().toString());
    }
    Process p = pb.start();
    m.process = p;
    writeTargetFile(m, p.pid());
    log.info("{} {} pid {} ({})", m.spec.name(), what, p.pid(), zoneText(m.spec));
    if (!what.equals("started")) {
      say.accept(m.spec.name() + " " + what + ", pid " + p.pid());
    }
    p.onExit().thenAccept(done -> onExit(m, done));
  }

  /** The last lines of a member's log, for an error message; empty when there are none. */
  static String logTail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return tail.isEmpty() ? "" : ", ending:\n  " + String.join("\n  ", tail);
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  private static String zoneText(FleetMember m) {
    return m.zone() == null ? "no zone" : m.zone();
  }

  private Path log(Member m) {
    return m.dir.resolve(m.spec.role().label() + ".log");
  }

  private void onExit(Member m, Process p) {
    if (m.process != p) {
      return;
    }
    AfterExit next =
        afterExit(closing, ZoneMarkers.isDown(targetsDir, m.spec.zone(), layout.group()));
    if (next == AfterExit.NOTHING) {
      return;
    }
    say.accept(m.spec.name() + " pid " + p.pid() + " exited (code " + p.exitValue() + ")");
    if (next == AfterExit.WAIT_FOR_ZONE) {
      m.waitingForZone = true;
      say.accept(
          m.spec.name() + ": " + m.spec.zone() + " is down; it starts when the zone is back");
      return;
    }
    scheduler.schedule(() -> restart(m), restartDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void restart(Member m) {
    if (closing || (m.process != null && m.process.isAlive())) {
      return;
    }
    if (ZoneMarkers.isDown(targetsDir, m.spec.zone(), layout.group())) {
      m.waitingForZone = true;
      return;
    }
    try {
      launch(m, "restarted");
    } catch (IOException e) {
      log.error("cannot restart {}: {}", m.spec.name(), e.getMessage());
      scheduler.schedule(() -> restart(m), restartDelay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void startWaitingMembers() {
    for (Member m : members.values()) {
      if (m.waitingForZone && !ZoneMarkers.isDown(targetsDir, m.spec.zone(), layout.group())) {
        m.waitingForZone = false;
        say.accept(
            m.spec.zone() + " is back for " + layout.group() + ": starting " + m.spec.name());
        restart(m);
      }
    }
  }

  private void writeTargetFile(Member m, long pid) throws IOException {
    FleetMember s = m.spec;
    Path file = targetsDir.resolve(s.name() + ".properties");
    Path tmp = targetsDir.resolve(s.name() + ".properties.tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      w.write(targetFile(s, pid, m.pidFile));
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A member's target file: what the agent reads to select and attack it. */
  static String targetFile(FleetMember s, long pid, Path pidFile) {
    StringBuilder w = new StringBuilder("# written by the fleet supervisor at each (re)start\n");
    w.append("name=").append(s.name()).append('\n');
    w.append("group=").append(s.group()).append('\n');
    w.append("pid=").append(pid).append('\n');
    w.append("host=127.0.0.1\n");
    w.append("port=").append(s.port()).append('\n');
    w.append("role=").append(s.role().label()).append('\n');
    if (s.zone() != null) {
      w.append("zone=").append(s.zone()).append('\n');
    }
    if (pidFile != null) {
      w.append("pidfile=").append(pidFile.toAbsolutePath()).append('\n');
    }
    return w.toString();
  }

  private void await(FleetMember m, String what, BooleanSupplier ready) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Member member = members.get(m.name());
      if (member != null && member.process != null && !member.process.isAlive()) {
        throw new IOException(
            m.name()
                + " exited (code "
                + member.process.exitValue()
                + ") before "
                + what
                + "; its log: "
                + log(member)
                + logTail(log(member)));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for " + m.name());
      }
    }
    throw new IOException(
        m.name()
            + ": no "
            + what
            + " within "
            + READY_TIMEOUT.toSeconds()
            + " s; its log: "
            + log(members.get(m.name())));
  }

  int get(String url) {
    return status(http, url, Duration.ofSeconds(2));
  }

  /**
   * The HTTP status of a GET of {@code url}, or -1 when there is no answer within {@code timeout}.
   */
  static int status(HttpClient http, String url, Duration timeout) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private int patroni(FleetMember m, String path) {
    return get("http://127.0.0.1:" + m.secondPort() + path);
  }

  public Path targetsDir() {
    return targetsDir;
  }

  public FleetLayout layout() {
    return layout;
  }

  /** The group's entry point, like a Service's address. */
  public String lbUrl() {
    return "http://127.0.0.1:" + layout.lb().port();
  }

  /** HAProxy's backend states, CSV ({@code ;csv} appended to the stats page). */
  public String statsUrl() {
    return "http://127.0.0.1:" + layout.lb().secondPort() + "/stats;csv";
  }

  public String jdbcUrl() {
    return layout.jdbcUrl();
  }

  /** The Patroni member that answers {@code /primary} with 200 now, or null. */
  public String primary() {
    for (FleetMember m : layout.of(Role.DB)) {
      if (patroni(m, "/primary") == 200) {
        return m.name();
      }
    }
    return null;
  }

  /** The pid of a member's process now, or -1. */
  public long pid(String name) {
    Member m = members.get(name);
    Process p = m == null ? null : m.process;
    return p == null || !p.isAlive() ? -1 : p.pid();
  }

  /**
   * Each member's pid now (-1 when it is not running), and for a Patroni member also its
   * postmaster's as {@code <name>/postmaster}: what a fault on the group would change.
   */
  public Map<String, Long> memberPids() {
    Map<String, Long> pids = new java.util.TreeMap<>();
    for (Member m : members.values()) {
      pids.put(m.spec.name(), pid(m.spec.name()));
      if (m.pidFile != null) {
        long postmaster = postmaster(m.pidFile);
        pids.put(
            m.spec.name() + "/postmaster", postmaster > 0 && alive(postmaster) ? postmaster : -1);
      }
    }
    return pids;
  }

  /**
   * Every process the group runs now: each member, its descendants and a Patroni member's
   * postmaster with its backends.
   */
  public Set<Long> pids() {
    Set<Long> pids = new LinkedHashSet<>();
    for (Member m : members.values()) {
      pids.addAll(tree(m));
    }
    return pids;
  }

  private static Set<Long> tree(Member m) {
    Set<Long> pids = new LinkedHashSet<>();
    Process p = m.process;
    if (p != null) {
      addTree(p.toHandle(), pids);
    }
    long postmaster = postmaster(m.pidFile);
    if (postmaster > 0) {
      ProcessHandle.of(postmaster).ifPresent(h -> addTree(h, pids));
    }
    return pids;
  }

  /** A live process and its descendants. */
  private static void addTree(ProcessHandle h, Set<Long> pids) {
    if (h.isAlive()) {
      pids.add(h.pid());
      h.descendants().forEach(d -> pids.add(d.pid()));
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The first line of a postmaster.pid, or -1. */
  static long postmaster(Path pidFile) {
    if (pidFile == null) {
      return -1;
    }
    try (Stream<String> lines = Files.lines(pidFile)) {
      return lines.findFirst().map(String::strip).map(Long::parseLong).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    scheduler.shutdownNow();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | SecurityException ignored) {
      // the JVM is exiting: this is the hook
    }
    List<Member> order = new ArrayList<>(members.values());
    java.util.Collections.reverse(order); // lb, web, db, etcd
    for (Role role : List.of(Role.LB, Role.WEB, Role.DB, Role.DCS)) {
      List<Member> now = order.stream().filter(m -> m.spec.role() == role).toList();
      stop(now, role == Role.DB ? Duration.ofSeconds(15) : Duration.ofSeconds(5));
    }
    for (Member m : members.values()) {
      try {
        Files.deleteIfExists(targetsDir.resolve(m.spec.name() + ".properties"));
      } catch (IOException ignored) {
        // a stale target file names a dead pid; the agent checks liveness
      }
    }
  }

  /** SIGCONT (a paused member would never see SIGTERM), SIGTERM, then SIGKILL to what is left. */
  private void stop(List<Member> group, Duration grace) {
    Set<Long> all = new LinkedHashSet<>();
    for (Member m : group) {
      all.addAll(tree(m));
    }
    if (all.isEmpty()) {
      return;
    }
    signal("CONT", all);
    for (Member m : group) {
      Process p = m.process;
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && all.stream().anyMatch(GroupFleet::alive)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Member m : group) {
      all.addAll(tree(m));
    }
    for (long pid : all) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  static void signal(String signal, Collection<Long> pids) {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(p -> command.add(Long.toString(p)));
    try {
      new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      log.warn("kill -{} {} failed: {}", signal, pids, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Directories the postgres user can reach: traversable by all, or owned by postgres. */
  static final class ScaleDirs {
    private ScaleDirs() {}

    static void createTraversable(Path d) throws IOException {
      Files.createDirectories(d);
      try {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
    }

    static void createOwnedByPostgres(Path d) throws IOException {
      Files.createDirectories(d);
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
      if (!PostgresUser.command().isEmpty()) {
        UserPrincipalLookupService users = d.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(d, users.lookupPrincipalByName(PostgresUser.NAME));
      }
    }
  }
}
