package io.faultline.scale;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small schedule-paced load generator for Scale's steady state: request {@code i} is due at
 * {@code start + i / rps}; at most {@code concurrency} are in flight; latency runs from the due
 * time, not the send time, so a stalled server is not hidden by requests that were never sent (no
 * coordinated omission). Requests due during the warm-up are not counted.
 *
 * <pre>
 * java -cp ... io.faultline.scale.LoadGenerator --url http://127.0.0.1:8080/test_db \
 *     --rps 100 --concurrency 100 --duration 60 --warmup 15
 * </pre>
 */
public final class LoadGenerator {

  /** The outcome of a run: latencies of counted requests (ms) and how many failed. */
  public record Result(
      double[] latenciesMs, int errors, double seconds, Map<String, Integer> failures) {
    public double mean() {
      return Arrays.stream(latenciesMs).average().orElse(Double.NaN);
    }

    public double percentile(double p) {
      if (latenciesMs.length == 0) {
        return Double.NaN;
      }
      double[] sorted = latenciesMs.clone();
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    public double errorRate() {
      return latenciesMs.length == 0 ? Double.NaN : (double) errors / latenciesMs.length;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d requests in %.1f s (%.1f/s): mean %.1f ms, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
              + " max %.1f ms, errors %d (%.2f%%)%s",
          latenciesMs.length,
          seconds,
          latenciesMs.length / seconds,
          mean(),
          percentile(50),
          percentile(90),
          percentile(99),
          percentile(100),
          errors,
          100 * errorRate(),
          failures.isEmpty() ? "" : " " + failures);
    }
  }

  private LoadGenerator() {}

  public static Result run(URI url, int rps, int concurrency, Duration duration, Duration warmup)
      throws InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(Math.max(4, concurrency / 4)))
            .build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build();
    long total = (warmup.toMillis() + duration.toMillis()) * rps / 1000;
    long counted = duration.toMillis() * rps / 1000;
    long firstCounted = total - counted;
    long periodNanos = 1_000_000_000L / rps;
    Semaphore inFlight = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch((int) total);
    double[] latencies = new double[(int) counted];
    AtomicInteger errors = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * periodNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      inFlight.acquire();
      long index = i;
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                double ms = (System.nanoTime() - due) / 1e6;
                inFlight.release();
                if (index >= firstCounted) {
                  latencies[(int) (index - firstCounted)] = ms;
                  if (error != null || response.statusCode() >= 400) {
                    errors.incrementAndGet();
                    failures.add(
                        error != null
                            ? error.getClass().getSimpleName()
                            : "HTTP " + response.statusCode());
                  }
                }
                done.countDown();
              });
    }
    done.await(30, TimeUnit.SECONDS);
    Map<String, Integer> byKind = new HashMap<>();
    failures.forEach(f -> byKind.merge(f, 1, Integer::sum));
    return new Result(latencies, errors.get(), duration.toMillis() / 1000.0, byKind);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags =
        new HashMap<>(Map.of("rps", "100", "concurrency", "100", "duration", "60", "warmup", "15"));
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help")) {
        System.out.println(
            "Usage: LoadGenerator --url URL [--rps 100] [--concurrency 100] [--duration 60] [--warmup 15]\n"
                + "  durations in seconds; latency is measured from each request's scheduled time");
        return;
      }
      String key = args[i].replaceFirst("^--", "");
      if (!List.of("url", "rps", "concurrency", "duration", "warmup").contains(key)
          || i + 1 >= args.length) {
        System.err.println("LoadGenerator: unknown flag or missing value: " + args[i]);
        System.exit(2);
      }
      flags.put(key, args[++i]);
    }
    if (!flags.containsKey("url")) {
      System.err.println(
          "LoadGenerator: --url is required, e.g. --url http://127.0.0.1:8080/test_db");
      System.exit(2);
    }
    Result r =
        run(
            URI.create(flags.get("url")),
            Integer.parseInt(flags.get("rps")),
            Integer.parseInt(flags.get("concurrency")),
            Duration.ofSeconds(Long.parseLong(flags.get("duration"))),
            Duration.ofSeconds(Long.parseLong(flags.get("warmup"))));
    System.out.println(r);
    System.exit(0);
  }
}
