package io.faultline.agent;

import io.faultline.schema.InvalidRecordException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Safety invariant 5 across this agent's attacks (docs/adr/0096): of the EXPERIMENTAL targets a
 * selector addresses (its population), the ones this agent's attacks already take, and how many
 * more a new attack may take, so that all of them together stay within {@code
 * agent.max.blast.radius.percent} of the population. An attack takes its targets from the moment it
 * passes its checks until its recovery is done, whatever its fault.
 *
 * <p>A member of the population is taken when a held target is it, lies in it or contains it: a
 * zone takes every process, node, pod and instance in it (by its zone, its node, or its pid), a
 * node the pods on it, and a process, pod, node or instance under attack takes the zone it is in
 * (that zone is no longer whole). Counted in the new attack's own kind, as the per-attack check is.
 */
final class BlastRadius {

  /**
   * A target one of this agent's attacks holds, what its fault recorded on it, and who holds it.
   */
  record Held(Target target, Map<String, String> recovery, String holder) {}

  private final int percent;
  private final int population;
  private final int allowed;
  // population member -> the first hold that takes it, in the population's order
  private final Map<Target, Held> taken;

  private BlastRadius(int percent, int population, Map<Target, Held> taken) {
    this.percent = percent;
    this.population = population;
    this.allowed = allowed(population, percent);
    this.taken = taken;
  }

  /** What {@code held} takes of {@code population} (the selector's EXPERIMENTAL targets). */
  static BlastRadius of(List<? extends Target> population, List<Held> held, int percent) {
    Map<Target, Held> taken = new LinkedHashMap<>();
    for (Target member : population) {
      for (Held h : held) {
        if (takes(h, member)) {
          taken.put(member, h);
          break;
        }
      }
    }
    return new BlastRadius(percent, population.size(), taken);
  }

  /**
   * The share one attack, or all of them at once, may take: {@code percent} of the population,
   * rounded down, but always one (a group of one could never be attacked otherwise).
   */
  static int allowed(int population, int percent) {
    return Math.max(1, (int) Math.floor(population * (double) percent / 100));
  }

  int allowed() {
    return allowed;
  }

  /**
   * Whether an attack of this agent already takes {@code member}: taking it again costs nothing.
   */
  boolean taken(Target member) {
    return taken.containsKey(member);
  }

  /** Members not yet taken that a new attack may still take. */
  int room() {
    return Math.max(0, allowed - taken.size());
  }

  /**
   * The refusal of a START that needs {@code more} members beyond those taken: the command, the
   * limit, what is held and by which attacks, and what is allowed.
   */
  InvalidRecordException refusal(
      String commandId, String fault, String kind, String mode, int more) {
    int total = taken.size() + more;
    StringBuilder s =
        new StringBuilder("command ")
            .append(commandId)
            .append(": blast radius across this agent's attacks: ")
            .append(taken.size())
            .append(" of ")
            .append(population)
            .append(" EXPERIMENTAL ")
            .append(kind)
            .append(" targets are taken (");
    Map<String, List<String>> byHolder = new LinkedHashMap<>();
    int listed = 0;
    for (Map.Entry<Target, Held> e : taken.entrySet()) {
      if (listed++ == 5) {
        break;
      }
      byHolder
          .computeIfAbsent(e.getValue().holder(), h -> new ArrayList<>())
          .add(e.getKey().describe());
    }
    List<String> parts = new ArrayList<>();
    byHolder.forEach(
        (holder, members) -> parts.add(String.join(", ", members) + " by attack " + holder));
    s.append(String.join("; ", parts));
    if (taken.size() > 5) {
      s.append("; and ").append(taken.size() - 5).append(" more");
    }
    s.append("), and ")
        .append(fault)
        .append(" (mode ")
        .append(mode == null ? "one" : mode)
        .append(") would take ")
        .append(more)
        .append(" more: ")
        .append(total)
        .append(" of ")
        .append(population)
        .append(" (")
        .append(Math.round(100.0 * total / population))
        .append("%) is over agent.max.blast.radius.percent=")
        .append(percent)
        .append(" (at most ")
        .append(allowed)
        .append(" of ")
        .append(population)
        .append(" at once, ")
        .append(room())
        .append(" free now): STOP one of those attacks or start this one after it");
    return new InvalidRecordException("target", s.toString());
  }

  /**
   * Whether the hold {@code h} takes {@code member}: the same target, or one contains the other.
   */
  static boolean takes(Held h, Target member) {
    Target held = h.target();
    return same(held, member)
        || contains(held, h.recovery(), member)
        || contains(member, Map.of(), held);
  }

  private static boolean same(Target a, Target b) {
    if (a.kind().equals(b.kind()) && a.name().equals(b.name())) {
      return true;
    }
    // two target files naming one process are one process
    return a instanceof ProcessTarget p && b instanceof ProcessTarget q && p.pid() > 0
        ? p.pid() == q.pid()
        : false;
  }

  /** Whether {@code outer} (a zone or a node) contains {@code inner}. */
  private static boolean contains(Target outer, Map<String, String> recovery, Target inner) {
    if (outer.kind().equals("zone") && !inner.kind().equals("zone")) {
      if (outer.name().equals(zoneOf(inner))) {
        return true;
      }
      if (inner instanceof ProcessTarget p && pids(outer).contains(p.pid())) {
        return true; // a local zone's recorded pids: a target rebuilt from attack.state has no zone
      }
      String node = nodeOf(inner);
      return node != null && nodes(outer, recovery).contains(node);
    }
    if (outer.kind().equals("node") && inner.kind().equals("pod")) {
      return outer.name().equals(nodeOf(inner));
    }
    return false;
  }

  private static String zoneOf(Target t) {
    String zone =
        t instanceof ProcessTarget p
            ? p.zone()
            : t instanceof ClusterTarget c ? c.attributes().get("zone") : null;
    return zone == null || zone.isBlank() ? null : zone;
  }

  private static String nodeOf(Target t) {
    if (t instanceof ClusterTarget c) {
      return c.kind().equals("node") ? c.name() : c.attributes().get("node");
    }
    return null;
  }

  /** A local zone's pids, as it recorded them for its signal. */
  private static Set<Long> pids(Target zone) {
    return list(zone, Map.of(), "pids").stream()
        .map(
            p -> {
              try {
                return Long.parseLong(p);
              } catch (NumberFormatException e) {
                return -1L;
              }
            })
        .filter(p -> p > 0)
        .collect(Collectors.toSet());
  }

  /** A Kubernetes zone's nodes: listed with it, and the ones its outage cordoned. */
  private static Set<String> nodes(Target zone, Map<String, String> recovery) {
    Set<String> nodes = new java.util.HashSet<>(list(zone, recovery, "nodes"));
    nodes.addAll(list(zone, recovery, "cordoned"));
    nodes.addAll(list(zone, recovery, "alreadyCordoned"));
    return nodes;
  }

  private static List<String> list(Target t, Map<String, String> recovery, String key) {
    String value = recovery.get(key);
    if (value == null && t instanceof ClusterTarget c) {
      value = c.attributes().get(key);
    }
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
  }
}
