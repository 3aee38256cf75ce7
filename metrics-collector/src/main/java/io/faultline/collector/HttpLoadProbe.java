package io.faultline.collector;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.faultline.common.DaemonThreads;
import io.faultline.schema.Group;
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
import java.util.EnumMap;
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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steady-state traffic: GET requests at a fixed rate against every target, paced by a schedule, not
 * by responses, so a slow target does not lower the rate (no coordinated omission). Latency is
 * measured from the scheduled send time. Publishes per request {@code http.latency.ms} (when a
 * response came back) and {@code http.error} (0 or 1), and per window {@code http.requests}
 * (scheduled in the window), {@code http.errors} (and one {@code http.errors.<kind>} per kind),
 * {@code http.error.rate} (failed among the requests that ended in the window) and {@code
 * http.latency.mean/p50/p95/p99} of the responses that arrived in the window, from a DDSketch (1%
 * relative accuracy).
 */
public final class HttpLoadProbe implements MetricSource {

  private static final Logger log = LoggerFactory.getLogger(HttpLoadProbe.class);

  /** The per-request latency sample's metric, in ms from the scheduled send time. */
  public static final String LATENCY = "http.latency.ms";

  /** Relative accuracy of the window quantiles. */
  static final double SKETCH_ACCURACY = 0.01;

  /** Why a request failed. */
  public enum ErrorKind {
    HTTP_5XX,
    TIMEOUT,
    CONNECTION_REFUSED,
    CONNECTION_ERROR,
    SATURATED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Request rate and requests in flight for the targets of one group. */
  public record Load(double requestsPerSecond, int concurrency) {
    public Load {
      if (!(requestsPerSecond > 0 && requestsPerSecond <= 100_000)) {
        throw new IllegalArgumentException(
            "probe.rps " + requestsPerSecond + ": must be in (0, 100000]");
      }
      if (concurrency < 1 || concurrency > 100_000) {
        throw new IllegalArgumentException(
            "probe.concurrency " + concurrency + ": must be from 1 to 100000");
      }
    }
  }

  /** The latest window's figures for one target. */
  public record Snapshot(long requests, long errors, double meanMs, double p99Ms) {}

  private final Samples samples;
  private final SampleSink sink;
  private final Duration timeout;
  private final Duration interval;
  private final boolean selfReporting;
  private boolean firstVersionSet;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService responses;
  private final HttpClient client;
  private final Map<String, TargetState> states = new LinkedHashMap<>();
  private final Map<String, Snapshot> snapshots = Collections.synchronizedMap(new TreeMap<>());
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean sending = true;

  private static final class TargetState {
    final ProbeTarget target;
    final long periodNanos;
    final Semaphore inFlight;
    long startNanos;
    long startEpochMs;
    long sequence;
    // the current window, guarded by this
    long requests;
    long outcomes;
    final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
    DDSketch latencies = DDSketches.unboundedDense(SKETCH_ACCURACY);
    double latencySum;

    TargetState(ProbeTarget target, Load load) {
      this.target = target;
      this.periodNanos = Math.max(1, (long) (1_000_000_000L / load.requestsPerSecond()));
      this.inFlight = new Semaphore(load.concurrency());
    }
  }

  /**
   * A probe that publishes its own window figures every {@code interval}: the first version's set
   * only ({@code http.requests}, {@code http.errors}, {@code http.error.rate} besides the
   * per-request samples), so the demo that uses it judges the same metrics as before.
   */
  public HttpLoadProbe(
      String experimentId,
      List<ProbeTarget> targets,
      double requestsPerSecond,
      int concurrency,
      Duration timeout,
      Duration interval,
      SampleSink sink) {
    this(
        experimentId,
        targets,
        Map.of(
            Group.CONTROL, new Load(requestsPerSecond, concurrency),
            Group.EXPERIMENTAL, new Load(requestsPerSecond, concurrency)),
        timeout,
        interval,
        sink,
        true);
    this.firstVersionSet = true;
  }

  /**
   * @param loads rate and concurrency per group (every target's group must be present)
   * @param selfReporting publish window figures itself; false when a {@link SourceRunner} calls
   *     {@link #collect()}
   */
  public HttpLoadProbe(
      String experimentId,
      List<ProbeTarget> targets,
      Map<Group, Load> loads,
      Duration timeout,
      Duration interval,
      SampleSink sink,
      boolean selfReporting) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("probe.targets: at least one target is needed");
    }
    this.samples = new Samples(experimentId);
    this.sink = sink;
    this.timeout = timeout;
    this.interval = interval;
    this.selfReporting = selfReporting;
    this.scheduler =
        Executors.newScheduledThreadPool(1, DaemonThreads.named("http-probe-schedule"));
    this.responses = Executors.newFixedThreadPool(2, DaemonThreads.named("http-probe-client"));
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(responses)
            .build();
    for (ProbeTarget t : targets) {
      Load load = loads.get(t.group());
      if (load == null) {
        throw new IllegalArgumentException(
            "probe target " + t.name() + ": no rate configured for group " + t.group());
      }
      if (states.put(t.name(), new TargetState(t, load)) != null) {
        throw new IllegalArgumentException("probe.targets: target name " + t.name() + " twice");
      }
    }
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public void start() {
    // load the sketch's quantile path and the sample builder before the first window closes
    DDSketch warm = DDSketches.unboundedDense(SKETCH_ACCURACY);
    warm.accept(1);
    warm.getValueAtQuantile(0.99);
    samples.of("http.requests", Group.CONTROL, "warm-up", 0, 0, "requests");
    for (TargetState state : states.values()) {
      state.startNanos = System.nanoTime();
      state.startEpochMs = System.currentTimeMillis();
      scheduler.scheduleAtFixedRate(() -> fire(state), 0, state.periodNanos, TimeUnit.NANOSECONDS);
      log.info(
          "probing {} ({}) at {} requests/s, timeout {} ms",
          state.target.name(),
          state.target.group(),
          String.format(Locale.ROOT, "%.1f", 1e9 / state.periodNanos),
          timeout.toMillis());
    }
    if (selfReporting) {
      scheduler.scheduleAtFixedRate(
          () -> collect().forEach(this::publish),
          interval.toMillis(),
          interval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** One scheduled request; the latency clock starts at the scheduled time, not the send time. */
  private void fire(TargetState state) {
    if (closed || !sending) {
      return;
    }
    long scheduledNanos;
    synchronized (state) {
      scheduledNanos = state.startNanos + state.sequence * state.periodNanos;
      state.sequence++;
      state.requests++;
    }
    sent.incrementAndGet();
    long epochMs = state.startEpochMs + (scheduledNanos - state.startNanos) / 1_000_000;
    if (!state.inFlight.tryAcquire()) {
      failed(state, epochMs, ErrorKind.SATURATED);
      return;
    }
    HttpRequest request = HttpRequest.newBuilder(state.target.uri()).timeout(timeout).GET().build();
    try {
      client
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                state.inFlight.release();
                double ms = (System.nanoTime() - scheduledNanos) / 1e6;
                if (error != null) {
                  failed(state, epochMs, kind(error));
                  return;
                }
                synchronized (state) {
                  state.latencies.accept(ms);
                  state.latencySum += ms;
                  if (response.statusCode() < 500) {
                    state.outcomes++;
                  }
                }
                publish(state, LATENCY, epochMs, ms, "ms");
                if (response.statusCode() >= 500) {
                  failed(state, epochMs, ErrorKind.HTTP_5XX);
                } else {
                  publish(state, "http.error", epochMs, 0, "");
                }
              });
    } catch (RuntimeException e) {
      // the client refuses to send (closed, out of resources): an error, not a dead schedule
      state.inFlight.release();
      failed(state, epochMs, ErrorKind.CONNECTION_ERROR);
    }
  }

  private void failed(TargetState state, long epochMs, ErrorKind kind) {
    synchronized (state) {
      state.errors.merge(kind, 1L, Long::sum);
      state.outcomes++;
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

  /** Closes the current window of every target and returns its figures. */
  @Override
  public List<MetricSample> collect() {
    long now = System.currentTimeMillis();
    List<MetricSample> out = new ArrayList<>();
    for (TargetState state : states.values()) {
      long requests;
      long outcomes;
      Map<ErrorKind, Long> errors;
      DDSketch latencies;
      double sum;
      synchronized (state) {
        requests = state.requests;
        outcomes = state.outcomes;
        errors = new EnumMap<>(state.errors);
        latencies = state.latencies;
        sum = state.latencySum;
        state.requests = 0;
        state.outcomes = 0;
        state.errors.clear();
        state.latencies = DDSketches.unboundedDense(SKETCH_ACCURACY);
        state.latencySum = 0;
      }
      ProbeTarget t = state.target;
      long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
      Map<String, String> labels = new TreeMap<>();
      errors.forEach((k, v) -> labels.put(k.label(), Long.toString(v)));
      out.add(samples.of("http.requests", t.group(), t.name(), now, requests, "requests"));
      out.add(samples.of("http.errors", t.group(), t.name(), now, errorCount, "errors", labels));
      for (ErrorKind kind : firstVersionSet ? new ErrorKind[0] : ErrorKind.values()) {
        out.add(
            samples.of(
                "http.errors." + kind.label(),
                t.group(),
                t.name(),
                now,
                errors.getOrDefault(kind, 0L),
                "errors"));
      }
      out.add(
          samples.of(
              "http.error.rate",
              t.group(),
              t.name(),
              now,
              outcomes == 0 ? 0 : (double) errorCount / outcomes,
              "ratio"));
      double mean = Double.NaN;
      double p99 = Double.NaN;
      if (!latencies.isEmpty()) {
        long count = (long) latencies.getCount();
        mean = sum / count;
        p99 = latencies.getValueAtQuantile(0.99);
      }
      if (!latencies.isEmpty() && !firstVersionSet) {
        long count = (long) latencies.getCount();
        out.add(samples.of("http.responses", t.group(), t.name(), now, count, "responses"));
        out.add(samples.of("http.latency.mean", t.group(), t.name(), now, mean, "ms"));
        out.add(
            samples.of(
                "http.latency.p50",
                t.group(),
                t.name(),
                now,
                latencies.getValueAtQuantile(0.50),
                "ms"));
        out.add(
            samples.of(
                "http.latency.p95",
                t.group(),
                t.name(),
                now,
                latencies.getValueAtQuantile(0.95),
                "ms"));
        out.add(samples.of("http.latency.p99", t.group(), t.name(), now, p99, "ms"));
      }
      snapshots.put(t.name(), new Snapshot(requests, errorCount, mean, p99));
    }
    return out;
  }

  private void publish(TargetState state, String metric, long ts, double value, String unit) {
    publish(samples.of(metric, state.target.group(), state.target.name(), ts, value, unit));
  }

  private void publish(MetricSample s) {
    if (closed) {
      return;
    }
    try {
      sink.publish(s);
    } catch (RuntimeException e) {
      log.warn("cannot publish {} of {}: {}", s.getMetric(), s.getTarget(), e.toString());
    }
  }

  /** The latest window's figures per target name. */
  public Map<String, Snapshot> snapshot() {
    synchronized (snapshots) {
      return new TreeMap<>(snapshots);
    }
  }

  /**
   * Bounds the traffic: no request is scheduled after {@code duration} from now (windows are still
   * reported, so the last responses are counted). Zero or negative: stop sending now.
   */
  public void stopSendingAfter(Duration duration) {
    if (duration.isZero() || duration.isNegative()) {
      sending = false;
      return;
    }
    scheduler.schedule(() -> sending = false, duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** False once the bound set by {@link #stopSendingAfter} passed (or after close). */
  public boolean sending() {
    return sending && !closed;
  }

  /** Requests scheduled since start, over every target (what the bench compares to the rate). */
  public long sent() {
    return sent.get();
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    responses.shutdownNow();
  }
}
