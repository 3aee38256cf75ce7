package io.faultline.collector;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.MetricSample;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * PutMetricData of samples (faultline's own or derived metrics) so CloudWatch dashboards and alarms
 * can use them: batched, at most {@link #MAX_PER_CALL} datums per call, flushed when a batch is
 * full, every flush interval and on close. Dimensions: Experiment, Group, Target. Error samples and
 * non-finite values are not sent (CloudWatch rejects NaN).
 */
public final class CloudWatchMetricPublisher implements SampleSink {

  /** Where to put (keys {@code cloudwatch.put.*}; off unless the namespace is set). */
  public record Settings(
      String namespace, Region region, URI endpoint, Duration flushInterval, boolean derived) {

    static Settings fromMap(ConfigMap c) {
      boolean derived = c.bool("cloudwatch.put.derived", "false");
      if (!c.has("cloudwatch.put.namespace")) {
        if (derived) {
          throw new IllegalArgumentException(
              "cloudwatch.put.derived: needs cloudwatch.put.namespace (where to put them)");
        }
        return null;
      }
      String endpoint = c.get("cloudwatch.endpoint", null);
      return new Settings(
          c.get("cloudwatch.put.namespace", null),
          Region.of(c.get("cloudwatch.region", "us-east-1")),
          endpoint == null ? null : URI.create(endpoint),
          c.duration("cloudwatch.put.interval", "10s", Duration.ofMillis(100), Duration.ofHours(1)),
          derived);
    }
  }

  /** PutMetricData accepts up to 1,000 metrics per request. */
  static final int MAX_PER_CALL = 1000;

  private static final Logger log = LoggerFactory.getLogger(CloudWatchMetricPublisher.class);

  private final CloudWatchClient client;
  private final String namespace;
  private final List<MetricDatum> pending = new ArrayList<>();
  private final ScheduledExecutorService flusher;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public CloudWatchMetricPublisher(
      String namespace,
      Region region,
      URI endpoint,
      AwsCredentialsProvider credentials,
      Duration flushInterval) {
    if (namespace == null || namespace.isBlank() || namespace.startsWith("AWS/")) {
      throw new IllegalArgumentException(
          "cloudwatch.put.namespace '" + namespace + "': required, and must not start with AWS/");
    }
    this.namespace = namespace;
    CloudWatchClientBuilder builder =
        CloudWatchClient.builder()
            .region(region)
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.builder().build())
            .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD));
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    this.client = builder.build();
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cloudwatch-put"));
    long ms = flushInterval.toMillis();
    flusher.scheduleWithFixedDelay(this::flush, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void publish(MetricSample s) {
    if (s.getError() || !Double.isFinite(s.getValue())) {
      return;
    }
    MetricDatum datum =
        MetricDatum.builder()
            .metricName(s.getMetric())
            .timestamp(Instant.ofEpochMilli(s.getTimestamp()))
            .value(s.getValue())
            .unit(unit(s.getUnit()))
            .dimensions(
                dim("Experiment", s.getExperimentId()),
                dim("Group", s.getGroup().name()),
                dim("Target", s.getTarget().isEmpty() ? "-" : s.getTarget()))
            .build();
    List<MetricDatum> full = null;
    synchronized (pending) {
      pending.add(datum);
      if (pending.size() >= MAX_PER_CALL) {
        full = new ArrayList<>(pending);
        pending.clear();
      }
    }
    if (full != null) {
      send(full);
    }
  }

  /** Sends whatever is buffered. */
  public void flush() {
    List<MetricDatum> batch;
    synchronized (pending) {
      batch = new ArrayList<>(pending);
      pending.clear();
    }
    for (int from = 0; from < batch.size(); from += MAX_PER_CALL) {
      send(batch.subList(from, Math.min(batch.size(), from + MAX_PER_CALL)));
    }
  }

  private void send(List<MetricDatum> batch) {
    try {
      client.putMetricData(
          PutMetricDataRequest.builder().namespace(namespace).metricData(batch).build());
      calls.incrementAndGet();
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      log.warn("PutMetricData of {} datums failed: {}", batch.size(), e.toString());
    }
  }

  static StandardUnit unit(String unit) {
    return switch (unit) {
      case "ms" -> StandardUnit.MILLISECONDS;
      case "bytes" -> StandardUnit.BYTES;
      case "bytes/s" -> StandardUnit.BYTES_SECOND;
      case "percent" -> StandardUnit.PERCENT;
      case "requests",
          "errors",
          "responses",
          "pods",
          "nodes",
          "restarts",
          "processes",
          "stack traces",
          "alerts" ->
          StandardUnit.COUNT;
      default -> StandardUnit.NONE;
    };
  }

  private static Dimension dim(String name, String value) {
    return Dimension.builder().name(name).value(value).build();
  }

  /** Successful PutMetricData calls so far. */
  public long calls() {
    return calls.get();
  }

  /** Failed PutMetricData calls so far (after the SDK's retries). */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    flusher.shutdownNow();
    flush();
    client.close();
  }
}
