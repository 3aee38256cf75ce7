package io.faultline.collector;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Group;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The collector's configuration, validated once (keys documented in metrics-collector/README.md).
 * {@code sources} chooses the sources; each chosen source's settings are read and checked here, the
 * others are null.
 */
public record CollectorConfig(
    String bootstrapServers,
    String topicsPrefix,
    String experimentId,
    Set<String> sources,
    double rps,
    int concurrency,
    Map<Group, HttpLoadProbe.Load> loads,
    Duration timeout,
    Duration interval,
    Duration duration,
    List<ProbeTarget> targets,
    PrometheusQuerySource.Settings prometheus,
    PrometheusScrapeSource.Settings scrape,
    KubernetesSource.Settings kubernetes,
    CloudWatchSource.Settings cloudwatch,
    HostSource.Settings host,
    SparkSource.Settings spark,
    CloudWatchMetricPublisher.Settings cloudwatchPut,
    Map<String, String> kafka) {

  /** Every source the collector knows, in the order they start. */
  public static final List<String> SOURCES =
      List.of("http", "prometheus", "scrape", "kubernetes", "cloudwatch", "host", "spark");

  public static CollectorConfig fromMap(Map<String, String> map) {
    ConfigMap c = new ConfigMap(map);
    String bootstrap = c.required("bootstrap.servers", "e.g. 127.0.0.1:9092");
    String experiment = c.required("experiment.id", "the experiment the samples belong to");
    Set<String> sources = new LinkedHashSet<>();
    for (String s : c.get("sources", "http").split(",")) {
      String name = s.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (!SOURCES.contains(name)) {
        throw new IllegalArgumentException(
            "sources: unknown source '"
                + s.strip()
                + "' (allowed: "
                + String.join(", ", SOURCES)
                + ")");
      }
      sources.add(name);
    }
    if (sources.isEmpty()) {
      throw new IllegalArgumentException(
          "sources: at least one is needed (allowed: " + String.join(", ", SOURCES) + ")");
    }
    double rps = c.number("probe.rps", "20", 0.001, 100_000);
    int concurrency = c.wholeNumber("probe.concurrency", "50", 1, 100_000);
    Map<Group, HttpLoadProbe.Load> loads = new EnumMap<>(Group.class);
    for (Group g : List.of(Group.CONTROL, Group.EXPERIMENTAL)) {
      String suffix = "." + ConfigMap.groupValue(g);
      loads.put(
          g,
          new HttpLoadProbe.Load(
              c.number("probe.rps" + suffix, Double.toString(rps), 0.001, 100_000),
              c.wholeNumber(
                  "probe.concurrency" + suffix, Integer.toString(concurrency), 1, 100_000)));
    }
    Duration timeout = c.duration("probe.timeout", "2s", Duration.ofMillis(1), null);
    Duration interval = c.duration("probe.interval", "1s", Duration.ofMillis(100), null);
    Duration duration = c.duration("probe.duration", "0s", Duration.ZERO, null); // 0: until stopped
    List<ProbeTarget> targets = new ArrayList<>();
    if (sources.contains("http")) {
      String targetList =
          c.required(
              "probe.targets",
              "GROUP=name@url,... e.g. CONTROL=scale-control@http://127.0.0.1:8081/health");
      for (String entry : targetList.split(",")) {
        if (!entry.isBlank()) {
          targets.add(ProbeTarget.parse(entry.strip()));
        }
      }
    }
    return new CollectorConfig(
        bootstrap,
        c.get("topics.prefix", Topics.DEFAULT_PREFIX),
        experiment,
        Set.copyOf(sources),
        rps,
        concurrency,
        Map.copyOf(loads),
        timeout,
        interval,
        duration,
        List.copyOf(targets),
        sources.contains("prometheus") ? PrometheusQuerySource.Settings.fromMap(c) : null,
        sources.contains("scrape") ? PrometheusScrapeSource.Settings.fromMap(c) : null,
        sources.contains("kubernetes") ? KubernetesSource.Settings.fromMap(c) : null,
        sources.contains("cloudwatch") ? CloudWatchSource.Settings.fromMap(c) : null,
        sources.contains("host") ? HostSource.Settings.fromMap(c) : null,
        sources.contains("spark") ? SparkSource.Settings.fromMap(c) : null,
        CloudWatchMetricPublisher.Settings.fromMap(c),
        ConfigSource.subset(map, "kafka."));
  }

  /** The chosen sources, built (nothing started yet). */
  public List<MetricSource> build(SampleSink sink) {
    Samples samples = new Samples(experimentId);
    List<MetricSource> out = new ArrayList<>();
    for (String s : SOURCES) {
      if (!sources.contains(s)) {
        continue;
      }
      out.add(
          switch (s) {
            case "http" -> {
              HttpLoadProbe probe =
                  new HttpLoadProbe(experimentId, targets, loads, timeout, interval, sink, false);
              if (!duration.isZero()) {
                probe.stopSendingAfter(duration);
              }
              yield probe;
            }
            case "prometheus" -> new PrometheusQuerySource(prometheus, samples);
            case "scrape" -> new PrometheusScrapeSource(scrape, samples);
            case "kubernetes" -> new KubernetesSource(kubernetes, samples);
            case "cloudwatch" -> new CloudWatchSource(cloudwatch, samples);
            case "host" -> new HostSource(host, samples);
            case "spark" -> new SparkSource(spark, samples);
            default -> throw new IllegalStateException(s);
          });
    }
    return out;
  }
}
