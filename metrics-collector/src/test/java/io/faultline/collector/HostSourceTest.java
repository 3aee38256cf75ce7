package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HostSourceTest {

  private static HostSource source(Map<String, String> keys) {
    Map<String, String> m = new HashMap<>(keys);
    m.putIfAbsent("host.timeout", "1s");
    return new HostSource(HostSource.Settings.fromMap(new ConfigMap(m)), new Samples("e1"));
  }

  private static List<MetricSample> named(List<MetricSample> samples, String metric) {
    return samples.stream().filter(s -> s.getMetric().equals(metric)).toList();
  }

  private static double value(List<MetricSample> samples, String metric) {
    List<MetricSample> found = named(samples, metric);
    assertThat(found).as(metric).hasSize(1);
    assertThat(found.get(0).getError()).as(metric + " error").isFalse();
    return found.get(0).getValue();
  }

  @Test
  void measuresCpuRssAndLivenessOfProcessesByCommandLine() throws Exception {
    String marker = "faultline-burn-" + UUID.randomUUID();
    // a busy loop whose command line carries the marker
    Process burner = new ProcessBuilder("sh", "-c", "while :; do :; done", marker).start();
    try {
      HostSource source = source(Map.of("host.processes", "EXPERIMENTAL=burner@cmd:" + marker));
      ProcessHandle handle = burner.toHandle();
      long cpuBefore = handle.info().totalCpuDuration().orElseThrow().toNanos();
      long wallBefore = System.nanoTime();
      List<MetricSample> first = source.collect();
      assertThat(value(first, "process.count")).isEqualTo(1);
      assertThat(value(first, "process.alive")).isEqualTo(1);
      assertThat(value(first, "process.rss.bytes")).isGreaterThan(0);
      assertThat(named(first, "process.cpu.utilization")).isEmpty(); // needs two readings
      Thread.sleep(1000);
      List<MetricSample> second = source.collect();
      long cpuAfter = handle.info().totalCpuDuration().orElseThrow().toNanos();
      double seconds = (System.nanoTime() - wallBefore) / 1e9;
      // the busy loop gets at most one core; on a shared machine often much less, so compare
      // with the kernel's own figure read through ProcessHandle around the same two readings
      double cores = value(second, "process.cpu.utilization");
      double independent = (cpuAfter - cpuBefore) / 1e9 / seconds;
      assertThat(cores).isGreaterThan(0).isLessThanOrEqualTo(1.1);
      assertThat(cores)
          .isCloseTo(independent, org.assertj.core.data.Offset.offset(0.1 + independent * 0.2));
      assertThat(named(second, "process.cpu.utilization").get(0).getGroup())
          .isEqualTo(Group.EXPERIMENTAL);
      assertThat(value(second, "process.io.read.rate")).isGreaterThanOrEqualTo(0);
      burner.destroyForcibly().waitFor();
      List<MetricSample> third = source.collect();
      assertThat(value(third, "process.alive")).isEqualTo(0);
      assertThat(value(third, "process.count")).isEqualTo(0);
    } finally {
      burner.destroyForcibly();
    }
  }

  @Test
  void measuresAnIdleProcessByPid() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      HostSource source = source(Map.of("host.processes", "CONTROL=sleeper@pid:" + sleeper.pid()));
      source.collect();
      Thread.sleep(500);
      List<MetricSample> s = source.collect();
      assertThat(value(s, "process.alive")).isEqualTo(1);
      assertThat(value(s, "process.cpu.utilization")).isLessThan(0.05);
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
  }

  @Test
  void measuresTcpConnectTimeAndLoss() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HostSource source =
          source(
              Map.of(
                  "host.tcp",
                  "CONTROL=up@127.0.0.1:"
                      + open.getLocalPort()
                      + ",EXPERIMENTAL=down@127.0.0.1:"
                      + closedPort,
                  "host.tcp.attempts",
                  "4"));
      List<MetricSample> s = source.collect();
      MetricSample upLoss =
          named(s, "tcp.connect.loss").stream()
              .filter(m -> m.getTarget().equals("up"))
              .findFirst()
              .orElseThrow();
      MetricSample downLoss =
          named(s, "tcp.connect.loss").stream()
              .filter(m -> m.getTarget().equals("down"))
              .findFirst()
              .orElseThrow();
      assertThat(upLoss.getValue()).isEqualTo(0.0);
      assertThat(downLoss.getValue()).isEqualTo(1.0);
      MetricSample upTime =
          named(s, "tcp.connect.ms").stream()
              .filter(m -> m.getTarget().equals("up"))
              .findFirst()
              .orElseThrow();
      assertThat(upTime.getError()).isFalse();
      assertThat(upTime.getValue()).isGreaterThan(0).isLessThan(500);
      assertThat(
              named(s, "tcp.connect.ms").stream()
                  .filter(m -> m.getTarget().equals("down"))
                  .findFirst()
                  .orElseThrow()
                  .getError())
          .isTrue();
    }
  }

  @Test
  void timesADnsQueryAgainstALoopbackResolver() throws Exception {
    try (DatagramSocket resolver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Thread responder =
          new Thread(
              () -> {
                byte[] buf = new byte[512];
                try {
                  while (true) {
                    DatagramPacket q = new DatagramPacket(buf, buf.length);
                    resolver.receive(q);
                    Thread.sleep(80); // the resolver's known delay
                    byte[] answer = java.util.Arrays.copyOf(buf, q.getLength());
                    answer[2] = (byte) 0x81; // QR, RD
                    answer[3] = (byte) 0x83; // RA, NXDOMAIN: still an answer
                    resolver.send(new DatagramPacket(answer, answer.length, q.getSocketAddress()));
                  }
                } catch (Exception closed) {
                  // test over
                }
              });
      responder.setDaemon(true);
      responder.start();
      HostSource source =
          source(
              Map.of(
                  "host.dns",
                  "EXPERIMENTAL=scale@scale.example.internal",
                  "host.dns.server",
                  "127.0.0.1:" + resolver.getLocalPort()));
      double ms = value(source.collect(), "dns.lookup.ms");
      // never below the resolver's 80 ms; the ceiling only tells a timed lookup from a timeout
      // or a unit slip, with room for a loaded machine's stalls
      assertThat(ms).isBetween(80.0, 1000.0);
    }
  }

  @Test
  void aSilentResolverIsAnErrorSample() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      HostSource source =
          source(
              Map.of(
                  "host.dns", "CONTROL=scale@scale.example.internal",
                  "host.dns.server", "127.0.0.1:" + silent.getLocalPort(),
                  "host.timeout", "200ms"));
      List<MetricSample> s = source.collect();
      assertThat(named(s, "dns.lookup.ms"))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.getError()).isTrue();
                assertThat(m.getLabels().get("reason")).contains("no answer");
              });
      assertThat(s).hasSize(1);
    }
  }

  @Test
  void readsTheClockOffsetFromADateHeader() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread http =
          new Thread(
              () -> {
                while (true) {
                  try (Socket c = server.accept()) {
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                    String line;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                      // skip the request
                    }
                    String date =
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
                    OutputStream out = c.getOutputStream();
                    out.write(
                        ("HTTP/1.1 200 OK\r\nDate: "
                                + date
                                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                  } catch (Exception closed) {
                    return;
                  }
                }
              });
      http.setDaemon(true);
      http.start();
      HostSource source =
          source(
              Map.of("host.clock", "CONTROL=ref@http://127.0.0.1:" + server.getLocalPort() + "/"));
      // a reference 30 s ahead; the header has whole seconds, hence +-1 s
      assertThat(value(source.collect(), "clock.offset.ms")).isBetween(29_000.0, 31_000.0);
    }
  }

  @Test
  void settingsNameTheBadKey() {
    assertThatThrownBy(() -> HostSource.Settings.fromMap(new ConfigMap(Map.of())))
        .hasMessageContaining("set at least one of host.processes");
    assertThatThrownBy(() -> source(Map.of("host.processes", "CONTROL=x@pid:abc")))
        .hasMessageContaining("pid must be a number");
    assertThatThrownBy(() -> source(Map.of("host.tcp", "CONTROL=x@nohost")))
        .hasMessageContaining("host.tcp 'nohost': expected host:port");
    assertThatThrownBy(() -> source(Map.of("host.tcp", "PROD=x@h:1")))
        .hasMessageContaining("group must be CONTROL or EXPERIMENTAL");
  }

  @Test
  void buildsAStandardDnsQuery() {
    byte[] q = HostSource.dnsQuery("a.bc", 0x1234);
    assertThat(q)
        .startsWith(
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 2, 'b', 'c', 0, 0, 1, 0, 1);
    assertThat(q).hasSize(22);
  }
}
