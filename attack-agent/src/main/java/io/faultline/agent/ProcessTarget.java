package io.faultline.agent;

import io.faultline.schema.Group;
import java.util.Map;

/**
 * A local process that may be attacked, as described by its target file. {@code proxyControl}
 * (optional, {@code host:port}) is the control address of the impairment proxy in front of it, used
 * by the network faults.
 */
public record ProcessTarget(
    String name, Group group, long pid, String host, int port, String cpus, String proxyControl)
    implements Target {

  public ProcessTarget(String name, Group group, long pid, String host, int port, String cpus) {
    this(name, group, pid, host, port, cpus, null);
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
}
