package io.faultline.scale.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPortsTest {

  @Test
  void portsLieBelowTheEphemeralRangeAreBindableAndNeverRepeat() throws Exception {
    int low = LoopbackPorts.ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = LoopbackPorts.next();
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      if (low - LoopbackPorts.LOWEST >= 2_000) {
        assertThat(port).isBetween(LoopbackPorts.LOWEST, low - 1);
      }
    }
    int port = LoopbackPorts.next();
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void readsTheEphemeralRangesWholeFirstPort() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(Path.of("/proc/sys/net/ipv4/ip_local_port_range")));
    Process cat = new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_local_port_range").start();
    String line = new String(cat.getInputStream().readAllBytes()).trim();
    cat.waitFor();
    // a truncated read once gave 3 of "32768 60999"
    assertThat(LoopbackPorts.ephemeralLow()).isEqualTo(Integer.parseInt(line.split("\\s+")[0]));
  }

  @Test
  void aLowEphemeralRangeMovesTheChoiceAboveTheUsualOne() {
    assertThat(LoopbackPorts.range(32_768)).containsExactly(LoopbackPorts.LOWEST, 32_768);
    assertThat(LoopbackPorts.range(1_024)).containsExactly(61_000, 65_000);
  }

  @Test
  void aMembersLogTailEndsTheStartupError(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("lb.log");
    Files.writeString(log, "1\n2\n3\n4\n5\n[ALERT] cannot bind socket [127.0.0.1:20001]\n");
    assertThat(GroupFleet.logTail(log))
        .startsWith(", ending:\n  2\n")
        .endsWith("cannot bind socket [127.0.0.1:20001]")
        .doesNotContain("  1\n");
    assertThat(GroupFleet.logTail(dir.resolve("absent.log"))).isEmpty();
  }
}
