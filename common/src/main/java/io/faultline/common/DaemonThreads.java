package io.faultline.common;

import java.util.concurrent.ThreadFactory;

/** Daemon threads with one name, for the single-purpose executors of faultline's components. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** A factory of daemon threads all named {@code name} (a thread dump shows what each is for). */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
