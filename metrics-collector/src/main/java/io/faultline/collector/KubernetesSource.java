package io.faultline.collector;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes through fabric8, per group (pods labelled {@code faultline.io/group=<group>}): pods
 * ready and not ready, restarts, phase; the conditions of the nodes the group runs on; CPU and
 * memory from metrics.k8s.io; and {@code app.exceptions}, the stack traces in the group's container
 * logs since the previous round. Read-only: the verbs are listed in
 * faultline/rbac/metrics-collector.yaml.
 */
public final class KubernetesSource implements MetricSource {

  /** How one group's pods are found: a namespace and an equality label selector. */
  public record Selection(String namespace, Map<String, String> labels) {}

  /**
   * Configuration of the Kubernetes source (keys {@code kubernetes.*}). {@code groups} keeps group
   * order (control first).
   */
  public record Settings(
      String masterUrl,
      Map<Group, Selection> groups,
      boolean usage,
      boolean logs,
      Duration interval,
      Duration timeout) {

    static Settings fromMap(ConfigMap c) {
      String namespace = c.get("kubernetes.namespace", "default");
      String label = c.get("kubernetes.group.label", "faultline.io/group");
      Map<Group, Selection> groups = new EnumMap<>(Group.class);
      for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
        String value = c.perGroup("kubernetes.group", g, ConfigMap.groupValue(g));
        Map<String, String> labels =
            c.labels("kubernetes.selector." + ConfigMap.groupValue(g), Map.of(label, value));
        groups.put(g, new Selection(c.perGroup("kubernetes.namespace", g, namespace), labels));
      }
      if (groups.get(Group.CONTROL).equals(groups.get(Group.EXPERIMENTAL))) {
        throw new IllegalArgumentException(
            "kubernetes.selector.control and kubernetes.selector.experimental: both groups select"
                + " the same pods "
                + groups.get(Group.CONTROL)
                + "; give each group its own namespace or labels");
      }
      return new Settings(
          c.get("kubernetes.master", null),
          Collections.unmodifiableMap(groups),
          c.bool("kubernetes.usage", "true"),
          c.bool("kubernetes.logs", "true"),
          c.duration("kubernetes.interval", "10s", Duration.ofMillis(100), Duration.ofHours(1)),
          timeout(c));
    }

    /** {@code kubernetes.timeout}: per API request; also the CloudWatch source's node lookup. */
    static Duration timeout(ConfigMap c) {
      return c.duration("kubernetes.timeout", "5s", Duration.ofMillis(10), Duration.ofHours(1));
    }
  }

  static final List<String> PHASES =
      List.of("Pending", "Running", "Succeeded", "Failed", "Unknown");

  /** A Java frame ("\tat a.b.C.m(C.java:1)") or a Python traceback header. */
  private static final Pattern JAVA_FRAME = Pattern.compile("^\\s+at [\\w$.<>/]+\\(.*\\)\\s*$");

  private static final String PYTHON_TRACEBACK = "Traceback (most recent call last):";

  private final Settings settings;
  private final Samples samples;
  private final KubernetesClient client;
  private final boolean ownsClient;
  private final Clock clock;
  private Instant logsSince;

  public KubernetesSource(Settings settings, Samples samples) {
    this(
        settings,
        samples,
        client(settings.masterUrl(), settings.timeout()),
        true,
        Clock.systemUTC());
  }

  /** With a client made elsewhere (a mock server's, in tests) and a clock for the log windows. */
  public KubernetesSource(
      Settings settings, Samples samples, KubernetesClient client, Clock clock) {
    this(settings, samples, client, false, clock);
  }

  private KubernetesSource(
      Settings settings,
      Samples samples,
      KubernetesClient client,
      boolean ownsClient,
      Clock clock) {
    this.settings = settings;
    this.samples = samples;
    this.client = client;
    this.ownsClient = ownsClient;
    this.clock = clock;
  }

  /**
   * A client of {@code masterUrl}, else of the kubeconfig or the in-cluster service account, with
   * {@code timeout} per request and no retries (a failing API shows in the round it failed).
   */
  static KubernetesClient client(String masterUrl, Duration timeout) {
    ConfigBuilder config = new ConfigBuilder(Config.autoConfigure(null));
    if (masterUrl != null) {
      config.withMasterUrl(masterUrl);
    }
    int ms = (int) timeout.toMillis();
    config.withRequestTimeout(ms).withConnectionTimeout(ms).withRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(config.build()).build();
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public Duration interval() {
    return settings.interval();
  }

  @Override
  public List<MetricSample> collect() {
    long ts = clock.millis();
    Instant now = Instant.ofEpochMilli(ts).truncatedTo(ChronoUnit.SECONDS);
    Instant since = logsSince == null ? now.minus(settings.interval()) : logsSince;
    List<MetricSample> out = new ArrayList<>();
    Map<String, Node> nodes = new HashMap<>();
    for (Node n : client.nodes().list().getItems()) {
      nodes.put(n.getMetadata().getName(), n);
    }
    for (Map.Entry<Group, Selection> g : settings.groups().entrySet()) {
      Group group = g.getKey();
      Selection selection = g.getValue();
      String ns = selection.namespace();
      String target = ConfigMap.groupValue(group);
      List<Pod> pods =
          client.pods().inNamespace(ns).withLabels(selection.labels()).list().getItems();
      pods(group, target, pods, ts, out);
      nodes(group, target, pods, nodes, ts, out);
      if (settings.usage()) {
        try {
          usage(group, target, selection, ts, out);
        } catch (KubernetesClientException e) {
          out.add(
              samples.failed(
                  "cpu.usage.cores",
                  group,
                  target,
                  ts,
                  "cores",
                  "metrics.k8s.io: " + Samples.reason(e)));
          out.add(
              samples.failed("memory.usage.bytes", group, target, ts, "bytes", Samples.reason(e)));
        }
      }
      if (settings.logs()) {
        long traces = 0;
        int failedLogs = 0;
        String logError = null;
        for (Pod pod : pods) {
          for (Container c : pod.getSpec().getContainers()) {
            try {
              // a plain GET of pods/log: fabric8's getLog() first waits for the pod to be ready
              // through a list + watch (a verb the collector's Role does not grant), and blocks
              // on a pending pod for its ready timeout every round
              String log =
                  client.raw(
                      "/api/v1/namespaces/"
                          + enc(ns)
                          + "/pods/"
                          + enc(pod.getMetadata().getName())
                          + "/log?pretty=false&container="
                          + enc(c.getName())
                          + "&sinceTime="
                          + since);
              traces += stackTraces(log);
            } catch (KubernetesClientException e) {
              failedLogs++;
              logError = "log of " + pod.getMetadata().getName() + ": " + Samples.reason(e);
            }
          }
        }
        out.add(
            failedLogs > 0
                ? samples.failed(
                    "app.exceptions",
                    group,
                    target,
                    ts,
                    "stack traces",
                    failedLogs + " logs unreadable; " + logError)
                : samples.of("app.exceptions", group, target, ts, traces, "stack traces"));
      }
    }
    logsSince = now;
    return out;
  }

  private void pods(Group group, String target, List<Pod> pods, long ts, List<MetricSample> out) {
    int ready = 0;
    long restarts = 0;
    Map<String, Integer> phases = new HashMap<>();
    for (Pod pod : pods) {
      boolean isReady = false;
      if (pod.getStatus() != null) {
        for (PodCondition c : nullToEmpty(pod.getStatus().getConditions())) {
          if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
            isReady = true;
          }
        }
        for (ContainerStatus cs : nullToEmpty(pod.getStatus().getContainerStatuses())) {
          restarts += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
        }
        String phase = pod.getStatus().getPhase() == null ? "Unknown" : pod.getStatus().getPhase();
        phases.merge(phase, 1, Integer::sum);
      }
      ready += isReady ? 1 : 0;
    }
    out.add(samples.of("pods.ready", group, target, ts, ready, "pods"));
    out.add(samples.of("pods.not_ready", group, target, ts, pods.size() - ready, "pods"));
    out.add(samples.of("pod.restarts", group, target, ts, restarts, "restarts"));
    for (String phase : PHASES) {
      out.add(
          samples.of(
              "pods.phase." + phase.toLowerCase(Locale.ROOT),
              group,
              target,
              ts,
              phases.getOrDefault(phase, 0),
              "pods"));
    }
  }

  /** Conditions of the nodes that run the group's pods (a zone attack shows here first). */
  private void nodes(
      Group group,
      String target,
      List<Pod> pods,
      Map<String, Node> nodes,
      long ts,
      List<MetricSample> out) {
    Set<String> names = new HashSet<>();
    for (Pod pod : pods) {
      if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
        names.add(pod.getSpec().getNodeName());
      }
    }
    int ready = 0;
    int pressure = 0;
    int unschedulable = 0;
    for (String name : names) {
      Node node = nodes.get(name);
      if (node == null) {
        continue; // deleted: counts as not ready
      }
      if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
        unschedulable++;
      }
      boolean underPressure = false;
      if (node.getStatus() != null) {
        for (NodeCondition c : nullToEmpty(node.getStatus().getConditions())) {
          if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
            ready++;
          } else if (c.getType() != null
              && c.getType().endsWith("Pressure")
              && "True".equals(c.getStatus())) {
            underPressure = true;
          }
        }
      }
      pressure += underPressure ? 1 : 0;
    }
    out.add(samples.of("nodes.ready", group, target, ts, ready, "nodes"));
    out.add(samples.of("nodes.not_ready", group, target, ts, names.size() - ready, "nodes"));
    out.add(samples.of("nodes.unschedulable", group, target, ts, unschedulable, "nodes"));
    out.add(samples.of("nodes.pressure", group, target, ts, pressure, "nodes"));
  }

  private void usage(
      Group group, String target, Selection selection, long ts, List<MetricSample> out) {
    double cores = 0;
    double bytes = 0;
    for (PodMetrics pm :
        client
            .top()
            .pods()
            .inNamespace(selection.namespace())
            .withLabels(selection.labels())
            .metrics()
            .getItems()) {
      for (ContainerMetrics cm : nullToEmpty(pm.getContainers())) {
        Quantity cpu = cm.getUsage() == null ? null : cm.getUsage().get("cpu");
        Quantity mem = cm.getUsage() == null ? null : cm.getUsage().get("memory");
        cores += cpu == null ? 0 : cpu.getNumericalAmount().doubleValue();
        bytes += mem == null ? 0 : mem.getNumericalAmount().doubleValue();
      }
    }
    out.add(samples.of("cpu.usage.cores", group, target, ts, cores, "cores"));
    out.add(samples.of("memory.usage.bytes", group, target, ts, bytes, "bytes"));
  }

  /** Stack traces in a log text: each run of Java frame lines, and each Python traceback. */
  static long stackTraces(String log) {
    if (log == null || log.isEmpty()) {
      return 0;
    }
    long count = 0;
    boolean inFrames = false;
    for (String line : log.split("\n")) {
      if (line.startsWith(PYTHON_TRACEBACK)) {
        count++;
        inFrames = false;
        continue;
      }
      boolean frame = JAVA_FRAME.matcher(line).matches();
      if (frame && !inFrames) {
        count++;
      }
      // "Caused by:" and "... 5 more" continue the same trace
      inFrames =
          frame || (inFrames && (line.startsWith("Caused by:") || line.strip().startsWith("...")));
    }
    return count;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  private static String enc(String pathOrQueryPart) {
    return java.net.URLEncoder.encode(pathOrQueryPart, java.nio.charset.StandardCharsets.UTF_8);
  }
}
