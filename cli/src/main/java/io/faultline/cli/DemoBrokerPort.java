package io.faultline.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.IntPredicate;

/**
 * The port of the demo's broker (docs/adr/0090). {@code --broker-only} is started to be reached
 * from another terminal, so it listens where a user expects Kafka, 9092, or the next free port up
 * to 9101, and says so; {@code --port N} asks for one port and is refused, naming it, when it is
 * taken; {@code --port 0} (and the full demo without {@code --port}) takes any free one.
 */
record DemoBrokerPort(int port, String note) {

  /** Kafka's usual port, the first one {@code --broker-only} tries. */
  static final int DEFAULT = 9092;

  /** How many ports from {@link #DEFAULT} on it tries before it takes any free one. */
  static final int TRIED = 10;

  /**
   * The port to start the broker on (0: any free one) and a line to print when it is not the one
   * asked for (else null); throws {@link IllegalArgumentException} naming {@code --port} when an
   * explicit port is taken.
   */
  static DemoBrokerPort choose(Integer requested, boolean brokerOnly, IntPredicate free) {
    if (requested != null) {
      if (requested == 0 || free.test(requested)) {
        return new DemoBrokerPort(requested, null);
      }
      throw new IllegalArgumentException(
          "--port "
              + requested
              + ": 127.0.0.1:"
              + requested
              + " is in use (another Kafka, or a demo still running?); choose another, or --port 0"
              + " for any free one");
    }
    if (!brokerOnly) {
      return new DemoBrokerPort(0, null); // nothing outside the demo needs to find it
    }
    for (int p = DEFAULT; p < DEFAULT + TRIED; p++) {
      if (free.test(p)) {
        return new DemoBrokerPort(
            p,
            p == DEFAULT
                ? null
                : "port "
                    + DEFAULT
                    + " is in use: the broker takes the next free one, "
                    + p
                    + " (--port N chooses)");
      }
    }
    return new DemoBrokerPort(
        0,
        "ports "
            + DEFAULT
            + "-"
            + (DEFAULT + TRIED - 1)
            + " are in use: the broker takes any free one (--port N chooses)");
  }

  /** Whether a listener may bind 127.0.0.1:{@code port} now (the broker binds it just after). */
  static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
