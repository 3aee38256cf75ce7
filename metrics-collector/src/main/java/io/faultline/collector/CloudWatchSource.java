package io.faultline.collector;

import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

/**
 * CloudWatch GetMetricData: Container Insights pod metrics (CPU, memory, network) dimensioned by
 * cluster, namespace and each group's workload, and EC2 metrics of each group's Auto Scaling group.
 * Queries go in batches of at most 500 per call, pages follow NextToken, and the SDK's standard
 * retry mode handles throttling. The latest datapoint of each query becomes a sample, timestamped
 * with the datapoint's time; a query without data becomes an error sample.
 */
public final class CloudWatchSource implements MetricSource {

  /** GetMetricData accepts at most this many queries per call. */
  static final int MAX_QUERIES_PER_CALL = 500;

  /** A CloudWatch metric and the faultline name it is published under. */
  record Catalogue(
      String namespace, String cloudWatchName, String stat, String metric, String unit) {}

  static final List<Catalogue> CONTAINER_INSIGHTS =
      List.of(
          new Catalogue(
              "ContainerInsights", "pod_cpu_utilization", "Average", "cpu.utilization", "percent"),
          new Catalogue(
              "ContainerInsights",
              "pod_memory_utilization",
              "Average",
              "memory.utilization",
              "percent"),
          new Catalogue(
              "ContainerInsights",
              "pod_network_rx_bytes",
              "Average",
              "network.rx.bytes",
              "bytes/s"),
          new Catalogue(
              "ContainerInsights",
              "pod_network_tx_bytes",
              "Average",
              "network.tx.bytes",
              "bytes/s"),
          new Catalogue(
              "ContainerInsights",
              "pod_number_of_container_restarts",
              "Sum",
              "cw.pod.restarts",
              "restarts"));

  static final List<Catalogue> EC2 =
      List.of(
          new Catalogue("AWS/EC2", "CPUUtilization", "Average", "ec2.cpu.utilization", "percent"),
          new Catalogue("AWS/EC2", "NetworkIn", "Sum", "ec2.network.in.bytes", "bytes"),
          new Catalogue("AWS/EC2", "NetworkOut", "Sum", "ec2.network.out.bytes", "bytes"),
          new Catalogue("AWS/EC2", "StatusCheckFailed", "Maximum", "ec2.status.check.failed", ""));

  /**
   * Configuration of the CloudWatch source (keys {@code cloudwatch.*}). The group maps keep group
   * order (control first), so query ids are stable.
   */
  public record Settings(
      Region region,
      URI endpoint,
      String cluster,
      String namespace,
      Map<Group, String> workloads,
      Map<Group, String> autoScalingGroups,
      Duration period,
      Duration lookback,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      Map<Group, String> workloads = new EnumMap<>(Group.class);
      Map<Group, String> asgs = new EnumMap<>(Group.class);
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        String key = "cloudwatch.workload." + ConfigMap.groupValue(g);
        workloads.put(
            g,
            c.required(
                key,
                "the group's workload (PodName dimension), e.g. scale-" + ConfigMap.groupValue(g)));
        String asg = c.perGroup("cloudwatch.asg", g, null);
        if (asg != null) {
          asgs.put(g, asg);
        }
      }
      Duration period =
          c.duration("cloudwatch.period", "60s", Duration.ofSeconds(1), Duration.ofDays(1));
      if (period.getSeconds() % 60 != 0
          && !List.of(1L, 5L, 10L, 30L).contains(period.getSeconds())) {
        throw new IllegalArgumentException(
            "cloudwatch.period "
                + period.getSeconds()
                + "s: must be 1, 5, 10, 30 or a multiple of 60 seconds");
      }
      String endpoint = c.get("cloudwatch.endpoint", null);
      return new Settings(
          Region.of(c.get("cloudwatch.region", "us-east-1")),
          endpoint == null ? null : URI.create(endpoint),
          c.required("cloudwatch.cluster", "the EKS cluster name (ClusterName dimension)"),
          c.get("cloudwatch.namespace", "default"),
          Collections.unmodifiableMap(workloads),
          Collections.unmodifiableMap(asgs),
          period,
          c.duration("cloudwatch.lookback", "5m", period, Duration.ofDays(14)),
          c.duration("cloudwatch.interval", "60s", Duration.ofSeconds(1), Duration.ofHours(1)),
          c.duration("cloudwatch.timeout", "30s", Duration.ofMillis(100), Duration.ofHours(1)));
    }
  }

  /** What a query id stands for. */
  record Query(String id, Catalogue what, Group group, String target, MetricDataQuery query) {}

  private final Settings settings;
  private final Samples samples;
  private final CloudWatchClient client;
  private long calls;

  public CloudWatchSource(Settings settings, Samples samples) {
    this(settings, samples, DefaultCredentialsProvider.builder().build());
  }

  public CloudWatchSource(Settings settings, Samples samples, AwsCredentialsProvider credentials) {
    this.settings = settings;
    this.samples = samples;
    CloudWatchClientBuilder builder =
        CloudWatchClient.builder()
            .region(settings.region())
            .credentialsProvider(credentials)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.timeout())
                    .socketTimeout(settings.timeout())
                    .build())
            .overrideConfiguration(
                o -> o.retryStrategy(RetryMode.STANDARD).apiCallTimeout(settings.timeout()));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    this.client = builder.build();
  }

  @Override
  public String name() {
    return "cloudwatch";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  /** GetMetricData calls made so far (pages included). */
  public long calls() {
    return calls;
  }

  List<Query> queries() {
    List<Query> out = new ArrayList<>();
    int period = (int) settings.period().getSeconds();
    for (Map.Entry<Group, String> w : settings.workloads().entrySet()) {
      List<Dimension> dims =
          List.of(
              dim("ClusterName", settings.cluster()),
              dim("Namespace", settings.namespace()),
              dim("PodName", w.getValue()));
      for (Catalogue c : CONTAINER_INSIGHTS) {
        out.add(query(out.size(), c, w.getKey(), w.getValue(), dims, period));
      }
    }
    for (Map.Entry<Group, String> a : settings.autoScalingGroups().entrySet()) {
      List<Dimension> dims = List.of(dim("AutoScalingGroupName", a.getValue()));
      for (Catalogue c : EC2) {
        out.add(query(out.size(), c, a.getKey(), a.getValue(), dims, period));
      }
    }
    return out;
  }

  static Query query(
      int index, Catalogue c, Group group, String target, List<Dimension> dims, int period) {
    String id = "q" + index;
    MetricDataQuery q =
        MetricDataQuery.builder()
            .id(id)
            .returnData(true)
            .metricStat(
                MetricStat.builder()
                    .metric(
                        Metric.builder()
                            .namespace(c.namespace())
                            .metricName(c.cloudWatchName())
                            .dimensions(dims)
                            .build())
                    .period(period)
                    .stat(c.stat())
                    .build())
            .build();
    return new Query(id, c, group, target, q);
  }

  private static Dimension dim(String name, String value) {
    return Dimension.builder().name(name).value(value).build();
  }

  @Override
  public List<MetricSample> collect() {
    return collect(queries());
  }

  List<MetricSample> collect(List<Query> queries) {
    long now = System.currentTimeMillis();
    long period = settings.period().toMillis();
    Instant end = Instant.ofEpochMilli(now / period * period);
    Instant start = end.minus(settings.lookback());
    Map<String, Query> byId = new HashMap<>();
    queries.forEach(q -> byId.put(q.id(), q));
    Map<String, Instant> latestTime = new HashMap<>();
    Map<String, Double> latestValue = new HashMap<>();
    for (int from = 0; from < queries.size(); from += MAX_QUERIES_PER_CALL) {
      List<MetricDataQuery> batch =
          queries.subList(from, Math.min(queries.size(), from + MAX_QUERIES_PER_CALL)).stream()
              .map(Query::query)
              .toList();
      String token = null;
      do {
        GetMetricDataResponse response =
            client.getMetricData(
                GetMetricDataRequest.builder()
                    .startTime(start)
                    .endTime(end)
                    .scanBy(ScanBy.TIMESTAMP_DESCENDING)
                    .metricDataQueries(batch)
                    .nextToken(token)
                    .build());
        calls++;
        for (MetricDataResult r : response.metricDataResults()) {
          List<Instant> times = r.timestamps();
          List<Double> values = r.values();
          for (int i = 0; i < Math.min(times.size(), values.size()); i++) {
            Instant seen = latestTime.get(r.id());
            if (seen == null || times.get(i).isAfter(seen)) {
              latestTime.put(r.id(), times.get(i));
              latestValue.put(r.id(), values.get(i));
            }
          }
        }
        token = response.nextToken();
      } while (token != null && !token.isEmpty());
    }
    List<MetricSample> out = new ArrayList<>();
    for (Query q : queries) {
      Instant t = latestTime.get(q.id());
      out.add(
          t == null
              ? samples.failed(
                  q.what().metric(), q.group(), q.target(), now, q.what().unit(), "no datapoints")
              : samples.of(
                  q.what().metric(),
                  q.group(),
                  q.target(),
                  t.toEpochMilli(),
                  latestValue.get(q.id()),
                  q.what().unit(),
                  Map.of("cloudwatch", q.what().namespace() + "/" + q.what().cloudWatchName())));
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
