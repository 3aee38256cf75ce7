package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.agent.Fault.Applied;
import io.faultline.agent.ProcessTarget;
import io.faultline.schema.Group;
import io.faultline.testsupport.EchoServer;
import io.faultline.testsupport.TestJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The impairment proxy as a real child process in front of an echo server, attacked through the
 * network faults; latency and loss are measured by a client going through the proxy.
 */
class ImpairmentProxyIT {

  private static EchoServer echo;
  private static Process proxy;
  private static int proxyPort;
  private static String control;
  private static ProcessTarget target;
  private static double baselineMs;

  @BeforeAll
  static void start() throws Exception {
    echo = EchoServer.start();
    proxy =
        TestJvm.command(
                ImpairmentProxy.class,
                "--listen",
                "127.0.0.1:0",
                "--target",
                "127.0.0.1:" + echo.port())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String line =
        new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    Matcher m = Pattern.compile("listening on 127.0.0.1:(\\d+) .* control (\\S+)").matcher(line);
    assertThat(m.find()).as("proxy start line: %s", line).isTrue();
    proxyPort = Integer.parseInt(m.group(1));
    control = m.group(2);
    target =
        new ProcessTarget(
            "victim", Group.EXPERIMENTAL, proxy.pid(), "127.0.0.1", proxyPort, null, control);
    try (Client c = new Client()) {
      c.roundTrips(20); // warm both JVMs' paths
      baselineMs = median(c.roundTrips(20));
    }
    System.out.printf("proxy baseline round trip: %.2f ms%n", baselineMs);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.destroy();
    echo.close();
  }

  /** One connection through the proxy; each round trip is one line out and its echo back. */
  private static final class Client implements AutoCloseable {
    final Socket socket = new Socket("127.0.0.1", proxyPort);
    final BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));

    Client() throws Exception {
      socket.setTcpNoDelay(true);
    }

    double roundTripMs() throws Exception {
      long t0 = System.nanoTime();
      socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("ping");
      return (System.nanoTime() - t0) / 1e6;
    }

    double[] roundTrips(int n) throws Exception {
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        ms[i] = roundTripMs();
      }
      return ms;
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static String status() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://" + control + "/impairments")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void latencyRisesByTheConfiguredAmountAndReturnsAfterRecovery() throws Exception {
    NetworkLatency fault = new NetworkLatency();
    try (Client c = new Client()) {
      Applied applied = fault.apply(target, Map.of("latency", "200ms"), Duration.ofSeconds(60));
      assertThat(applied.touched().get(0))
          .isEqualTo(
              "victim pid=" + proxy.pid() + " proxy " + control + " latency=200ms jitter=0ms");
      double[] during = c.roundTrips(10);
      System.out.printf(
          "latency 200ms: round trip %.1f ms (baseline %.2f)%n", median(during), baselineMs);
      // the proxy holds every reply 200 ms: no round trip is quicker, whatever the load; the
      // typical one is not much slower (the latency asked for, not more)
      assertThat(Arrays.stream(during).min().orElseThrow())
          .as("quickest round trip")
          .isGreaterThanOrEqualTo(195.0);
      assertThat(median(during) - baselineMs).as("added round-trip ms").isLessThan(350.0);

      assertThat(fault.recover(target, applied.recovery())).contains("cleared latency");
      double after = median(c.roundTrips(20));
      // cleared: the typical round trip is well under the 200 ms that was injected
      assertThat(after).as("round trip after recovery").isLessThan(100.0);
      assertThat(status()).contains("latency=none");
    }
  }

  @Test
  void jitterSpreadsRoundTripsAroundTheLatency() throws Exception {
    NetworkLatency fault = new NetworkLatency();
    try (Client c = new Client()) {
      Applied applied =
          fault.apply(target, Map.of("latency", "150ms", "jitter", "50ms"), Duration.ofSeconds(60));
      double[] ms = c.roundTrips(20);
      fault.recover(target, applied.recovery());
      double min = Arrays.stream(ms).min().orElseThrow();
      double max = Arrays.stream(ms).max().orElseThrow();
      System.out.printf("latency 150ms jitter 50ms: min %.1f max %.1f ms%n", min, max);
      // 150 +- 50 ms: nothing below 100 ms whatever the load; above 200 ms only what a stall of
      // a loaded machine adds to a few round trips, so the bulk is held, not the maximum
      assertThat(min).isGreaterThanOrEqualTo(99.0);
      assertThat(median(ms)).isLessThan(210.0);
      assertThat(Arrays.stream(ms).filter(v -> v < 260.0).count())
          .as("round trips within 200 ms and a 60 ms stall")
          .isGreaterThanOrEqualTo(16);
      assertThat(max - min).as("spread of 20 round trips").isGreaterThan(20.0);
    }
  }

  @Test
  void lossHoldsChunksForTheRetransmissionTimeoutAtRoughlyTheRate() throws Exception {
    PacketLoss fault = new PacketLoss();
    int n = 150;
    try (Client c = new Client()) {
      long slowBefore = Arrays.stream(c.roundTrips(n)).filter(ms -> ms >= 90).count();
      Applied applied =
          fault.apply(
              target, Map.of("percent", "25", "retransmit", "100ms"), Duration.ofSeconds(120));
      double[] ms = c.roundTrips(n);
      fault.recover(target, applied.recovery());
      long slow = Arrays.stream(ms).filter(v -> v >= 90).count();
      // a round trip crosses the proxy twice: P(held at least once) = 1 - 0.75^2 = 43.75%
      double share = (double) slow / n;
      System.out.printf(
          "loss 25%% retransmit 100ms: %d of %d round trips held (%.1f%%, expected 43.8%%),"
              + " %d slow before%n",
          slow, n, share * 100, slowBefore);
      // a loaded machine stalls a few round trips without any impairment
      assertThat(slowBefore).as("slow round trips without impairment").isLessThan(n / 10);
      assertThat(share).isBetween(0.30, 0.58);
      assertThat(Arrays.stream(ms).max().orElseThrow()).isLessThan(1000.0); // nothing lost
    }
  }

  @Test
  void proxyTtlClearsAnImpairmentNobodyRecovers() throws Exception {
    NetworkLatency fault = new NetworkLatency();
    try (Client c = new Client()) {
      long t0 = System.nanoTime();
      fault.apply(target, Map.of("latency", "300ms"), Duration.ofSeconds(2));
      assertThat(c.roundTripMs()).isGreaterThanOrEqualTo(295.0);
      boolean cleared = false;
      while (!cleared && System.nanoTime() - t0 < 15_000_000_000L) {
        cleared = c.roundTripMs() < baselineMs + 50;
      }
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("proxy TTL cleared the 2 s latency after " + tookMs + " ms");
      assertThat(cleared).as("latency cleared by the proxy's TTL").isTrue();
      assertThat(tookMs).isGreaterThanOrEqualTo(1900);
      assertThat(status()).contains("latency=none").containsPattern("expired=[1-9]");
    }
  }

  @Test
  void secondAttackCannotTakeOverAnotherOwnersImpairment() throws Exception {
    NetworkLatency fault = new NetworkLatency();
    Applied first = fault.apply(target, Map.of("latency", "10ms"), Duration.ofSeconds(30));
    try {
      assertThatThrownBy(
              () -> fault.apply(target, Map.of("latency", "20ms"), Duration.ofSeconds(30)))
          .hasMessageContaining("refused latency")
          .hasMessageContaining("already set by owner " + first.recovery().get("owner"));
      // an old attack's recovery leaves a newer owner's impairment alone
      var stale = new java.util.HashMap<>(first.recovery());
      stale.put("owner", "someone-else");
      assertThat(fault.recover(target, stale)).contains("left latency");
      assertThat(status()).contains("latency=ms:10");
    } finally {
      fault.recover(target, first.recovery());
    }
    assertThat(status()).contains("latency=none");
  }

  @Test
  void anotherAgentRecoversFromTheRecordedDataAlone() throws Exception {
    Applied applied =
        new PacketLoss().apply(target, Map.of("percent", "100"), Duration.ofSeconds(60));
    assertThat(status()).contains("loss=percent:100");
    // as AttackAgent.recoverOrphan rebuilds a target from attack.state: no proxy.control
    ProcessTarget orphan =
        new ProcessTarget("victim", Group.EXPERIMENTAL, proxy.pid(), "", 0, null);
    assertThat(new PacketLoss().recover(orphan, applied.recovery())).contains("cleared loss");
    assertThat(status()).contains("loss=none");
    assertThat(applied.recovery().keySet()).noneMatch(k -> k.contains("."));
  }

  @Test
  void controlEndpointNamesTheBadParameter() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + control + "/latency?ms=-5&ttl-ms=1000&owner=x"))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("ms '-5': must be a whole number from 0 to 60000");
    assertThat(status()).contains("latency=none");
  }

  @Test
  void networkFaultsRejectATargetWithoutProxyControl() {
    ProcessTarget bare =
        new ProcessTarget("bare", Group.EXPERIMENTAL, proxy.pid(), "127.0.0.1", 1, null);
    for (var fault : List.of(new NetworkLatency(), new PacketLoss())) {
      assertThatThrownBy(() -> fault.apply(bare, Map.of(), Duration.ofSeconds(5)))
          .hasMessageContaining("target 'bare' has no proxy.control in its target file")
          .hasMessageContaining(fault.fault() + " needs an ImpairmentProxy");
    }
  }
}
