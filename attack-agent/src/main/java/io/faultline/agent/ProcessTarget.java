package io.faultline.agent;

import io.faultline.schema.Group;
import java.util.Map;

/**
 * A local process that may be attacked, as described by its target file. {@code proxyControl}
 * (optional, {@code host:port}) is the control address of the impairment proxy in front of it, used
 * by the network faults. {@code labels} are its {@code zone} and {@code role} when the file names
 * them (a fleet's members do; selectors match them); {@code pidFile} (optional) names a file whose
 * first line is the pid of a second process that belongs to the target without being its child (a
 * Patroni member's postmaster).
 */
public record ProcessTarget(
    String name,
    Group group,
    long pid,
    String host,
    int port,
    String cpus,
    String proxyControl,
    Map<String, String> labels,
    String pidFile)
    implements Target {

  /** The target-file keys that become labels. */
  public static final java.util.List<String> LABEL_KEYS = java.util.List.of("zone", "role");

  public ProcessTarget {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public ProcessTarget(String name, Group group, long pid, String host, int port, String cpus) {
    this(name, group, pid, host, port, cpus, null);
  }

  public ProcessTarget(
      String name, Group group, long pid, String host, int port, String cpus, String proxyControl) {
    this(name, group, pid, host, port, cpus, proxyControl, Map.of(), null);
  }

  /** Its zone, or null when its file names none. */
  public String zone() {
    return labels.get("zone");
  }

  /** Whether it carries every label of {@code selector} (an empty selector matches all). */
  public boolean matches(Map<String, String> selector) {
    return selector == null
        || selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  @Override
  public String kind() {
    return "process";
  }

  /** How events name it: {@code scale-experimental pid=1234}. */
  @Override
  public String describe() {
    return name + " pid=" + pid;
  }

  @Override
  public Map<String, String> stateEntries() {
    return Map.of("pid", Long.toString(pid));
  }

  public boolean isAlive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The process, which a fault is about to act on; an error naming it when it is not running. */
  public ProcessHandle requireRunning() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new IllegalStateException(describe() + " is not running"));
  }
}
