package io.faultline.collector;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.util.ArrayList;
import java.util.EnumMap;
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
 * Runs several sources at once, each on its own cadence and threads. Every round publishes, per
 * group, a {@code collector.source.errors} sample: the number of the round's error samples (a
 * source's partial failures), 0 when clean. A round that throws, times out or is still running when
 * the next one is due counts 1 and publishes an error sample (value NaN, error=true) for every
 * series the source produced before, instead of leaving a silent gap; the other sources keep their
 * cadence.
 */
public final class SourceRunner implements AutoCloseable {

  public static final String SOURCE_ERRORS = "collector.source.errors";

  private static final Logger log = LoggerFactory.getLogger(SourceRunner.class);

  private final Samples samples;
  private final SampleSink sink;
  private final CollectorMetrics metrics;
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
        Map<Group, Integer> errors = new EnumMap<>(Group.class);
        Map<Group, String> reasons = new EnumMap<>(Group.class);
        for (MetricSample s : out) {
          if (s.getError()) {
            errors.merge(s.getGroup(), 1, Integer::sum);
            reasons.putIfAbsent(s.getGroup(), s.getLabels().getOrDefault("reason", ""));
          } else {
            seen.putIfAbsent(
                new Series(s.getMetric(), s.getGroup(), s.getTarget(), s.getUnit()), true);
          }
          publish(s);
        }
        int failed = errors.values().stream().mapToInt(Integer::intValue).sum();
        metrics.round(source.name(), out.size() - failed, failed);
        if (!errors.isEmpty()) {
          failures.incrementAndGet();
          log.warn("source {} failed in part: {}", source.name(), reasons);
        }
        for (Group g : GROUPS) {
          publish(
              sourceErrors(
                  samples,
                  source.name(),
                  g,
                  System.currentTimeMillis(),
                  errors.getOrDefault(g, 0),
                  reasons.get(g)));
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
      metrics.failed(source.name());
      log.warn("source {} failed: {}", source.name(), reason);
      for (Group g : GROUPS) {
        publish(sourceErrors(samples, source.name(), g, ts, 1, reason));
      }
      for (Series s : seen.keySet()) {
        publish(samples.failed(s.metric(), s.group(), s.target(), ts, s.unit(), reason));
      }
    }
  }

  private static final List<Group> GROUPS = List.of(Group.CONTROL, Group.EXPERIMENTAL);

  /**
   * The {@code collector.source.errors} sample of one round and group: how many of its observations
   * failed (1 for a whole failed round, 0 for a clean one). An ordinary, finite, grouped sample, so
   * the analyzer can judge it like any count; the reason is in the labels.
   */
  static MetricSample sourceErrors(
      Samples samples, String source, Group group, long ts, int count, String reason) {
    Map<String, String> labels = new java.util.TreeMap<>();
    labels.put("source", source);
    if (reason != null) {
      labels.put("reason", reason);
    }
    return samples.of(SOURCE_ERRORS, group, source, ts, count, "errors", labels);
  }

  public SourceRunner(String experimentId, List<? extends MetricSource> sources, SampleSink sink) {
    this(experimentId, sources, sink, CollectorMetrics.unscraped());
  }

  /** A runner that counts its sources' samples and errors into {@code metrics}. */
  public SourceRunner(
      String experimentId,
      List<? extends MetricSource> sources,
      SampleSink sink,
      CollectorMetrics metrics) {
    this.samples = new Samples(experimentId);
    this.sink = Objects.requireNonNull(sink);
    this.metrics = metrics;
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
    return DaemonThreads.named("collector-" + name).newThread(r);
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
