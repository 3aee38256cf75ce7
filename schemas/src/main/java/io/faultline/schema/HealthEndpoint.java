package io.faultline.schema;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /health} for a component that has no other HTTP (the agent, the collector), for
 * Kubernetes probes: 200 with the component's one-line state while it is healthy, 503 with the
 * reason when it is not. {@code health} returns null when healthy, else what is wrong.
 */
public final class HealthEndpoint implements AutoCloseable {

  private final HttpServer server;

  private HealthEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Serves on {@code bind:port} (port 0 = any free one). */
  public static HealthEndpoint start(
      String component, String bind, int port, Supplier<String> problem) {
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
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(wrong == null ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.setExecutor(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, component + "-health");
                t.setDaemon(true);
                return t;
              }));
      server.start();
      return new HealthEndpoint(server);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          component + ".http.port " + port + ": cannot listen on " + bind + ":" + port + ": " + e);
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
