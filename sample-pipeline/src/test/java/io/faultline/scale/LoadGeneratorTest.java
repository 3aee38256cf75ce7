package io.faultline.scale;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

  private HttpServer server;

  private URI serve(int status, long sleepMs, int threads) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.createContext(
        "/",
        ex -> {
          try {
            Thread.sleep(sleepMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void percentilesOfAKnownVector() {
    double[] ms = new double[100];
    for (int i = 0; i < 100; i++) {
      ms[i] = 100 - i; // 100 .. 1
    }
    var r = new LoadGenerator.Result(ms, 3, 1.0, Map.of());
    assertThat(r.mean()).isEqualTo(50.5);
    assertThat(r.percentile(50)).isEqualTo(50);
    assertThat(r.percentile(99)).isEqualTo(99);
    assertThat(r.percentile(100)).isEqualTo(100);
    assertThat(r.errorRate()).isEqualTo(0.03);
  }

  @Test
  void countsOnlyRequestsAfterTheWarmUpAndTheirErrors() throws Exception {
    var r =
        LoadGenerator.run(serve(503, 0, 4), 20, 5, Duration.ofSeconds(2), Duration.ofSeconds(1));
    assertThat(r.latenciesMs()).hasSize(40);
    assertThat(r.errors()).isEqualTo(40);
    assertThat(r.failures()).containsEntry("HTTP 503", 40);
  }

  @Test
  void latencyIncludesTheWaitOfRequestsTheServerCouldNotTakeYet() throws Exception {
    // one server thread, 100 ms per request = 10/s; asked for 20/s, the backlog grows every second
    var r = LoadGenerator.run(serve(200, 100, 1), 20, 50, Duration.ofSeconds(2), Duration.ZERO);
    assertThat(r.errors()).isZero();
    assertThat(r.percentile(50)).isGreaterThan(100);
    // the last request is due at 1.95 s but served around 4 s: about 2 s of queueing counted
    assertThat(r.percentile(100)).isGreaterThan(1500);
  }
}
