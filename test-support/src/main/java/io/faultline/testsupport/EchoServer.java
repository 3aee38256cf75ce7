package io.faultline.testsupport;

import io.faultline.common.DaemonThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A loopback TCP server that sends every line back at once (no Nagle delay), one thread per
 * connection: the service behind an impairment proxy, so a test can time round trips through it.
 */
public final class EchoServer implements AutoCloseable {

  private final ServerSocket socket;

  private EchoServer(ServerSocket socket) {
    this.socket = socket;
  }

  /** Listens on a free loopback port. */
  public static EchoServer start() throws IOException {
    EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    DaemonThreads.named("echo").newThread(server::accept).start();
    return server;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        s.setTcpNoDelay(true); // round trips are what tests time
        DaemonThreads.named("echo-" + s.getPort()).newThread(() -> echoLines(s)).start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void echoLines(Socket s) {
    try (s;
        var in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream()) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
