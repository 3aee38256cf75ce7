package io.faultline.agent;

import io.faultline.schema.Group;

/**
 * A local process that may be attacked, as described by its target file. {@code proxyControl}
 * (optional, {@code host:port}) is the control address of the impairment proxy in front of it, used
 * by the network faults.
 */
public record ProcessTarget(
    String name, Group group, long pid, String host, int port, String cpus, String proxyControl) {

  public ProcessTarget(String name, Group group, long pid, String host, int port, String cpus) {
    this(name, group, pid, host, port, cpus, null);
  }

  /** How events name it: {@code scale-experimental pid=1234}. */
  public String describe() {
    return name + " pid=" + pid;
  }

  public boolean isAlive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
