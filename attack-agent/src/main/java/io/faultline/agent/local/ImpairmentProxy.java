package io.faultline.agent.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.faultline.common.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a target, like Toxiproxy: clients connect to {@code --listen}, bytes are
 * forwarded to {@code --target}, unimpaired until an impairment is set on its loopback HTTP control
 * endpoint. Two impairments, each set and cleared on its own, each with an owner token and a TTL
 * that the proxy enforces itself, so an impairment never outlives its attack even if the agent that
 * set it dies:
 *
 * <ul>
 *   <li>latency: every chunk from the target back to the client is delayed by {@code ms} ± {@code
 *       jitter} (uniform), so a request-response round trip grows by about {@code ms}; order is
 *       kept.
 *   <li>loss: TCP retransmits lost segments, so an application on TCP sees a lost packet as a
 *       stall, not a gap. With probability {@code percent}/100 a forwarded chunk (either direction)
 *       is held for {@code retransmit-ms} (default 200 ms, Linux's minimum retransmission timeout)
 *       before it is forwarded, and what follows it in that direction waits behind it.
 * </ul>
 *
 * <p>Control (loopback only): {@code PUT /latency?ms=200&jitter=20&ttl-ms=30000&owner=T}, {@code
 * PUT /loss?percent=10&retransmit-ms=200&ttl-ms=30000&owner=T}, {@code DELETE /latency?owner=T}
 * (clears only what owner T set), {@code GET /impairments} (state and counters, one {@code
 * key=value} per line). A PUT while another owner's impairment of the same kind is active is
 * refused with 409.
 */
public final class ImpairmentProxy implements AutoCloseable {

  static final long MAX_TTL_MS = 24L * 3600 * 1000;
  private static final int CHUNK = 16 * 1024;

  /** One impairment as set over the control endpoint; {@code values} are its parameters. */
  record Impairment(Map<String, Long> values, String owner, long expiresAtMs) {
    boolean expired() {
      return System.currentTimeMillis() >= expiresAtMs;
    }
  }

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final HttpServer control;
  private final ExecutorService pumps =
      Executors.newCachedThreadPool(DaemonThreads.named("proxy-pump"));
  private final Map<String, Impairment> impairments = new HashMap<>(); // guarded by this
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong chunks = new AtomicLong();
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong expiredByTtl = new AtomicLong();
  private volatile boolean open = true;

  private ImpairmentProxy(InetSocketAddress listen, InetSocketAddress target, InetSocketAddress ctl)
      throws IOException {
    if (!ctl.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "--control " + ctl + ": must be a loopback address (e.g. 127.0.0.1:0)");
    }
    this.target = target;
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(listen, 128);
    this.control = HttpServer.create(ctl, 16);
    control.createContext("/", this::controlRequest);
    control.setExecutor(null);
  }

  /** Starts a proxy; port 0 in {@code listen} or {@code ctl} picks a free port. */
  public static ImpairmentProxy start(
      InetSocketAddress listen, InetSocketAddress target, InetSocketAddress ctl)
      throws IOException {
    ImpairmentProxy proxy = new ImpairmentProxy(listen, target, ctl);
    proxy.control.start();
    DaemonThreads.named("proxy-accept-" + proxy.listenPort()).newThread(proxy::accept).start();
    DaemonThreads.named("proxy-ttl").newThread(proxy::sweep).start();
    return proxy;
  }

  public int listenPort() {
    return listener.getLocalPort();
  }

  /** The control endpoint as {@code host:port}, the value of {@code proxy.control}. */
  public String controlAddress() {
    InetSocketAddress a = control.getAddress();
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private void accept() {
    while (open) {
      try {
        Socket client = listener.accept();
        connections.incrementAndGet();
        pumps.execute(() -> connect(client));
      } catch (IOException e) {
        if (open) {
          System.err.println("impairment proxy: accept failed: " + e);
        }
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(target, 5000);
    } catch (IOException e) {
      closeQuietly(client, upstream); // the client sees the refusal as a closed connection
      return;
    }
    Runnable both = () -> closeQuietly(client, upstream);
    AtomicLong halves = new AtomicLong(2);
    pump(client, upstream, false, () -> done(halves, both));
    pump(upstream, client, true, () -> done(halves, both));
  }

  private static void done(AtomicLong halves, Runnable closeBoth) {
    if (halves.decrementAndGet() == 0) {
      closeBoth.run();
    }
  }

  /** Reader and writer of one direction; chunks wait in a queue until their release time. */
  private void pump(Socket from, Socket to, boolean downstream, Runnable finished) {
    record Chunk(byte[] bytes, long releaseNanos) {}
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>(256);
    Chunk end = new Chunk(null, 0);
    pumps.execute(
        () -> {
          long lastRelease = 0;
          byte[] buffer = new byte[CHUNK];
          try (InputStream in = from.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
              long release = Math.max(lastRelease, System.nanoTime() + delayNanos(downstream));
              lastRelease = release;
              queue.put(new Chunk(Arrays.copyOf(buffer, n), release));
            }
          } catch (IOException | InterruptedException e) {
            // connection reset or closed: end this direction
          } finally {
            queue.offer(end);
          }
        });
    pumps.execute(
        () -> {
          try {
            OutputStream out = to.getOutputStream();
            for (Chunk c = queue.take(); c != end; c = queue.take()) {
              long wait = c.releaseNanos() - System.nanoTime();
              if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
              }
              out.write(c.bytes());
              out.flush();
              chunks.incrementAndGet();
            }
            to.shutdownOutput();
          } catch (IOException | InterruptedException e) {
            closeQuietly(from, to);
          } finally {
            finished.run();
          }
        });
  }

  private long delayNanos(boolean downstream) {
    long ms = 0;
    Impairment latency = active("latency");
    if (downstream && latency != null) {
      long jitter = latency.values().get("jitter");
      ms += latency.values().get("ms");
      if (jitter > 0) {
        ms += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
      }
    }
    Impairment loss = active("loss");
    if (loss != null
        && ThreadLocalRandom.current().nextDouble() * 100 < loss.values().get("percent")) {
      held.incrementAndGet();
      ms += loss.values().get("retransmit-ms");
    }
    return Math.max(0, ms) * 1_000_000;
  }

  private synchronized Impairment active(String kind) {
    Impairment i = impairments.get(kind);
    if (i != null && i.expired()) {
      impairments.remove(kind);
      expiredByTtl.incrementAndGet();
      System.err.println("impairment proxy: " + kind + " of owner " + i.owner() + " expired (TTL)");
      return null;
    }
    return i;
  }

  /** Clears expired impairments even when no traffic asks. */
  private void sweep() {
    while (open) {
      active("latency");
      active("loss");
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void controlRequest(HttpExchange exchange) throws IOException {
    int status = 200;
    String body;
    try {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String method = exchange.getRequestMethod();
      if (path.equals("/impairments") && method.equals("GET")) {
        body = status();
      } else if ((path.equals("/latency") || path.equals("/loss")) && method.equals("PUT")) {
        String kind = path.substring(1);
        Map<String, Long> values = new LinkedHashMap<>();
        if (kind.equals("latency")) {
          values.put("ms", number(query, "ms", null, 0, 60_000));
          values.put("jitter", number(query, "jitter", 0L, 0, values.get("ms")));
        } else {
          values.put("percent", number(query, "percent", null, 0, 100));
          values.put("retransmit-ms", number(query, "retransmit-ms", 200L, 1, 60_000));
        }
        long ttl = number(query, "ttl-ms", null, 1, MAX_TTL_MS);
        String owner = required(query, "owner");
        body = set(kind, new Impairment(values, owner, System.currentTimeMillis() + ttl));
        if (body.startsWith("refused")) {
          status = 409;
        }
      } else if ((path.equals("/latency") || path.equals("/loss")) && method.equals("DELETE")) {
        body = clear(path.substring(1), required(query, "owner"));
      } else {
        status = 404;
        body =
            "unknown request "
                + method
                + " "
                + path
                + "; use GET /impairments, PUT or DELETE /latency or /loss";
      }
    } catch (IllegalArgumentException e) {
      status = 400;
      body = e.getMessage();
    }
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private synchronized String set(String kind, Impairment impairment) {
    Impairment current = active(kind);
    if (current != null && !current.owner().equals(impairment.owner())) {
      return "refused: "
          + kind
          + " already set by owner "
          + current.owner()
          + " for "
          + (current.expiresAtMs() - System.currentTimeMillis())
          + " ms more";
    }
    impairments.put(kind, impairment);
    System.err.println("impairment proxy: " + kind + " set " + describe(impairment));
    return "set " + kind + " " + describe(impairment);
  }

  private synchronized String clear(String kind, String owner) {
    Impairment current = active(kind);
    if (current == null) {
      return "no " + kind + " was set";
    }
    if (!current.owner().equals(owner)) {
      return "left " + kind + " of owner " + current.owner() + " alone (asked by " + owner + ")";
    }
    impairments.remove(kind);
    System.err.println("impairment proxy: " + kind + " of owner " + owner + " cleared");
    return "cleared " + kind + " " + describe(current);
  }

  private synchronized String status() {
    StringBuilder s = new StringBuilder();
    for (String kind : List.of("latency", "loss")) {
      Impairment i = active(kind);
      s.append(kind).append('=').append(i == null ? "none" : describe(i)).append('\n');
    }
    s.append("target=").append(target.getHostString()).append(':').append(target.getPort());
    s.append("\nconnections=").append(connections.get());
    s.append("\nchunks=").append(chunks.get());
    s.append("\nheld=").append(held.get());
    s.append("\nexpired=").append(expiredByTtl.get());
    return s.toString();
  }

  private static String describe(Impairment i) {
    StringBuilder s = new StringBuilder();
    i.values().forEach((k, v) -> s.append(k).append(':').append(v).append(' '));
    return s.append("owner:")
        .append(i.owner())
        .append(" ttl-left-ms:")
        .append(Math.max(0, i.expiresAtMs() - System.currentTimeMillis()))
        .toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        q.put(
            URLDecoder.decode(k, StandardCharsets.UTF_8),
            URLDecoder.decode(v, StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static String required(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }

  private static long number(Map<String, String> query, String name, Long def, long min, long max) {
    String raw = query.get(name);
    if (raw == null) {
      if (def == null) {
        throw new IllegalArgumentException(name + " is required (" + min + ".." + max + ")");
      }
      return def;
    }
    try {
      long v = Long.parseLong(raw.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " '" + raw + "': must be a whole number from " + min + " to " + max);
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() {
    open = false;
    control.stop(0);
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    pumps.shutdownNow();
  }

  static InetSocketAddress address(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " is required (HOST:PORT)");
    }
    int colon = value.lastIndexOf(':');
    try {
      if (colon > 0) {
        int port = Integer.parseInt(value.substring(colon + 1));
        if (port >= 0 && port <= 65535) {
          return new InetSocketAddress(InetAddress.getByName(value.substring(0, colon)), port);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        flag + " '" + value + "': must be HOST:PORT with PORT from 0 to 65535");
  }

  private static final String USAGE =
      """
      usage: ImpairmentProxy --listen HOST:PORT --target HOST:PORT [--control 127.0.0.1:PORT]
                             [--control-file FILE]
        --listen        where clients connect (the port they used to reach the target)
        --target        the target's real address
        --control       loopback HTTP control endpoint (default 127.0.0.1:0, a free port)
        --control-file  write the control address (HOST:PORT) to FILE once listening
      Forwards unimpaired until told otherwise; see the attack-agent README.
      """;

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    Map<String, String> flags;
    InetSocketAddress listen;
    InetSocketAddress target;
    InetSocketAddress ctl;
    try {
      flags = ChildJvm.flags(args, List.of("listen", "target", "control", "control-file"));
      listen = address("--listen", flags.get("listen"));
      target = address("--target", flags.get("target"));
      ctl = address("--control", flags.getOrDefault("control", "127.0.0.1:0"));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    ImpairmentProxy proxy = start(listen, target, ctl);
    if (flags.containsKey("control-file")) {
      Path file = Path.of(flags.get("control-file"));
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, proxy.controlAddress() + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    System.out.println(
        "impairment proxy listening on "
            + listen.getHostString()
            + ":"
            + proxy.listenPort()
            + " -> "
            + flags.get("target")
            + ", control "
            + proxy.controlAddress());
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close));
    Thread.currentThread().join();
  }
}
