package io.faultline.bench;

import io.faultline.agent.local.ImpairmentProxy;
import io.faultline.common.DaemonThreads;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the unimpaired {@link ImpairmentProxy} costs: request-response round trips (1 byte each way,
 * one connection) and a bulk one-way transfer, straight to a loopback server and through the proxy,
 * in the same run. Usage: {@code ProxyBench [round trips, default 5000] [MB, default 256]}.
 */
public final class ProxyBench {

  private ProxyBench() {}

  public static void main(String[] args) throws Exception {
    int trips = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int mb = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ImpairmentProxy proxy =
            ImpairmentProxy.start(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", server.getLocalPort()),
                new InetSocketAddress("127.0.0.1", 0))) {
      DaemonThreads.named("server").newThread(() -> serve(server)).start();
      System.out.println(
          "| path | round trip p50 ms | p99 ms | bulk MB/s (" + mb + " MB one way) |");
      System.out.println("|---|---|---|---|");
      for (int round = 0; round < 2; round++) { // the first round warms the JIT; report the second
        String direct = measure(server.getLocalPort(), trips, mb);
        String proxied = measure(proxy.listenPort(), trips, mb);
        if (round == 1) {
          System.out.println("| direct | " + direct + " |");
          System.out.println("| through the proxy | " + proxied + " |");
        }
      }
    }
  }

  /** Echoes single bytes; after a 0 byte, sinks everything and answers 1 byte at the end. */
  private static void serve(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        DaemonThreads.named("server-" + s.getPort())
            .newThread(
                () -> {
                  try (s;
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    int b;
                    while ((b = in.read()) > 0) {
                      out.write(b);
                      out.flush();
                    }
                    byte[] sink = new byte[64 * 1024];
                    long total = new DataInputStream(in).readLong();
                    long got = 0;
                    while (got < total) {
                      int n = in.read(sink);
                      if (n < 0) {
                        break;
                      }
                      got += n;
                    }
                    out.write(1);
                    out.flush();
                  } catch (IOException ignored) {
                    // client went away
                  }
                })
            .start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String measure(int port, int trips, int mb) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      double[] ms = new double[trips];
      for (int i = 0; i < trips; i++) {
        long t0 = System.nanoTime();
        out.write(7);
        out.flush();
        if (in.read() != 7) {
          throw new IllegalStateException("echo broken");
        }
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      out.write(0);
      long total = (long) mb << 20;
      new java.io.DataOutputStream(out).writeLong(total);
      byte[] block = new byte[64 * 1024];
      long t0 = System.nanoTime();
      for (long sent = 0; sent < total; sent += block.length) {
        out.write(block);
      }
      out.flush();
      if (in.read() != 1) {
        throw new IllegalStateException("bulk transfer not acknowledged");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return String.format(
          Locale.ROOT, "%.3f | %.3f | %.0f", ms[trips / 2], ms[(int) (trips * 0.99)], mb / seconds);
    }
  }
}
