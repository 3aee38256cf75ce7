package io.faultline.bench;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.sun.net.httpserver.HttpServer;
import io.faultline.collector.HttpLoadProbe;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.collector.MetricSource;
import io.faultline.collector.ProbeTarget;
import io.faultline.collector.SampleSink;
import io.faultline.collector.Samples;
import io.faultline.collector.SourceRunner;
import io.faultline.kafka.EmbeddedKafka;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The metrics collector's figures, on this machine, in one run:
 *
 * <ol>
 *   <li>the HTTP probe's achieved versus requested rate at 100, 1,000 and 5,000 requests/s against
 *       a loopback server that answers at once (requests counted by the server);
 *   <li>the probe's latency overhead: its measured latency against a server with a known 50 ms
 *       delay, minus the time the server itself spent in the handler (measured in the server);
 *   <li>samples per second the collector sustains into Kafka (in-process broker): a synthetic
 *       source offers more and more samples per 100 ms round through the {@link SourceRunner} and
 *       the {@link KafkaSampleSink}; every sample is counted again by a consumer.
 * </ol>
 *
 * <p>Usage: {@code CollectorBench [seconds per step] [rate]} (default 5; {@code rate}: only the
 * 1,000 and 5,000 rps steps). Prints Markdown tables.
 */
public final class CollectorBench {

  private CollectorBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String only = args.length > 1 ? args[1] : "all";
    if (only.equals("rate")) {
      for (int rps : new int[] {1_000, 5_000}) {
        rate(rps, seconds);
      }
      return;
    }
    System.out.println("### HTTP probe rate (loopback, server answers at once)\n");
    System.out.println(
        "| requested rps | scheduled rps | served rps | served / requested | saturated | other errors |");
    System.out.println("|---|---|---|---|---|---|");
    for (int rps : new int[] {100, 1_000, 5_000}) {
      rate(rps, seconds);
    }
    System.out.println("\n### HTTP probe latency overhead (server delay 50 ms, 100 rps)\n");
    overhead(50, 100, seconds);
    System.out.println("\n### Samples per second into Kafka (in-process broker)\n");
    throughput(seconds);
  }

  /** A loopback server that sleeps {@code delayMs}; counts requests and its own handling time. */
  private record Server(HttpServer http, ExecutorService pool, AtomicLong served, DDSketch handled)
      implements AutoCloseable {

    static Server start(int delayMs, int threads) throws Exception {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      http.setExecutor(pool);
      AtomicLong served = new AtomicLong();
      DDSketch handled = DDSketches.unboundedDense(0.01);
      http.createContext(
          "/",
          ex -> {
            long start = System.nanoTime();
            if (delayMs > 0) {
              try {
                Thread.sleep(delayMs);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
            served.incrementAndGet();
            synchronized (handled) {
              handled.accept((System.nanoTime() - start) / 1e6);
            }
          });
      http.start();
      return new Server(http, pool, served, handled);
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
      http.stop(0);
      pool.shutdownNow();
    }
  }

  /** Counts window error kinds and keeps every per-request latency. */
  private static final class ProbeSink implements SampleSink {
    final DDSketch latency = DDSketches.unboundedDense(0.01);
    final AtomicLong saturated = new AtomicLong();
    final AtomicLong otherErrors = new AtomicLong();
    volatile boolean measuring;

    @Override
    public void publish(MetricSample s) {
      if (!measuring) {
        return;
      }
      switch (s.getMetric()) {
        case "http.latency.ms" -> {
          synchronized (latency) {
            latency.accept(s.getValue());
          }
        }
        case "http.errors.saturated" -> saturated.addAndGet((long) s.getValue());
        case "http.errors" -> {
          long all = (long) s.getValue();
          long sat = Long.parseLong(s.getLabels().getOrDefault("saturated", "0"));
          otherErrors.addAndGet(all - sat);
        }
        default -> {
          // not needed here
        }
      }
    }
  }

  private static HttpLoadProbe probe(URI uri, double rps, int concurrency, SampleSink sink) {
    return new HttpLoadProbe(
        "bench",
        List.of(new ProbeTarget(Group.EXPERIMENTAL, "t", uri)),
        Map.of(Group.EXPERIMENTAL, new HttpLoadProbe.Load(rps, concurrency)),
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        sink,
        true);
  }

  private static void rate(int rps, int seconds) throws Exception {
    try (Server server = Server.start(0, 16)) {
      ProbeSink sink = new ProbeSink();
      try (HttpLoadProbe probe = probe(server.uri(), rps, 500, sink)) {
        probe.start();
        Thread.sleep(2000); // warm-up: connections and JIT
        sink.measuring = true;
        long served0 = server.served().get();
        long sent0 = probe.sent();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long served = server.served().get() - served0;
        long sent = probe.sent() - sent0;
        sink.measuring = false;
        System.out.printf(
            Locale.ROOT,
            "| %,d | %,.0f | %,.0f | %.3f | %d | %d |%n",
            rps,
            sent / elapsed,
            served / elapsed,
            served / elapsed / rps,
            sink.saturated.get(),
            sink.otherErrors.get());
      }
    }
  }

  private static void overhead(int delayMs, int rps, int seconds) throws Exception {
    try (Server server = Server.start(delayMs, 64)) {
      ProbeSink sink = new ProbeSink();
      try (HttpLoadProbe probe = probe(server.uri(), rps, 200, sink)) {
        probe.start();
        Thread.sleep(2000);
        synchronized (server.handled()) {
          server.handled().clear();
        }
        sink.measuring = true;
        Thread.sleep(seconds * 1000L);
        sink.measuring = false;
      }
      DDSketch p = sink.latency;
      DDSketch h = server.handled();
      System.out.println("| quantile | probe ms | server handler ms | overhead ms |");
      System.out.println("|---|---|---|---|");
      for (double q : new double[] {0.5, 0.95, 0.99}) {
        double pq = p.getValueAtQuantile(q);
        double hq = h.getValueAtQuantile(q);
        System.out.printf(
            Locale.ROOT, "| p%.0f | %.2f | %.2f | %.2f |%n", q * 100, pq, hq, pq - hq);
      }
      System.out.printf(Locale.ROOT, "(n = %.0f responses)%n", p.getCount());
    }
  }

  /** Offers {@code perRound} samples every 100 ms. */
  private static final class Synthetic implements MetricSource {
    final Samples samples = new Samples("bench");
    volatile int perRound;

    @Override
    public String name() {
      return "synthetic";
    }

    @Override
    public Duration interval() {
      return Duration.ofMillis(100);
    }

    @Override
    public List<MetricSample> collect() {
      long now = System.currentTimeMillis();
      List<MetricSample> out = new ArrayList<>(perRound);
      for (int i = 0; i < perRound; i++) {
        out.add(
            samples.of(
                "bench.m" + (i % 50),
                i % 2 == 0 ? Group.CONTROL : Group.EXPERIMENTAL,
                "t" + (i % 10),
                now,
                i,
                "ms"));
      }
      return out;
    }
  }

  private static void throughput(int seconds) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      Topics topics = Topics.named("bench.");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        TopicProvisioner.ensure(admin, topics, (short) 1);
      }
      System.out.println(
          "| offered samples/s | handed to Kafka samples/s | consumed samples/s | failed rounds |");
      System.out.println("|---|---|---|---|");
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(
              Map.of(
                  "bootstrap.servers", kafka.bootstrapServers(),
                  "group.id", "bench-collector",
                  "auto.offset.reset", "latest",
                  "enable.auto.commit", "false"),
              new StringDeserializer(),
              new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topics.metrics().name()));
        while (consumer.assignment().isEmpty()) {
          consumer.poll(Duration.ofMillis(100));
        }
        consumer.seekToEnd(consumer.assignment());
        consumer.poll(Duration.ofMillis(100));
        for (int perRound : new int[] {1_000, 5_000, 10_000, 20_000}) {
          Synthetic source = new Synthetic();
          source.perRound = perRound;
          long consumed = 0;
          try (KafkaSampleSink sink =
              new KafkaSampleSink(kafka.bootstrapServers(), topics, Map.of())) {
            SourceRunner runner = new SourceRunner("bench", List.of(source), sink);
            long t0 = System.nanoTime();
            runner.start();
            long end = System.currentTimeMillis() + seconds * 1000L;
            while (System.currentTimeMillis() < end) {
              consumed += consumer.poll(Duration.ofMillis(100)).count();
            }
            runner.close();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long published = runner.published();
            long failed = runner.failures().get("synthetic");
            sink.close(); // flushes what is still buffered
            long drainUntil = System.currentTimeMillis() + 10_000;
            while (consumed < published && System.currentTimeMillis() < drainUntil) {
              consumed += consumer.poll(Duration.ofMillis(100)).count();
            }
            double consumeElapsed = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                Locale.ROOT,
                "| %,d | %,.0f | %,.0f (%,d of %,d) | %d |%n",
                perRound * 10,
                published / elapsed,
                consumed / consumeElapsed,
                consumed,
                published,
                failed);
          }
        }
      }
    }
    TimeUnit.MILLISECONDS.sleep(10);
  }
}
