package io.faultline.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The processes a test started, to check that none is left behind once it stopped them. */
public final class ProcessTree {

  private ProcessTree() {}

  /** {@code pid} and its descendants as they are now; empty when it is gone. */
  public static Set<Long> of(long pid) {
    Set<Long> pids = new TreeSet<>();
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .ifPresent(
            h -> {
              pids.add(pid);
              h.descendants().forEach(d -> pids.add(d.pid()));
            });
    return pids;
  }

  /**
   * Those of {@code pids} still alive after waiting up to {@code within} for them to end (a stopped
   * process may take a moment to be reaped); empty when none is left.
   */
  public static List<Long> alive(Collection<Long> pids, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<Long> left = new ArrayList<>();
      for (long pid : pids) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          left.add(pid);
        }
      }
      if (left.isEmpty() || System.nanoTime() >= deadline) {
        return left;
      }
      Thread.sleep(100);
    }
  }
}
