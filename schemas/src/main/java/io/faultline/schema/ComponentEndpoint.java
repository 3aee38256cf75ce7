package io.faultline.schema;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A component's HTTP port (agent, collector, analyzer): {@code GET /health} for Kubernetes probes,
 * 200 with the component's one-line state while it is healthy, 503 with the reason when it is not
 * ({@code problem} returns null when healthy, else what is wrong); and {@code GET /metrics}, the
 * component's {@link ComponentMetrics} in Prometheus' text format, for the chart's PodMonitor.
 */
public final class ComponentEndpoint implements AutoCloseable {

  private final HttpServer server;

  private ComponentEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Serves on {@code bind:port} (port 0 = any free one). */
  public static ComponentEndpoint start(
      String component, String bind, int port, Supplier<String> problem, ComponentMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
      server.createContext(
          "/health",
          exchange -> {
            String wrong;
            try {
              wrong = problem.get();
            } catch (RuntimeException e) {
              wrong = "health check failed: " + e;
            }
            byte[] body =
                (wrong == null ? component + " ok\n" : component + " unhealthy: " + wrong + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            send(exchange, wrong == null ? 200 : 503, "text/plain; charset=utf-8", body);
          });
      server.createContext(
          "/metrics",
          exchange -> {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              send(exchange, 405, "text/plain; charset=utf-8", new byte[0]);
              return;
            }
            send(exchange, 200, ComponentMetrics.CONTENT_TYPE, metrics.scrapeBytes());
          });
      server.setExecutor(
          Executors.newSingleThreadExecutor(DaemonThreads.named(component + "-http")));
      server.start();
      return new ComponentEndpoint(server);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          component + ".http.port " + port + ": cannot listen on " + bind + ":" + port + ": " + e);
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", type);
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
      if (!head && body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** A component's {@code *.http.port} setting: unset or -1 = no endpoint, 0 = any free port. */
  public static int port(String key, String value) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= -1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        key + " '" + value + "': use 0..65535 (0 = any free port) or -1 for none");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
