package io.faultline.analyzer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.faultline.scale.fleet.LoopbackPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real server from a Debian package, started on a free loopback port in a temp dir. */
final class ExternalServer implements AutoCloseable {

  private final Process process;
  final int port;
  final Path dir;

  private ExternalServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Skips the calling test, naming the Debian package, when none of the binaries exists. */
  static Path binary(String debianPackage, String... candidates) {
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    assumeTrue(
        false,
        "skipped: "
            + String.join(" or ", candidates)
            + " not found; install the Debian package '"
            + debianPackage
            + "' (apt-get install -y "
            + debianPackage
            + ")");
    return null;
  }

  /** Below the ephemeral range, so no outgoing connection takes it before the server binds it. */
  static int freePort() throws IOException {
    return LoopbackPorts.next();
  }

  static ExternalServer start(Path dir, int port, List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>(command);
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    return new ExternalServer(p, port, dir);
  }

  /** Polls GET url until it answers 200, or fails with the server's log. */
  void awaitReady(String path, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited: " + log());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("not ready after " + timeout + ": " + log());
  }

  String get(String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + pathAndQuery + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
