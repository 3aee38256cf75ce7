package io.faultline.collector;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 * cluster, namespace and each group's workload; Container Insights node metrics of each group's
 * nodes (a static list, and the nodes a label selector matches, listed through fabric8 at every
 * round); and EC2 metrics of each group's Auto Scaling group. Queries go in batches of at most 500
 * per call, pages follow NextToken, and the SDK's standard retry mode handles throttling. The
 * latest datapoint of each query becomes a sample, timestamped with the datapoint's time; a query
 * without data, and a selected node that cannot be queried, become error samples.
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

  /** Per node: Container Insights publishes these by ClusterName, InstanceId and NodeName. */
  static final List<Catalogue> NODES =
      List.of(
          new Catalogue(
              "ContainerInsights",
              "node_cpu_utilization",
              "Average",
              "node.cpu.utilization",
              "percent"),
          new Catalogue(
              "ContainerInsights",
              "node_memory_utilization",
              "Average",
              "node.memory.utilization",
              "percent"),
          new Catalogue(
              "ContainerInsights",
              "node_network_total_bytes",
              "Average",
              "node.network.bytes",
              "bytes/s"),
          new Catalogue(
              "ContainerInsights",
              "node_filesystem_utilization",
              "Average",
              "node.filesystem.utilization",
              "percent"),
          new Catalogue(
              "ContainerInsights",
              "node_number_of_running_pods",
              "Average",
              "node.pods.running",
              "pods"));

  static final List<Catalogue> EC2 =
      List.of(
          new Catalogue("AWS/EC2", "CPUUtilization", "Average", "ec2.cpu.utilization", "percent"),
          new Catalogue("AWS/EC2", "NetworkIn", "Sum", "ec2.network.in.bytes", "bytes"),
          new Catalogue("AWS/EC2", "NetworkOut", "Sum", "ec2.network.out.bytes", "bytes"),
          new Catalogue("AWS/EC2", "StatusCheckFailed", "Maximum", "ec2.status.check.failed", ""));

  /** A worker node as Container Insights names it: NodeName and the EC2 instance's InstanceId. */
  public record WorkerNode(String name, String instanceId) {}

  static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]+");

  /**
   * Configuration of the CloudWatch source (keys {@code cloudwatch.*}). The group maps keep group
   * order (control first), so query ids are stable. A group has at least one of a workload, an Auto
   * Scaling group, static nodes or a node selector. The node selectors are listed with a client of
   * {@code kubernetesMaster} (else kubeconfig / in-cluster), {@code kubernetesTimeout} per request.
   */
  public record Settings(
      Region region,
      URI endpoint,
      String cluster,
      String namespace,
      Map<Group, String> workloads,
      Map<Group, String> autoScalingGroups,
      Map<Group, List<WorkerNode>> nodes,
      Map<Group, Map<String, String>> nodeSelectors,
      String kubernetesMaster,
      Duration kubernetesTimeout,
      Duration period,
      Duration lookback,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      Map<Group, String> workloads = new EnumMap<>(Group.class);
      Map<Group, String> asgs = new EnumMap<>(Group.class);
      Map<Group, List<WorkerNode>> nodes = new EnumMap<>(Group.class);
      Map<Group, Map<String, String>> selectors = new EnumMap<>(Group.class);
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        String v = ConfigMap.groupValue(g);
        String workload = c.perGroup("cloudwatch.workload", g, null);
        if (workload != null) {
          workloads.put(g, workload);
        }
        String asg = c.perGroup("cloudwatch.asg", g, null);
        if (asg != null) {
          asgs.put(g, asg);
        }
        List<WorkerNode> listed = workerNodes(c, "cloudwatch.nodes." + v);
        if (!listed.isEmpty()) {
          nodes.put(g, listed);
        }
        Map<String, String> selector = c.labels("cloudwatch.node.selector." + v, Map.of());
        if (!selector.isEmpty()) {
          selectors.put(g, selector);
        }
        if (workload == null && asg == null && listed.isEmpty() && selector.isEmpty()) {
          throw new IllegalArgumentException(
              String.format(
                  "cloudwatch.workload.%1$s, cloudwatch.asg.%1$s, cloudwatch.nodes.%1$s or"
                      + " cloudwatch.node.selector.%1$s: one is required (the workload as PodName,"
                      + " e.g. scale-%1$s; an Auto Scaling group; nodes as"
                      + " NodeName@InstanceId,...; or a node label selector key=value,...)",
                  v));
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
          Collections.unmodifiableMap(nodes),
          Collections.unmodifiableMap(selectors),
          selectors.isEmpty() ? null : c.get("kubernetes.master", null),
          selectors.isEmpty() ? null : KubernetesSource.Settings.timeout(c),
          period,
          c.duration("cloudwatch.lookback", "5m", period, Duration.ofDays(14)),
          c.duration("cloudwatch.interval", "60s", Duration.ofSeconds(1), Duration.ofHours(1)),
          c.duration("cloudwatch.timeout", "30s", Duration.ofMillis(100), Duration.ofHours(1)));
    }

    /** {@code NodeName@InstanceId,...}; empty when the key is absent. */
    static List<WorkerNode> workerNodes(ConfigMap c, String key) {
      List<WorkerNode> out = new ArrayList<>();
      for (String entry : c.get(key, "").split(",")) {
        String text = entry.strip();
        if (text.isEmpty()) {
          continue;
        }
        int at = text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
          throw new IllegalArgumentException(
              key
                  + " entry '"
                  + text
                  + "': expected NodeName@InstanceId, e.g. ip-10-0-1-5.ec2.internal@i-0abc123");
        }
        String instanceId = text.substring(at + 1).strip();
        if (!INSTANCE_ID.matcher(instanceId).matches()) {
          throw new IllegalArgumentException(
              key
                  + " entry '"
                  + text
                  + "': instance id '"
                  + instanceId
                  + "' must be i- and lower-case hex digits, e.g. i-0abc123");
        }
        out.add(new WorkerNode(text.substring(0, at).strip(), instanceId));
      }
      return List.copyOf(out);
    }
  }

  /** What a query id stands for. */
  record Query(String id, Catalogue what, Group group, String target, MetricDataQuery query) {}

  private final Settings settings;
  private final Samples samples;
  private final CloudWatchClient client;
  private final KubernetesClient kubernetes;
  private final boolean ownsKubernetes;
  private long calls;

  public CloudWatchSource(Settings settings, Samples samples) {
    this(settings, samples, DefaultCredentialsProvider.builder().build());
  }

  /** With these credentials; a Kubernetes client for the node selectors only if any is set. */
  public CloudWatchSource(Settings settings, Samples samples, AwsCredentialsProvider credentials) {
    this(
        settings,
        samples,
        credentials,
        settings.nodeSelectors().isEmpty()
            ? null
            : KubernetesSource.client(settings.kubernetesMaster(), settings.kubernetesTimeout()),
        true);
  }

  /** With a Kubernetes client made elsewhere (a mock server's, in tests) for the node selectors. */
  public CloudWatchSource(
      Settings settings,
      Samples samples,
      AwsCredentialsProvider credentials,
      KubernetesClient kubernetes) {
    this(settings, samples, credentials, kubernetes, false);
  }

  private CloudWatchSource(
      Settings settings,
      Samples samples,
      AwsCredentialsProvider credentials,
      KubernetesClient kubernetes,
      boolean ownsKubernetes) {
    this.settings = settings;
    this.samples = samples;
    this.kubernetes = kubernetes;
    this.ownsKubernetes = ownsKubernetes;
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

  /** The round's queries: workloads, Auto Scaling groups, then each group's nodes. */
  List<Query> queries(Map<Group, List<WorkerNode>> nodes) {
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
    for (Map.Entry<Group, List<WorkerNode>> g : nodes.entrySet()) {
      for (WorkerNode n : g.getValue()) {
        List<Dimension> dims =
            List.of(
                dim("ClusterName", settings.cluster()),
                dim("InstanceId", n.instanceId()),
                dim("NodeName", n.name()));
        for (Catalogue c : NODES) {
          out.add(query(out.size(), c, g.getKey(), n.name(), dims, period));
        }
      }
    }
    return out;
  }

  /**
   * Each group's nodes in name order: its static list, and the nodes its selector matches now. A
   * selected node without an EC2 instance in spec.providerID, a selector that matches no node, and
   * a failed node list add error samples to {@code errors}.
   */
  Map<Group, List<WorkerNode>> nodes(long now, List<MetricSample> errors) {
    Map<Group, List<WorkerNode>> out = new EnumMap<>(Group.class);
    for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
      Map<String, WorkerNode> byName = new TreeMap<>();
      settings.nodes().getOrDefault(g, List.of()).forEach(n -> byName.putIfAbsent(n.name(), n));
      Map<String, String> selector = settings.nodeSelectors().get(g);
      if (selector != null) {
        String text =
            selector.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        try {
          List<Node> listed = kubernetes.nodes().withLabels(selector).list().getItems();
          if (listed.isEmpty()) {
            failedNodes(g, text, now, "no node matches the selector " + text, errors);
          }
          for (Node node : listed) {
            String name = node.getMetadata().getName();
            String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
            String instanceId = instanceId(providerId);
            if (instanceId == null) {
              failedNodes(
                  g,
                  name,
                  now,
                  "spec.providerID "
                      + (providerId == null ? "unset" : "'" + providerId + "'")
                      + ": not an EC2 instance (aws:///<zone>/i-...)",
                  errors);
            } else {
              byName.putIfAbsent(name, new WorkerNode(name, instanceId));
            }
          }
        } catch (KubernetesClientException e) {
          failedNodes(g, text, now, "node list " + text + ": " + Samples.reason(e), errors);
        }
      }
      if (!byName.isEmpty()) {
        out.put(g, List.copyOf(byName.values()));
      }
    }
    return out;
  }

  private void failedNodes(
      Group group, String target, long now, String reason, List<MetricSample> errors) {
    for (Catalogue c : NODES) {
      errors.add(samples.failed(c.metric(), group, target, now, c.unit(), reason));
    }
  }

  /** The EC2 instance of a node's spec.providerID {@code aws:///us-east-1a/i-0abc123}, or null. */
  static String instanceId(String providerId) {
    if (providerId == null || !providerId.startsWith("aws://")) {
      return null;
    }
    String last = providerId.substring(providerId.lastIndexOf('/') + 1);
    return INSTANCE_ID.matcher(last).matches() ? last : null;
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
    List<MetricSample> unresolved = new ArrayList<>();
    Map<Group, List<WorkerNode>> nodes = nodes(System.currentTimeMillis(), unresolved);
    List<MetricSample> out = collect(queries(nodes));
    out.addAll(unresolved);
    return out;
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
    if (ownsKubernetes && kubernetes != null) {
      kubernetes.close();
    }
  }
}
