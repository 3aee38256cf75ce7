package io.faultline.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpLoadProbeTest {

  private final List<MetricSample> samples = new CopyOnWriteArrayList<>();
  private final AtomicInteger served = new AtomicInteger();
  private HttpServer server;

  private URI serve(int delayMs, int status) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    server.setExecutor(Executors.newFixedThreadPool(64));
    server.createContext(
        "/",
        ex -> {
          served.incrementAndGet();
          try {
            Thread.sleep(delayMs);
          } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private HttpLoadProbe probe(URI uri, double rps, Duration timeout) {
    return new HttpLoadProbe(
        "e1",
        List.of(new ProbeTarget(Group.EXPERIMENTAL, "t", uri)),
        rps,
        100,
        timeout,
        Duration.ofMillis(500),
        samples::add);
  }

  private List<Double> values(String metric) {
    return samples.stream()
        .filter(s -> s.getMetric().equals(metric))
        .map(MetricSample::getValue)
        .toList();
  }

  @Test
  void measuredLatencyMatchesAKnownDelay() throws Exception {
    URI uri = serve(50, 200);
    try (HttpLoadProbe probe = probe(uri, 20, Duration.ofSeconds(2))) {
      probe.start();
      Thread.sleep(3000);
    }
    List<Double> latencies = values("http.latency.ms");
    assertThat(latencies).hasSizeGreaterThan(40);
    double mean = latencies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double median = latencies.stream().sorted().toList().get(latencies.size() / 2);
    // within 5% of the delay plus the loopback and scheduling overhead of a busy 2-core machine
    assertThat(median).isBetween(50.0, 50 * 1.05 + 5);
    assertThat(mean).isBetween(50.0, 50 * 1.05 + 15);
    assertThat(values("http.error")).containsOnly(0.0);
    assertThat(samples)
        .allMatch(s -> s.getGroup() == Group.EXPERIMENTAL && s.getTarget().equals("t"));
  }

  @Test
  void sendRateHoldsWhileResponsesAreSlow() throws Exception {
    URI uri = serve(600, 200); // slower than the 50 ms period: a closed loop would fall behind
    try (HttpLoadProbe probe = probe(uri, 20, Duration.ofSeconds(5))) {
      probe.start();
      Thread.sleep(3000);
    }
    // 3 s at 20/s = 60 requests sent; the server saw them although each took 600 ms
    assertThat(served.get()).isBetween(54, 64);
    assertThat(values("http.latency.ms")).allMatch(ms -> ms >= 600);
  }

  @Test
  void deadTargetCountsConnectionRefusedQuickly() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (HttpLoadProbe probe =
        probe(URI.create("http://127.0.0.1:" + port + "/"), 20, Duration.ofSeconds(2))) {
      probe.start();
      Thread.sleep(1300);
      assertThat(probe.snapshot().get("t").errors()).isGreaterThan(0);
    }
    assertThat(values("http.error")).isNotEmpty().containsOnly(1.0);
    assertThat(values("http.error.rate")).contains(1.0);
    assertThat(
            samples.stream()
                .filter(s -> s.getMetric().equals("http.errors"))
                .findFirst()
                .orElseThrow()
                .getLabels())
        .containsKey("connection_refused");
    assertThat(values("http.latency.ms")).isEmpty();
  }

  @Test
  void serverErrorsAreCounted() throws Exception {
    URI uri = serve(1, 503);
    try (HttpLoadProbe probe = probe(uri, 20, Duration.ofSeconds(2))) {
      probe.start();
      Thread.sleep(1300);
    }
    assertThat(values("http.error")).isNotEmpty().containsOnly(1.0);
    assertThat(
            samples.stream()
                .filter(s -> s.getMetric().equals("http.errors"))
                .findFirst()
                .orElseThrow()
                .getLabels())
        .containsKey("http_5xx");
  }
}
