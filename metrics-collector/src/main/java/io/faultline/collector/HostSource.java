package io.faultline.collector;

import io.faultline.schema.MetricSample;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host, read without an agent: per process (selected by pid or by a command-line pattern) CPU,
 * resident memory, IO rates, liveness and count from /proc; the clock offset against a reference
 * (an HTTP Date header); the time of a DNS query sent straight to a resolver (no JVM cache); TCP
 * connect time and loss to an address.
 */
public final class HostSource implements MetricSource {

  /** Configuration of the host source (keys {@code host.*}). */
  public record Settings(
      List<ConfigMap.GroupTarget> processes,
      List<ConfigMap.GroupTarget> clocks,
      List<ConfigMap.GroupTarget> dns,
      InetSocketAddress dnsServer,
      List<ConfigMap.GroupTarget> tcp,
      int tcpAttempts,
      Path proc,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      List<ConfigMap.GroupTarget> processes = c.targets("host.processes", "pid:1234 or cmd:REGEX");
      for (ConfigMap.GroupTarget t : processes) {
        selector(t);
      }
      List<ConfigMap.GroupTarget> clocks = c.targets("host.clock", "http://reference/");
      List<ConfigMap.GroupTarget> dns = c.targets("host.dns", "hostname");
      List<ConfigMap.GroupTarget> tcp = c.targets("host.tcp", "host:port");
      for (ConfigMap.GroupTarget t : tcp) {
        address("host.tcp", t.spec());
      }
      if (processes.isEmpty() && clocks.isEmpty() && dns.isEmpty() && tcp.isEmpty()) {
        throw new IllegalArgumentException(
            "host source: set at least one of host.processes, host.clock, host.dns, host.tcp");
      }
      InetSocketAddress server =
          dns.isEmpty()
              ? null
              : resolved(
                  address(
                      "host.dns.server",
                      c.get(
                          "host.dns.server", systemResolver(Path.of("/etc/resolv.conf")) + ":53")));
      return new Settings(
          List.copyOf(processes),
          List.copyOf(clocks),
          List.copyOf(dns),
          server,
          List.copyOf(tcp),
          c.wholeNumber("host.tcp.attempts", "3", 1, 100),
          Path.of(c.get("host.proc", "/proc")),
          c.duration("host.interval", "1s", Duration.ofMillis(100), Duration.ofHours(1)),
          c.duration("host.timeout", "1s", Duration.ofMillis(10), Duration.ofHours(1)));
    }
  }

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  private final Settings settings;
  private final Samples samples;
  private final HttpClient http;
  private final long ticksPerSecond;
  private final Map<String, long[]> previous = new HashMap<>();

  public HostSource(Settings settings, Samples samples) {
    this.settings = settings;
    this.samples = samples;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    this.ticksPerSecond = clockTicks();
  }

  @Override
  public String name() {
    return "host";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public List<MetricSample> collect() throws InterruptedException {
    List<MetricSample> out = new ArrayList<>();
    String reason;
    for (ConfigMap.GroupTarget t : settings.processes()) {
      processes(t, out);
    }
    for (ConfigMap.GroupTarget t : settings.clocks()) {
      long ts = System.currentTimeMillis();
      try {
        out.add(
            samples.of("clock.offset.ms", t.group(), t.name(), ts, clockOffsetMs(t.spec()), "ms"));
      } catch (IOException | RuntimeException e) {
        reason = "clock " + t.name() + ": " + Samples.reason(e);
        out.add(samples.failed("clock.offset.ms", t.group(), t.name(), ts, "ms", reason));
      }
    }
    for (ConfigMap.GroupTarget t : settings.dns()) {
      long ts = System.currentTimeMillis();
      try {
        out.add(samples.of("dns.lookup.ms", t.group(), t.name(), ts, dnsLookupMs(t.spec()), "ms"));
      } catch (IOException e) {
        reason = "dns " + t.name() + ": " + Samples.reason(e);
        out.add(samples.failed("dns.lookup.ms", t.group(), t.name(), ts, "ms", reason));
      }
    }
    for (ConfigMap.GroupTarget t : settings.tcp()) {
      tcp(t, out);
    }
    return out;
  }

  // ---- /proc

  /** {@code pid:N} or {@code cmd:REGEX}, validated at configuration time. */
  static Object selector(ConfigMap.GroupTarget t) {
    String spec = t.spec();
    if (spec.startsWith("pid:")) {
      try {
        return Long.parseLong(spec.substring(4).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "host.processes entry " + t.name() + " '" + spec + "': pid must be a number");
      }
    }
    if (spec.startsWith("cmd:")) {
      return Pattern.compile(spec.substring(4));
    }
    throw new IllegalArgumentException(
        "host.processes entry " + t.name() + " '" + spec + "': expected pid:N or cmd:REGEX");
  }

  private List<Path> matching(Object selector) throws IOException {
    if (selector instanceof Long pid) {
      Path dir = settings.proc().resolve(Long.toString(pid));
      return Files.isDirectory(dir) && !zombie(dir) ? List.of(dir) : List.of();
    }
    Pattern pattern = (Pattern) selector;
    long self = ProcessHandle.current().pid();
    List<Path> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(settings.proc())) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || name.equals(Long.toString(self))) {
          continue;
        }
        try {
          String cmd =
              new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ')
                  .strip();
          if (!cmd.isEmpty() && pattern.matcher(cmd).find() && !zombie(dir)) {
            out.add(dir);
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return out;
  }

  private static boolean zombie(Path dir) {
    try {
      return statFields(Files.readString(dir.resolve("stat")))[0].equals("Z");
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /** The fields after the command name in /proc/PID/stat (state is field 0 here). */
  static String[] statFields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
  }

  private void processes(ConfigMap.GroupTarget t, List<MetricSample> out) {
    long ts = System.currentTimeMillis();
    long nanos = System.nanoTime();
    List<Path> dirs;
    try {
      dirs = matching(selector(t));
    } catch (IOException e) {
      out.add(
          samples.failed("process.count", t.group(), t.name(), ts, "processes", Samples.reason(e)));
      return;
    }
    long ticks = 0;
    long rss = 0;
    long read = 0;
    long written = 0;
    int counted = 0;
    for (Path dir : dirs) {
      try {
        String[] f = statFields(Files.readString(dir.resolve("stat")));
        // utime and stime are fields 14 and 15 of stat; here (after pid and comm) 11 and 12
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        for (String line : Files.readAllLines(dir.resolve("status"))) {
          if (line.startsWith("VmRSS:")) {
            rss += Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
          }
        }
        try {
          for (String line : Files.readAllLines(dir.resolve("io"))) {
            if (line.startsWith("read_bytes:")) {
              read += Long.parseLong(line.substring(11).strip());
            } else if (line.startsWith("write_bytes:")) {
              written += Long.parseLong(line.substring(12).strip());
            }
          }
        } catch (IOException noAccess) {
          // /proc/PID/io needs the same user or CAP_SYS_PTRACE: IO rates stay absent
        }
        counted++;
      } catch (IOException | RuntimeException gone) {
        // the process ended between listing and reading
      }
    }
    out.add(samples.of("process.count", t.group(), t.name(), ts, counted, "processes"));
    out.add(samples.of("process.alive", t.group(), t.name(), ts, counted > 0 ? 1 : 0, ""));
    if (counted == 0) {
      previous.remove(t.name());
      return;
    }
    out.add(samples.of("process.rss.bytes", t.group(), t.name(), ts, rss, "bytes"));
    long[] now = {nanos, ticks, read, written, counted};
    long[] before = previous.put(t.name(), now);
    if (before != null && before[4] == counted && now[0] > before[0]) {
      double seconds = (now[0] - before[0]) / 1e9;
      double cpu = (ticks - before[1]) / (double) ticksPerSecond / seconds;
      out.add(samples.of("process.cpu.utilization", t.group(), t.name(), ts, cpu, "cores"));
      out.add(
          samples.of(
              "process.io.read.rate",
              t.group(),
              t.name(),
              ts,
              Math.max(0, read - before[2]) / seconds,
              "bytes/s"));
      out.add(
          samples.of(
              "process.io.write.rate",
              t.group(),
              t.name(),
              ts,
              Math.max(0, written - before[3]) / seconds,
              "bytes/s"));
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100; // USER_HZ on every mainstream Linux build
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  // ---- clock

  /**
   * Reference clock minus ours, from an HTTP Date header, taken at the midpoint of the round trip.
   * The header has whole seconds, so the figure is within +-0.5 s plus half the round trip; it
   * detects a clock attack (skew of seconds or more), not NTP-grade drift.
   */
  long clockOffsetMs(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(settings.timeout())
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    long before = System.currentTimeMillis();
    HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
    long after = System.currentTimeMillis();
    String date =
        response
            .headers()
            .firstValue("Date")
            .orElseThrow(() -> new IOException(url + " sent no Date header"));
    long reference = ZonedDateTime.parse(date, HTTP_DATE).toInstant().toEpochMilli() + 500;
    return reference - (before + after) / 2;
  }

  // ---- DNS

  /** The first nameserver of resolv.conf, or 127.0.0.53 when there is none. */
  static String systemResolver(Path resolvConf) {
    try {
      for (String line : Files.readAllLines(resolvConf)) {
        String[] parts = line.strip().split("\\s+");
        if (parts.length >= 2 && parts[0].equals("nameserver")) {
          return parts[1].contains(":") ? "[" + parts[1] + "]" : parts[1];
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "127.0.0.53";
  }

  /** Time from sending one A query over UDP to the resolver until its answer (any rcode but 2). */
  double dnsLookupMs(String host) throws IOException {
    byte[] query = dnsQuery(host, ThreadLocalRandom.current().nextInt(1 << 16));
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout((int) Math.max(1, settings.timeout().toMillis()));
      byte[] buf = new byte[1500];
      long start = System.nanoTime();
      socket.send(new DatagramPacket(query, query.length, settings.dnsServer()));
      while (true) {
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(answer);
        } catch (SocketTimeoutException e) {
          throw new IOException(
              "no answer from "
                  + settings.dnsServer()
                  + " within "
                  + settings.timeout().toMillis()
                  + " ms");
        }
        if (answer.getLength() >= 12 && buf[0] == query[0] && buf[1] == query[1]) {
          double ms = (System.nanoTime() - start) / 1e6;
          int rcode = buf[3] & 0x0f;
          if (rcode == 2) {
            throw new IOException(
                "resolver " + settings.dnsServer() + " answered SERVFAIL for " + host);
          }
          return ms;
        }
      }
    }
  }

  static byte[] dnsQuery(String host, int id) {
    List<Byte> out = new ArrayList<>();
    int[] header = {id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    for (int b : header) {
      out.add((byte) b);
    }
    for (String label : host.split("\\.")) {
      byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length == 0 || bytes.length > 63) {
        throw new IllegalArgumentException(
            "host.dns name '" + host + "': bad label '" + label + "'");
      }
      out.add((byte) bytes.length);
      for (byte b : bytes) {
        out.add(b);
      }
    }
    int[] tail = {0, 0, 1, 0, 1}; // root, QTYPE A, QCLASS IN
    for (int b : tail) {
      out.add((byte) b);
    }
    byte[] packet = new byte[out.size()];
    for (int i = 0; i < packet.length; i++) {
      packet[i] = out.get(i);
    }
    return packet;
  }

  // ---- TCP

  static InetSocketAddress address(String key, String spec) {
    int colon = spec.lastIndexOf(':');
    try {
      int port = Integer.parseInt(spec.substring(colon + 1));
      String host = spec.substring(0, colon).replace("[", "").replace("]", "");
      if (colon <= 0 || port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return InetSocketAddress.createUnresolved(host, port);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " '" + spec + "': expected host:port");
    }
  }

  private static InetSocketAddress resolved(InetSocketAddress a) {
    InetSocketAddress r = new InetSocketAddress(a.getHostString(), a.getPort());
    if (r.isUnresolved()) {
      throw new IllegalArgumentException(
          "host.dns.server '" + a.getHostString() + "': cannot resolve (use an IP address)");
    }
    return r;
  }

  private void tcp(ConfigMap.GroupTarget t, List<MetricSample> out) {
    InetSocketAddress unresolved = address("host.tcp", t.spec());
    long ts = System.currentTimeMillis();
    int attempts = settings.tcpAttempts();
    int lost = 0;
    double total = 0;
    for (int i = 0; i < attempts; i++) {
      try (Socket socket = new Socket()) {
        InetSocketAddress address =
            new InetSocketAddress(
                InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
        long start = System.nanoTime();
        socket.connect(address, (int) Math.max(1, settings.timeout().toMillis() / attempts));
        total += (System.nanoTime() - start) / 1e6;
      } catch (IOException e) {
        lost++;
      }
    }
    out.add(
        samples.of("tcp.connect.loss", t.group(), t.name(), ts, (double) lost / attempts, "ratio"));
    if (lost < attempts) {
      out.add(
          samples.of("tcp.connect.ms", t.group(), t.name(), ts, total / (attempts - lost), "ms"));
    } else {
      out.add(
          samples.failed("tcp.connect.ms", t.group(), t.name(), ts, "ms", "every connect failed"));
    }
  }
}
