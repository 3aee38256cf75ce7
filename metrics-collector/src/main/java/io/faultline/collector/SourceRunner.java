package io.faultline.collector;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs several sources at once, each on its own cadence and threads. A round that throws, times out
 * or is still running when the next one is due publishes a {@code collector.source.errors} sample
 * and an error sample (value NaN, error=true) for every series the source produced before, instead
 * of leaving a silent gap; the other sources keep their cadence.
 */
public final class SourceRunner implements AutoCloseable {

  public static final String SOURCE_ERRORS = "collector.source.errors";

  private static final Logger log = LoggerFactory.getLogger(SourceRunner.class);

  private final Samples samples;
  private final SampleSink sink;
  private final List<Running> running = new ArrayList<>();
  private final AtomicLong published = new AtomicLong();
  private volatile boolean closed;

  /** A series a source has produced: what to mark as failed when a round fails. */
  private record Series(String metric, Group group, String target, String unit) {}

  private final class Running {
    final MetricSource source;
    final ScheduledExecutorService ticker;
    final ExecutorService worker;
    final Map<Series, Boolean> seen = new ConcurrentHashMap<>();
    final AtomicLong rounds = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    Future<List<MetricSample>> inFlight;

    Running(MetricSource source) {
      this.source = source;
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(r -> daemon(r, source.name() + "-tick"));
      this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, source.name() + "-collect"));
    }

    /** One round on the ticker thread: submit, wait at most the timeout, publish. */
    void round() {
      if (closed) {
        return;
      }
      long started = System.currentTimeMillis();
      if (inFlight != null && !inFlight.isDone()) {
        fail(started, "previous round still running");
        return;
      }
      inFlight = worker.submit(source::collect);
      long timeoutMs = source.timeout().toMillis();
      try {
        List<MetricSample> out = inFlight.get(timeoutMs, TimeUnit.MILLISECONDS);
        rounds.incrementAndGet();
        for (MetricSample s : out) {
          if (!s.getError()) {
            seen.putIfAbsent(
                new Series(s.getMetric(), s.getGroup(), s.getTarget(), s.getUnit()), true);
          }
          publish(s);
        }
      } catch (TimeoutException e) {
        inFlight.cancel(true);
        fail(started, "timeout after " + timeoutMs + " ms");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        fail(started, Samples.reason(cause));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        fail(started, e.toString());
      }
    }

    void fail(long ts, String reason) {
      failures.incrementAndGet();
      log.warn("source {} failed: {}", source.name(), reason);
      publish(sourceError(samples, source.name(), ts, reason));
      for (Series s : seen.keySet()) {
        publish(samples.failed(s.metric(), s.group(), s.target(), ts, s.unit(), reason));
      }
    }
  }

  /**
   * The {@code collector.source.errors} sample of a failed round (or of the failed part of one):
   * value 1, error=true, the source and the reason in labels.
   */
  public static MetricSample sourceError(Samples samples, String source, long ts, String reason) {
    MetricSample err =
        samples.of(
            SOURCE_ERRORS,
            Group.UNKNOWN,
            source,
            ts,
            1,
            "errors",
            Map.of("source", source, "reason", reason));
    err.setError(true);
    return err;
  }

  public SourceRunner(String experimentId, List<? extends MetricSource> sources, SampleSink sink) {
    this.samples = new Samples(experimentId);
    this.sink = Objects.requireNonNull(sink);
    for (MetricSource s : sources) {
      if (s.timeout().compareTo(s.interval()) > 0) {
        throw new IllegalArgumentException(
            s.name() + ".timeout must not exceed " + s.name() + ".interval");
      }
      running.add(new Running(s));
    }
  }

  public void start() {
    // load the Avro classes now: their one-off initialisation must not time out a first round
    samples.of(SOURCE_ERRORS, Group.UNKNOWN, "warm-up", 0, 0, "");
    for (Running r : running) {
      r.source.start();
      long periodMs = r.source.interval().toMillis();
      r.ticker.scheduleAtFixedRate(r::round, periodMs, periodMs, TimeUnit.MILLISECONDS);
      log.info("source {} every {} ms", r.source.name(), periodMs);
    }
  }

  private void publish(MetricSample s) {
    if (closed) {
      return;
    }
    try {
      sink.publish(s);
      published.incrementAndGet();
    } catch (RuntimeException e) {
      log.warn("cannot publish {}: {}", s.getMetric(), e.toString());
    }
  }

  /** Samples handed to the sink so far. */
  public long published() {
    return published.get();
  }

  /** Rounds that produced samples, per source name. */
  public Map<String, Long> rounds() {
    Map<String, Long> out = new java.util.TreeMap<>();
    running.forEach(r -> out.put(r.source.name(), r.rounds.get()));
    return out;
  }

  /** Failed rounds, per source name. */
  public Map<String, Long> failures() {
    Map<String, Long> out = new java.util.TreeMap<>();
    running.forEach(r -> out.put(r.source.name(), r.failures.get()));
    return out;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, "collector-" + name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    closed = true;
    for (Running r : running) {
      r.ticker.shutdownNow();
      r.worker.shutdownNow();
      try {
        r.source.close();
      } catch (Exception e) {
        log.warn("closing source {}: {}", r.source.name(), e.toString());
      }
    }
  }
}
