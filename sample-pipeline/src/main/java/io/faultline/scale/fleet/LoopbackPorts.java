package io.faultline.scale.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for fleet members that bind them long after they are planned. A port the OS hands
 * out for {@code bind(0)} comes from the ephemeral range, the same range outgoing connections take
 * their local ports from: during the half minute between planning a group and starting its HAProxy,
 * a client connection (Patroni to etcd, the seeder to PostgreSQL) could take the planned port and
 * HAProxy failed with "cannot bind socket". These ports come from below the ephemeral range ({@code
 * /proc/sys/net/ipv4/ip_local_port_range}), where only listeners live, are bindable when handed
 * out, and are never handed out twice by one JVM.
 */
public final class LoopbackPorts {

  static final int LOWEST = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /** A bindable loopback port below the ephemeral range that this JVM has not handed out yet. */
  public static int next() {
    int[] range = range(ephemeralLow());
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = range[0] + random.nextInt(range[1] - range[0]);
      if (HANDED_OUT.add(port)) {
        if (bindable(port)) {
          return port;
        }
      }
    }
    // a crowded range: fall back to the OS's choice, still never handed out twice
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = osChoice();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port after 250 attempts");
  }

  /** The range {@code [low, high)} to choose from, given the ephemeral range's lowest port. */
  static int[] range(int ephemeralLow) {
    if (ephemeralLow - LOWEST >= 2_000) {
      return new int[] {LOWEST, ephemeralLow};
    }
    // an unusual machine whose ephemeral range starts low: use what lies above the usual range
    return new int[] {61_000, 65_000};
  }

  static int ephemeralLow() {
    // a line at a time: procfs reports size 0 and Files.readString read only "3" of "32768 60999"
    try (java.io.BufferedReader r = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      String[] parts = r.readLine().trim().split("\\s+");
      return Integer.parseInt(parts[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int osChoice() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
