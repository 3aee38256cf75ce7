package io.faultline.analyzer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** Serves {@link AnalyzerMetrics} at {@code GET /metrics} (JDK HTTP server, one thread). */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** Binds {@code host:port} (port 0 = any free port) and starts serving. */
  public static MetricsServer start(String host, int port, AnalyzerMetrics metrics)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())
                && !"HEAD".equals(exchange.getRequestMethod())) {
              exchange.sendResponseHeaders(405, -1);
              return;
            }
            byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            exchange
                .getResponseHeaders()
                .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "analyzer-metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return new MetricsServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
