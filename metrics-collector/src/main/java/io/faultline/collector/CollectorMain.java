package io.faultline.collector;

import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.MetricShards;
import io.faultline.schema.StrictConfig;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** Runs the configured sources until SIGTERM: {@code CollectorMain [--config FILE]}. */
public final class CollectorMain {

  static final String HELP =
      """
      Usage: CollectorMain [--config FILE] [--help]
      Runs the metrics collector: every source in `sources` on its own interval, samples to the
      metrics topic, tagged CONTROL or EXPERIMENTAL. FILE is a properties file; FAULTLINE_* env
      variables override it (FAULTLINE_PROBE_RPS=50 sets probe.rps).

      Required: bootstrap.servers
      experiment.id  run `sources` below for this experiment (a standing collector); unset = none
      experiments.follow  true (default): also follow the experiments topic and run the sources
                     each PENDING or RUNNING experiment names (Experiment.sources), with the
                     keys below as defaults; false: only experiment.id's
      collector.experiment.max.age  24h: an experiment older than this is not collected
      sources        http,prometheus,scrape,kubernetes,cloudwatch,host,spark (default http)
      http           probe.targets=GROUP=name@url,...  probe.rps[.control|.experimental]
                     probe.concurrency[.control|.experimental]  probe.timeout  probe.interval
                     probe.duration (0s: until stopped)
      prometheus     prometheus.url  prometheus.query.<metric>=PROMQL with $group
                     prometheus.group.control|experimental  prometheus.interval  prometheus.timeout
      scrape         scrape.targets=GROUP=name@url/metrics,...  scrape.metric.<metric>=SELECTOR
                     scrape.interval  scrape.timeout
      kubernetes     kubernetes.namespace  kubernetes.group.label (faultline.io/group)
                     kubernetes.group.control|experimental  kubernetes.usage  kubernetes.logs
                     kubernetes.master  kubernetes.interval  kubernetes.timeout
      cloudwatch     cloudwatch.cluster  cloudwatch.namespace  cloudwatch.region
                     cloudwatch.endpoint; per group, one at least of:
                     cloudwatch.workload.control|experimental (PodName, pod metrics)
                     cloudwatch.asg.control|experimental (Auto Scaling group, EC2 metrics)
                     cloudwatch.nodes.control|experimental=NodeName@i-0abc123,...
                     cloudwatch.node.selector.control|experimental=LABEL=VALUE,... (nodes listed
                     every round via kubernetes.master or kubeconfig, kubernetes.timeout)
                     cloudwatch.period  cloudwatch.lookback  cloudwatch.interval  cloudwatch.timeout
      PutMetricData  cloudwatch.put.namespace (off when unset)  cloudwatch.put.interval: every
                     sample is also sent to CloudWatch, batched by 1000;
                     cloudwatch.put.derived=true: also the analyzer's verdicts and results
                     (faultline.effect, .deviating, .hypothesis.held, .mttd.ms, .mttr.ms, ...)
      host           host.processes=GROUP=name@pid:N|cmd:REGEX,...  host.clock=GROUP=name@URL
                     host.dns=GROUP=name@HOSTNAME  host.dns.server  host.tcp=GROUP=name@HOST:PORT
                     host.tcp.attempts  host.interval  host.timeout
      spark          spark.targets=GROUP=name@URL of the driver's UI,...  spark.interval  spark.timeout
      Kafka          topics.prefix (faultline.)  kafka.* (passed to the producer: TLS, SASL)
      Summaries      collector.summary.window (5s): the probe's per-request samples go to Kafka as
                     one summary per target and window; must equal the analyzer's analyzer.window;
                     raw = one record per request. collector.summary.delay (200ms, below the
                     analyzer's grace) after the window's end
      Health         collector.http.port: GET /health for Kubernetes probes, GET /metrics for
                     Prometheus (unset = off)
      See metrics-collector/README.md for the metric catalogue.""";

  private CollectorMain() {}

  /** {@code experiments.follow}: true unless set to false. */
  static boolean followsExperiments(Map<String, String> map) {
    return new ConfigMap(map).bool("experiments.follow", "true");
  }

  /** Healthy while the sources complete rounds: unhealthy after 5 minutes without any. */
  static Supplier<String> roundsAdvance(SourceRunner runner) {
    long[] last = {-1, System.currentTimeMillis()};
    return () -> {
      long rounds = runner.rounds().values().stream().mapToLong(Long::longValue).sum();
      long now = System.currentTimeMillis();
      if (rounds != last[0]) {
        last[0] = rounds;
        last[1] = now;
        return null;
      }
      return now - last[1] > 300_000
          ? "no source completed a round for " + (now - last[1]) / 1000 + " s"
          : null;
    };
  }

  /** The HTTP probe alone, publishing its own windows (kept for callers of the first version). */
  public static HttpLoadProbe start(CollectorConfig c, SampleSink sink) {
    HttpLoadProbe probe =
        new HttpLoadProbe(
            c.experimentId(), c.targets(), c.loads(), c.timeout(), c.interval(), sink, true);
    probe.start();
    return probe;
  }

  /** Every configured source under one runner, started. */
  public static SourceRunner run(CollectorConfig c, SampleSink sink) {
    return run(c, sink, CollectorMetrics.unscraped());
  }

  /** Every configured source under one runner, counting into {@code metrics}, started. */
  public static SourceRunner run(CollectorConfig c, SampleSink sink, CollectorMetrics metrics) {
    SourceRunner runner = new SourceRunner(c.experimentId(), c.build(sink), sink, metrics);
    runner.start();
    return runner;
  }

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(HELP);
        return;
      } else {
        System.err.println("unknown argument '" + args[i] + "'; see --help");
        System.exit(2);
      }
    }
    Map<String, String> map;
    CollectorConfig config;
    boolean follow;
    Duration maxAge;
    int httpPort;
    int shards;
    WindowSummarySink.Settings summaries;
    try {
      StrictConfig strict = StrictConfig.of(ConfigSource.load(file, System.getenv()));
      map = strict;
      follow = followsExperiments(map);
      config = map.containsKey("experiment.id") ? CollectorConfig.fromMap(map) : null;
      if (config == null && !follow) {
        throw new IllegalArgumentException(
            "experiment.id: required when experiments.follow=false (nothing to collect otherwise)");
      }
      if (map.get("bootstrap.servers") == null || map.get("bootstrap.servers").isBlank()) {
        throw new IllegalArgumentException("bootstrap.servers: required (e.g. 127.0.0.1:9092)");
      }
      maxAge =
          new ConfigMap(map)
              .duration(
                  "collector.experiment.max.age", "24h", Duration.ofMinutes(1), Duration.ofDays(7));
      httpPort = ComponentEndpoint.port("collector.http.port", map.get("collector.http.port"));
      shards = MetricShards.of(new ConfigMap(map));
      summaries = WindowSummarySink.Settings.fromMap(map);
      strict.refuseUnread("collector", "collector.", "faultline.");
    } catch (IllegalArgumentException e) {
      System.err.println("metrics-collector: " + e.getMessage());
      System.exit(2);
      return;
    }
    Topics topics = Topics.named(map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX));
    KafkaSampleSink kafka =
        new KafkaSampleSink(
            map.get("bootstrap.servers"), topics, ConfigSource.subset(map, "kafka."), shards);
    kafka.awaitLeaders(Duration.ofSeconds(30));
    CloudWatchMetricPublisher.Settings put =
        CloudWatchMetricPublisher.Settings.fromMap(new ConfigMap(map));
    CloudWatchMetricPublisher cloudwatch =
        put == null
            ? null
            : new CloudWatchMetricPublisher(
                put.namespace(),
                put.region(),
                put.endpoint(),
                DefaultCredentialsProvider.builder().build(),
                put.flushInterval());
    // to Kafka the probe's per-request samples go as one summary per target and window
    // (docs/adr/0043); CloudWatch gets every sample as before
    WindowSummarySink summarising =
        summaries == null ? null : WindowSummarySink.start(kafka, summaries);
    SampleSink toKafka = summarising == null ? kafka : summarising;
    SampleSink sink =
        cloudwatch == null
            ? toKafka
            : s -> {
              toKafka.publish(s);
              cloudwatch.publish(s);
            };
    DerivedMetricsExporter derived =
        put != null && put.derived() ? new DerivedMetricsExporter(map, topics, cloudwatch) : null;
    if (derived != null) {
      derived.start("collector-derived-metrics");
    }
    ComponentMetrics metrics = new ComponentMetrics().kafkaClient(kafka::clientMetrics);
    CollectorMetrics counts = new CollectorMetrics(metrics.registry());
    SourceRunner runner = config == null ? null : run(config, sink, counts);
    ExperimentSourcesFollower follower =
        follow ? ExperimentSourcesFollower.into(sink, map, topics, maxAge, counts) : null;
    if (follower != null) {
      follower.start("collector-experiments");
    }
    Supplier<String> rounds = runner == null ? () -> null : roundsAdvance(runner);
    ComponentEndpoint health =
        httpPort < 0
            ? null
            : ComponentEndpoint.start(
                "collector",
                "0.0.0.0",
                httpPort,
                () -> {
                  String why = rounds.get();
                  return why != null || follower == null ? why : follower.health();
                },
                metrics);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (follower != null) {
                    follower.close();
                  }
                  if (derived != null) {
                    derived.close();
                  }
                  if (runner != null) {
                    runner.close();
                  }
                  if (health != null) {
                    health.close();
                  }
                  if (summarising != null) {
                    summarising.close(); // the open windows, before the producer closes
                  }
                  kafka.close();
                  if (cloudwatch != null) {
                    cloudwatch.close();
                  }
                  stop.countDown();
                }));
    stop.await();
  }
}
