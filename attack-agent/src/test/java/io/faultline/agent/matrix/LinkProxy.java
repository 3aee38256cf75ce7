package io.faultline.agent.matrix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP forwarder in front of a broker whose link can be cut: while cut, connections stay
 * open and new ones are accepted, but no byte passes either way (a partition, as clients see it:
 * requests time out, nothing is refused). {@link #restore} resets the connections of the cut (as a
 * healed network with lost state would) and forwards again. A connection to a target that is down
 * is closed at once.
 */
public final class LinkProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile boolean cut;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "link-proxy");
            t.setDaemon(true);
            return t;
          });

  private LinkProxy(ServerSocket server, int targetPort) {
    this.server = server;
    this.targetPort = targetPort;
  }

  /** Listens on a free loopback port and forwards to {@code targetPort} on loopback. */
  public static LinkProxy start(int targetPort) throws IOException {
    ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    LinkProxy proxy = new LinkProxy(server, targetPort);
    proxy.threads.execute(proxy::accept);
    return proxy;
  }

  public int port() {
    return server.getLocalPort();
  }

  public void cut() {
    cut = true;
  }

  public void restore() {
    List<Socket> old = List.copyOf(sockets);
    for (Socket s : old) {
      closeQuietly(s);
    }
    sockets.removeAll(old);
    synchronized (gate) {
      cut = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        threads.execute(() -> connect(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      awaitOpen();
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
      sockets.add(upstream);
    } catch (IOException | InterruptedException e) {
      closeQuietly(upstream);
      closeQuietly(client);
      sockets.remove(client);
      return;
    }
    threads.execute(() -> pump(client, upstream));
    pump(upstream, client);
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        awaitOpen();
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // either side closed, or restore() reset the connection
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private void awaitOpen() throws InterruptedException {
    synchronized (gate) {
      while (cut) {
        gate.wait();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    sockets.forEach(LinkProxy::closeQuietly);
    threads.shutdownNow();
  }
}
