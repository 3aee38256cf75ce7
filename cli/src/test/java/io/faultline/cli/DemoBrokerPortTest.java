package io.faultline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where the demo's broker listens: 9092 when free for --broker-only, the next one, or --port. */
class DemoBrokerPortTest {

  @TempDir Path dir;

  @Test
  void brokerOnlyTakesKafkasUsualPortWhenItIsFree() {
    assertThat(DemoBrokerPort.choose(null, true, p -> true))
        .isEqualTo(new DemoBrokerPort(9092, null));
  }

  @Test
  void brokerOnlyTakesTheNextFreePortAndSaysWhy() {
    Set<Integer> taken = Set.of(9092, 9093);
    DemoBrokerPort chosen = DemoBrokerPort.choose(null, true, p -> !taken.contains(p));
    assertThat(chosen.port()).isEqualTo(9094);
    assertThat(chosen.note())
        .isEqualTo(
            "port 9092 is in use: the broker takes the next free one, 9094 (--port N chooses)");
    DemoBrokerPort none = DemoBrokerPort.choose(null, true, p -> false);
    assertThat(none.port()).as("any free one").isZero();
    assertThat(none.note()).startsWith("ports 9092-9101 are in use");
  }

  @Test
  void theFullDemoWithoutPortTakesAnyFreeOne() {
    assertThat(DemoBrokerPort.choose(null, false, p -> true).port()).isZero();
  }

  @Test
  void anExplicitPortIsTakenAsAskedOrRefusedNamingIt() {
    assertThat(DemoBrokerPort.choose(19092, false, p -> true).port()).isEqualTo(19092);
    assertThat(DemoBrokerPort.choose(0, true, p -> false).port()).isZero();
    assertThatThrownBy(() -> DemoBrokerPort.choose(9092, true, p -> false))
        .hasMessage(
            "--port 9092: 127.0.0.1:9092 is in use (another Kafka, or a demo still running?);"
                + " choose another, or --port 0 for any free one");
  }

  @Test
  void aPortAListenerHoldsIsNotFree() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(DemoBrokerPort.isFree(held.getLocalPort())).isFalse();
    }
  }

  @Test
  void aTakenPortExitsTwoBeforeAnythingStarts() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      DemoCommand demo = new DemoCommand();
      demo.dataDir = dir.resolve("demo");
      demo.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
      int port = held.getLocalPort();
      int code = new CommandLine(demo).execute("--broker-only", "--port", Integer.toString(port));
      assertThat(code).isEqualTo(2);
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .startsWith("faultline demo --port " + port + ": 127.0.0.1:" + port + " is in use")
          .doesNotContain("Kafka broker");
      assertThat(dir.resolve("demo")).as("nothing started").doesNotExist();
    }
  }

  @Test
  void aPortOutOfRangeIsAProblemNamingTheOption() {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--port", "70000");
    assertThat(demo.problems())
        .containsExactly("--port 70000: must be between 0 (any free port) and 65535");
  }
}
