package io.faultline.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads with one name, for the single-purpose executors of faultline's components. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads all named {@code name} (a thread dump shows what each is for). */
  public static ThreadFactory named(String name) {
    return r -> daemon(r, name);
  }

  /**
   * A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ... in the order it makes
   * them, for a pool whose threads live side by side.
   */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger made = new AtomicInteger();
    return r -> daemon(r, prefix + "-" + made.incrementAndGet());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
