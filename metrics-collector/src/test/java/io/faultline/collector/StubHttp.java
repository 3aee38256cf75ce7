package io.faultline.collector;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A loopback HTTP server for tests; records the request URIs it saw. */
final class StubHttp implements AutoCloseable {

  interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  final HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();

  StubHttp(int threads, Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.createContext(
        "/",
        ex -> {
          requests.add(ex.getRequestURI().toString());
          try {
            handler.handle(ex);
          } finally {
            ex.close();
          }
        });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  static void reply(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
