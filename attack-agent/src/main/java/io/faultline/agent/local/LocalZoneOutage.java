package io.faultline.agent.local;

import io.faultline.agent.ClusterFault;
import io.faultline.agent.ClusterTarget;
import io.faultline.agent.FaultSpec;
import io.faultline.agent.FaultSpecs;
import io.faultline.agent.LocalTargets;
import io.faultline.agent.ProcessTarget;
import io.faultline.agent.Target;
import io.faultline.agent.TargetInventory;
import io.faultline.schema.Group;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code zone-outage} on {@code platform: local} (docs/adr/0015): a zone is the {@code zone} of the
 * local target files; the fault stops every EXPERIMENTAL process of the zone, with its descendants
 * and the process its {@code pidfile} names (a Patroni member's postmaster), by SIGKILL (power
 * loss) or SIGSTOP (a partition). CONTROL processes of the same zone are never touched. The pids
 * are resolved when the zone is listed for selection, so attack.state holds them before any signal
 * is sent. While the outage lasts the marker {@code <targetsDir>/<zone>.experimental.down} tells
 * the fleet's supervisor not to restart the zone's processes; recovery deletes it (the supervisor
 * then starts them) and sends SIGCONT to every recorded pid still alive (harmless to a running one,
 * so an orphan is recovered without knowing the signal).
 */
public final class LocalZoneOutage extends ClusterFault {

  private final Path targetsDir;

  public LocalZoneOutage(Path targetsDir) {
    this.targetsDir = targetsDir;
  }

  @Override
  public FaultSpec spec() {
    return FaultSpecs.ZONE_OUTAGE;
  }

  @Override
  public Overlap overlap() {
    return Overlap.REFUSE; // one marker and one signal per zone; a second would lift the first
  }

  /** Every recorded pid, whatever the signal: the recovery sends SIGCONT to each one alive. */
  @Override
  public Set<Long> stops(Target zone) {
    String pids = ((ClusterTarget) zone).attributes().getOrDefault("pids", "");
    return pids.isBlank()
        ? Set.of()
        : Arrays.stream(pids.split(","))
            .map(String::strip)
            .map(Long::parseLong)
            .collect(Collectors.toUnmodifiableSet());
  }

  /** The zones of the local targets, each with its EXPERIMENTAL processes' pids resolved now. */
  public static TargetInventory zones(LocalTargets targets) {
    return TargetInventory.of("zone", selector -> zoneTargets(targets.read(), targets.dir()));
  }

  static List<ClusterTarget> zoneTargets(List<ProcessTarget> all, Path targetsDir) {
    Map<String, List<ProcessTarget>> byZone = new TreeMap<>();
    for (ProcessTarget t : all) {
      if (t.zone() != null) {
        byZone.computeIfAbsent(t.zone(), z -> new ArrayList<>()).add(t);
      }
    }
    List<ClusterTarget> zones = new ArrayList<>();
    byZone.forEach(
        (zone, members) -> {
          List<ProcessTarget> experimental =
              members.stream().filter(t -> t.group() == Group.EXPERIMENTAL).toList();
          Group group =
              !experimental.isEmpty()
                  ? Group.EXPERIMENTAL
                  : members.stream().anyMatch(t -> t.group() == Group.CONTROL)
                      ? Group.CONTROL
                      : Group.UNKNOWN;
          Set<Long> pids = new LinkedHashSet<>();
          experimental.forEach(t -> pids.addAll(processes(t)));
          zones.add(
              new ClusterTarget(
                  "zone",
                  zone,
                  group,
                  Map.of(
                      "zone", zone,
                      "pids", join(pids),
                      "processes",
                          String.join(",", experimental.stream().map(ProcessTarget::name).toList()),
                      "marker", marker(targetsDir, zone).toAbsolutePath().toString())));
        });
    return zones;
  }

  /** The marker the fleet's supervisor reads: {@code <zone>.experimental.down}. */
  public static Path marker(Path targetsDir, String zone) {
    return targetsDir.resolve(
        zone + "." + Group.EXPERIMENTAL.name().toLowerCase(Locale.ROOT) + ".down");
  }

  /** A target's process, its descendants, and its pid file's process with its descendants. */
  static Set<Long> processes(ProcessTarget t) {
    Set<Long> pids = new LinkedHashSet<>();
    addTree(t.pid(), pids);
    if (t.pidFile() != null) {
      try (Stream<String> lines = Files.lines(Path.of(t.pidFile()))) {
        lines.findFirst().map(String::strip).map(Long::parseLong).ifPresent(p -> addTree(p, pids));
      } catch (IOException | RuntimeException e) {
        // no pid file: the process it names is not running
      }
    }
    return pids;
  }

  private static void addTree(long pid, Set<Long> pids) {
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .ifPresent(
            h -> {
              pids.add(h.pid());
              h.descendants().forEach(d -> pids.add(d.pid()));
            });
  }

  @Override
  public Applied apply(ClusterTarget zone, Map<String, String> parameters, Duration duration)
      throws Exception {
    String signal = FaultSpecs.ZONE_OUTAGE.text(parameters, "signal");
    Path marker = Path.of(zone.attribute("marker"));
    Files.createDirectories(marker.getParent());
    // first the marker, so the supervisor sees the zone down before any of its processes exits
    Files.writeString(marker, "zone-outage " + signal + " since " + Instant.now() + "\n");
    List<Long> pids = alive(zone.attribute("pids"));
    signal(signal, pids);
    return new Applied(
        List.of(
            "zone "
                + zone.name()
                + ": "
                + zone.attribute("processes")
                + " SIG"
                + signal
                + " ("
                + pids.size()
                + " processes)"),
        Map.of("signal", signal));
  }

  @Override
  public String recover(ClusterTarget zone, Map<String, String> recovery) throws Exception {
    Map<String, String> recorded = new TreeMap<>(zone.attributes());
    recorded.putAll(recovery);
    List<Long> stopped = alive(recorded.getOrDefault("pids", ""));
    signal("CONT", stopped);
    String marker = recorded.get("marker");
    if (marker != null) {
      Files.deleteIfExists(Path.of(marker));
    }
    return "zone "
        + zone.name()
        + ": back ("
        + stopped.size()
        + " processes sent SIGCONT; the supervisor starts the killed ones)";
  }

  private static List<Long> alive(String pids) {
    if (pids == null || pids.isBlank()) {
      return List.of();
    }
    return Arrays.stream(pids.split(","))
        .map(String::strip)
        .map(Long::parseLong)
        .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
        .toList();
  }

  private static String join(Set<Long> pids) {
    return String.join(",", pids.stream().map(String::valueOf).toList());
  }

  /**
   * Through libc's kill(2), like pause-process (the {@code kill} command where it cannot); a STOP
   * returns once the processes have taken it ({@link ProcessSignal} waits, as for pause-process),
   * so STARTED is not sent before the zone is down.
   */
  static void signal(String signal, List<Long> pids) throws Exception {
    ProcessSignal.valueOf(signal).sendToEach(pids);
  }
}
