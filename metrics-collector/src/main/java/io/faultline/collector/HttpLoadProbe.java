package io.faultline.collector;

import io.faultline.schema.MetricSample;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steady-state traffic: GET requests at a fixed rate against every target, paced by a schedule, not
 * by responses, so a slow target does not lower the rate (no coordinated omission). Latency is
 * measured from the scheduled send time. Publishes per request {@code http.latency.ms} (when a
 * response came back) and {@code http.error} (0 or 1), and per interval {@code http.requests},
 * {@code http.errors} (counts by kind in labels) and {@code http.error.rate}.
 */
public final class HttpLoadProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpLoadProbe.class);

  /** Why a request failed. */
  public enum ErrorKind {
    HTTP_5XX,
    TIMEOUT,
    CONNECTION_REFUSED,
    CONNECTION_ERROR,
    SATURATED
  }

  /** The latest interval's figures for one target. */
  public record Snapshot(long requests, long errors, double meanMs, double p99Ms) {}

  private final String experimentId;
  private final SampleSink sink;
  private final Duration timeout;
  private final Duration interval;
  private final long periodNanos;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService responses;
  private final HttpClient client;
  private final Map<String, TargetState> states = new LinkedHashMap<>();
  private final Map<String, Snapshot> snapshots = Collections.synchronizedMap(new TreeMap<>());
  private volatile boolean closed;

  private final class TargetState {
    final ProbeTarget target;
    final Semaphore inFlight;
    final long startNanos = System.nanoTime();
    final long startEpochMs = System.currentTimeMillis();
    long sequence;
    long requests;
    final Map<ErrorKind, Long> errors = new TreeMap<>();
    List<Double> latencies = new ArrayList<>();

    TargetState(ProbeTarget target, int concurrency) {
      this.target = target;
      this.inFlight = new Semaphore(concurrency);
    }
  }

  public HttpLoadProbe(
      String experimentId,
      List<ProbeTarget> targets,
      double requestsPerSecond,
      int concurrency,
      Duration timeout,
      Duration interval,
      SampleSink sink) {
    if (!(requestsPerSecond > 0 && requestsPerSecond <= 100_000)) {
      throw new IllegalArgumentException(
          "probe.rps " + requestsPerSecond + ": must be in (0, 100000]");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException(
          "probe.concurrency " + concurrency + ": must be at least 1");
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("probe.targets: at least one target is needed");
    }
    this.experimentId = experimentId;
    this.sink = sink;
    this.timeout = timeout;
    this.interval = interval;
    this.periodNanos = (long) (1_000_000_000L / requestsPerSecond);
    this.scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "http-probe-schedule");
              t.setDaemon(true);
              return t;
            });
    this.responses =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "http-probe-client");
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(responses)
            .build();
    for (ProbeTarget t : targets) {
      states.put(t.name(), new TargetState(t, concurrency));
    }
  }

  public void start() {
    for (TargetState state : states.values()) {
      scheduler.scheduleAtFixedRate(() -> fire(state), 0, periodNanos, TimeUnit.NANOSECONDS);
    }
    scheduler.scheduleAtFixedRate(
        this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "probing {} targets at {} requests/s each, timeout {} ms",
        states.size(),
        String.format(Locale.ROOT, "%.1f", 1e9 / periodNanos),
        timeout.toMillis());
  }

  /** One scheduled request; the latency clock starts at the scheduled time, not the send time. */
  private void fire(TargetState state) {
    if (closed) {
      return;
    }
    long scheduledNanos;
    synchronized (state) {
      scheduledNanos = state.startNanos + state.sequence * periodNanos;
      state.sequence++;
      state.requests++;
    }
    long epochMs = state.startEpochMs + (scheduledNanos - state.startNanos) / 1_000_000;
    if (!state.inFlight.tryAcquire()) {
      failed(state, epochMs, ErrorKind.SATURATED);
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(state.target.uri()).timeout(timeout).GET().build();
    client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              state.inFlight.release();
              double ms = (System.nanoTime() - scheduledNanos) / 1e6;
              if (error != null) {
                failed(state, epochMs, kind(error));
              } else if (response.statusCode() >= 500) {
                publish(state, "http.latency.ms", epochMs, ms, "ms");
                failed(state, epochMs, ErrorKind.HTTP_5XX);
              } else {
                synchronized (state) {
                  state.latencies.add(ms);
                }
                publish(state, "http.latency.ms", epochMs, ms, "ms");
                publish(state, "http.error", epochMs, 0, "");
              }
            });
  }

  private void failed(TargetState state, long epochMs, ErrorKind kind) {
    synchronized (state) {
      state.errors.merge(kind, 1L, Long::sum);
    }
    publish(state, "http.error", epochMs, 1, "");
  }

  static ErrorKind kind(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof HttpConnectTimeoutException || e instanceof HttpTimeoutException) {
      return ErrorKind.TIMEOUT;
    }
    if (e instanceof ConnectException) {
      return ErrorKind.CONNECTION_REFUSED;
    }
    return ErrorKind.CONNECTION_ERROR;
  }

  private void report() {
    long now = System.currentTimeMillis();
    for (TargetState state : states.values()) {
      long requests;
      Map<ErrorKind, Long> errors;
      List<Double> latencies;
      synchronized (state) {
        requests = state.requests;
        errors = new TreeMap<>(state.errors);
        latencies = state.latencies;
        state.requests = 0;
        state.errors.clear();
        state.latencies = new ArrayList<>();
      }
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      Map<String, String> labels = new TreeMap<>();
      errors.forEach((k, v) -> labels.put(k.name().toLowerCase(Locale.ROOT), Long.toString(v)));
      publish(state, "http.requests", now, requests, "requests", Map.of());
      publish(state, "http.errors", now, errorCount, "errors", labels);
      publish(
          state,
          "http.error.rate",
          now,
          requests == 0 ? 0 : (double) errorCount / requests,
          "ratio",
          Map.of());
      Collections.sort(latencies);
      double mean =
          latencies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double p99 =
          latencies.isEmpty()
              ? Double.NaN
              : latencies.get(
                  Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.99) - 1));
      snapshots.put(state.target.name(), new Snapshot(requests, errorCount, mean, p99));
    }
  }

  private void publish(TargetState state, String metric, long ts, double value, String unit) {
    publish(state, metric, ts, value, unit, Map.of());
  }

  private void publish(
      TargetState state,
      String metric,
      long ts,
      double value,
      String unit,
      Map<String, String> labels) {
    if (closed) {
      return;
    }
    try {
      sink.publish(
          MetricSample.newBuilder()
              .setExperimentId(experimentId)
              .setMetric(metric)
              .setGroup(state.target.group())
              .setTarget(state.target.name())
              .setTimestamp(ts)
              .setValue(value)
              .setUnit(unit)
              .setLabels(new TreeMap<>(labels))
              .build());
    } catch (RuntimeException e) {
      log.warn("cannot publish {} of {}: {}", metric, state.target.name(), e.toString());
    }
  }

  /** The latest interval's figures per target name. */
  public Map<String, Snapshot> snapshot() {
    synchronized (snapshots) {
      return new TreeMap<>(snapshots);
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    responses.shutdownNow();
  }
}
