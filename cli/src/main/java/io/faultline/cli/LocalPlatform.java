package io.faultline.cli;

import io.faultline.agent.AgentConfig;
import io.faultline.agent.AgentMain;
import io.faultline.analyzer.AnalyzerApp;
import io.faultline.analyzer.AnalyzerConfig;
import io.faultline.cli.experiment.ExperimentDefinition;
import io.faultline.collector.CollectorConfig;
import io.faultline.collector.ExperimentSourcesFollower;
import io.faultline.collector.HttpLoadProbe;
import io.faultline.collector.KafkaSampleSink;
import io.faultline.collector.ProbeTarget;
import io.faultline.collector.SampleSink;
import io.faultline.collector.SourceRunner;
import io.faultline.scale.LocalSupervisor;
import io.faultline.scale.LocalSupervisor.InstanceSpec;
import io.faultline.scale.fleet.FleetStatus;
import io.faultline.scale.fleet.GroupFleet;
import io.faultline.scale.fleet.LocalFleet;
import io.faultline.scale.fleet.WriteProbe;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import io.faultline.schema.Group;
import io.faultline.schema.MetricSample;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code groups.local.start: true} starts beside any broker: Scale for every process of both
 * groups, the attack agent, the analyzer, the HTTP load probe, and a collector following the
 * experiments topic when the file names sources of its own. Closing stops all of it, agent first so
 * it recovers what it applied.
 */
final class LocalPlatform implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

  /** Corpus size: about 4 ms of CPU per /similar query, so CPU contention shows in latency. */
  static final int SONGS = 100_000;

  /** Songs in a fleet's PostgreSQL: seeded once per group at start, so kept small. */
  static final int FLEET_SONGS = 2_000;

  private final StartedComponents started = new StartedComponents();
  private final LocalSupervisor supervisor;
  private LocalFleet fleet; // set when groups.local.replicas asks for one
  private LocalPipeline pipeline; // set when groups.local.pipeline asks for one
  private Consumer<String> say = s -> {};
  private final ExperimentDefinition definition;
  private final Map<String, Object> clientConfig;
  private final Topics topics;
  private ProxiedScale proxies; // set once both groups run
  private final Map<String, FleetStatus> statuses = new java.util.concurrent.ConcurrentHashMap<>();

  private LocalPlatform(
      LocalSupervisor supervisor,
      ExperimentDefinition definition,
      Map<String, Object> clientConfig,
      Topics topics) {
    this.supervisor = supervisor;
    this.definition = definition;
    this.clientConfig = clientConfig;
    this.topics = topics;
  }

  /**
   * Starts Scale x2 (or, with {@code groups.local.replicas}, a multi-zone fleet per group) and the
   * agent; with {@code analyze} also the analyzer.
   */
  static LocalPlatform start(
      ExperimentDefinition d,
      Map<String, Object> clientConfig,
      Topics topics,
      Path dataDir,
      boolean analyze,
      Consumer<String> say)
      throws IOException {
    Path targetsDir = dataDir.resolve("targets");
    LocalSupervisor supervisor =
        new LocalSupervisor(
            targetsDir,
            Duration.ofSeconds(3),
            e ->
                say.accept(
                    switch (e.type()) {
                      case STARTED -> e.name() + " started, pid " + e.pid();
                      case EXITED ->
                          e.name() + " pid " + e.pid() + " exited (code " + e.exitCode() + ")";
                      case RESTARTED -> e.name() + " restarted, pid " + e.pid();
                    }));
    LocalPlatform platform = new LocalPlatform(supervisor, d, clientConfig, topics);
    platform.say = say;
    platform.started.push(supervisor);
    String bootstrap = (String) clientConfig.get("bootstrap.servers");
    Map<String, String> common = new HashMap<>(kafkaPassThrough(clientConfig));
    common.put("bootstrap.servers", bootstrap);
    common.put("topics.prefix", topics.prefix());
    // the analyzer starts while Scale does: it needs only the broker (its Kafka Streams start took
    // 13 s of the demo at a load of 35, after Scale's)
    java.util.concurrent.CompletableFuture<KafkaStreams> analyzerStart =
        analyze
            ? java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                  Map<String, String> analyzer = new HashMap<>(common);
                  analyzer.put("analyzer.window", Durations.format(d.steadyState().window()));
                  analyzer.put("analyzer.state.dir", dataDir.resolve("analyzer-state").toString());
                  if (d.steadyState().recoveryWindows() != null) {
                    analyzer.put(
                        "analyzer.recovery.windows", d.steadyState().recoveryWindows().toString());
                  }
                  return AnalyzerApp.start(AnalyzerConfig.fromMap(analyzer));
                })
            : null;
    boolean analyzerPushed = false;
    try {
      var local = d.groups().local();
      if (local.pipeline() != null) {
        // the pipeline's groups are Spark clusters, not Scale's web API (docs/adr/0028)
        platform.pipeline = LocalPipeline.start(local.pipeline(), dataDir, targetsDir, say);
        platform.started.push(platform.pipeline);
      } else if (local.replicas() >= 2) {
        platform.fleet =
            LocalFleet.start(
                dataDir, targetsDir, local.replicas(), FLEET_SONGS, Duration.ofSeconds(3), say);
        platform.started.push(platform.fleet);
      } else {
        platform.startInstances(local);
      }
      Map<String, String> agent = new HashMap<>(common);
      agent.put("agent.id", "faultline-run-agent");
      agent.put("agent.max.duration", "1h");
      agent.put("agent.targets.dir", targetsDir.toString());
      platform.started.push(AgentMain.start(AgentConfig.fromMap(agent)));
      say.accept("attack agent started (targets in " + targetsDir + ")");
      if (analyzerStart != null) {
        KafkaStreams streams = joinAnalyzer(analyzerStart);
        platform.started.push(() -> streams.close(Duration.ofSeconds(10)));
        analyzerPushed = true;
        say.accept("analyzer started (window " + Durations.format(d.steadyState().window()) + ")");
      }
      if (!d.steadyState().sources().isEmpty()) {
        platform.followExperimentSources(common);
        say.accept(
            "collector started: it runs the sources the experiment names ("
                + String.join(
                    ", ",
                    d.steadyState().sources().stream()
                        .map(ExperimentDefinition.SourceEntry::type)
                        .toList())
                + ")");
      }
      return platform;
    } catch (RuntimeException | IOException e) {
      if (analyzerStart != null && !analyzerPushed) {
        // started meanwhile, or still starting: it goes with the rest
        analyzerStart.thenAccept(streams -> streams.close(Duration.ofSeconds(10)));
      }
      platform.close();
      throw e;
    }
  }

  private static KafkaStreams joinAnalyzer(
      java.util.concurrent.CompletableFuture<KafkaStreams> start) {
    try {
      return start.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * One Scale process per group, each behind an impairment proxy (today's demo). One after the
   * other: started side by side on a loaded machine, an instance's H2 store (137 MB) took more than
   * its pool's 5 s to open and the start failed.
   */
  private void startInstances(ExperimentDefinition.Local local) throws IOException {
    boolean pin = Runtime.getRuntime().availableProcessors() >= 2 && supervisor.pinningAvailable();
    for (String name : definition.groups().control().processes()) {
      supervisor.start(new InstanceSpec(name, "CONTROL", 0, cpus(pin, local.controlCpus()), SONGS));
    }
    for (String name : definition.groups().experimental().processes()) {
      supervisor.start(
          new InstanceSpec(name, "EXPERIMENTAL", 0, cpus(pin, local.experimentalCpus()), SONGS));
    }
    List<String> names = new ArrayList<>(definition.groups().control().processes());
    names.addAll(definition.groups().experimental().processes());
    proxies = ProxiedScale.start(supervisor, names);
    started.push(proxies);
  }

  /**
   * A collector following the experiments topic, as deployed: it runs the sources the experiment
   * file names ({@code steadyState.sources}) while the experiment runs. The platform's own probe
   * stays the http-probe source.
   */
  private void followExperimentSources(Map<String, String> common) {
    KafkaSampleSink sink =
        new KafkaSampleSink(
            (String) clientConfig.get("bootstrap.servers"),
            topics,
            ConfigSource.subset(common, "kafka."));
    started.push(sink);
    ExperimentSourcesFollower follower =
        ExperimentSourcesFollower.into(sink, common, topics, Duration.ofHours(1));
    Thread thread = follower.start("faultline-run-collector");
    started.push(
        () -> {
          follower.close();
          thread.join(10_000);
        });
  }

  private static String cpus(boolean pin, String cpus) {
    return pin && cpus != null && !"none".equals(cpus) ? cpus : null;
  }

  private static Map<String, String> kafkaPassThrough(Map<String, Object> clientConfig) {
    Map<String, String> out = new HashMap<>();
    clientConfig.forEach(
        (k, v) -> {
          if (!k.equals("bootstrap.servers")) {
            out.put("kafka." + k, String.valueOf(v));
          }
        });
    return out;
  }

  /** The pipeline's runs, which the attacks are timed against; null without a pipeline. */
  ExperimentRunner.BatchRuns batchRuns() {
    return pipeline;
  }

  /**
   * Starts load against every instance for an experiment id; stopped with the platform.
   *
   * @param settling gets each response's latency too, or null
   */
  AutoCloseable startProbe(String experimentId, JvmSettling settling) {
    Map<String, String> kafka = new HashMap<>();
    clientConfig.forEach((k, v) -> kafka.put(k, String.valueOf(v)));
    kafka.remove("bootstrap.servers");
    KafkaSampleSink kafkaSink =
        new KafkaSampleSink((String) clientConfig.get("bootstrap.servers"), topics, kafka);
    SampleSink sink = settling == null ? kafkaSink : observed(kafkaSink, settling);
    if (pipeline != null) {
      AutoCloseable runs =
          pipeline.start(experimentId, (String) clientConfig.get("bootstrap.servers"), kafkaSink);
      AutoCloseable stop =
          () -> {
            try {
              runs.close();
            } finally {
              sink.close();
            }
          };
      started.push(stop);
      return stop;
    }
    List<ProbeTarget> targets = new ArrayList<>();
    for (String name : definition.groups().control().processes()) {
      targets.add(target(Group.CONTROL, name));
    }
    for (String name : definition.groups().experimental().processes()) {
      targets.add(target(Group.EXPERIMENTAL, name));
    }
    HttpLoadProbe probe =
        new HttpLoadProbe(
            experimentId,
            targets,
            definition.groups().local().rps(),
            50,
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            sink);
    probe.start();
    List<AutoCloseable> writes =
        fleet == null ? List.of() : startFleetSources(experimentId, kafkaSink);
    java.util.concurrent.atomic.AtomicBoolean open =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    AutoCloseable stop =
        () -> {
          if (open.getAndSet(false)) {
            probe.close();
            for (AutoCloseable w : writes) {
              w.close();
            }
            sink.close();
          }
        };
    started.push(stop);
    return stop;
  }

  /** {@code sink}, each per-request latency sample seen by {@code settling} on its way. */
  private static SampleSink observed(SampleSink sink, JvmSettling settling) {
    return new SampleSink() {
      @Override
      public void publish(MetricSample s) {
        if (HttpLoadProbe.LATENCY.equals(s.getMetric())) {
          settling.observe(s.getGroup(), s.getValue());
        }
        sink.publish(s);
      }

      @Override
      public void close() {
        sink.close();
      }
    };
  }

  /**
   * Per group a write every 200 ms to its database and its status endpoint ({@link FleetStatus}),
   * scraped every second by the collector's {@code scrape} source into the metrics topic: the
   * fleet's figures (docs/adr/0015) beside the probe's. At the end the time until writes succeeded
   * again after each outage (the database failover time) is said.
   */
  private List<AutoCloseable> startFleetSources(String experimentId, KafkaSampleSink sink) {
    List<AutoCloseable> closing = new ArrayList<>();
    long start = System.currentTimeMillis();
    Map<String, String> scrape = new java.util.LinkedHashMap<>();
    List<String> targets = new ArrayList<>();
    for (String group : List.of("CONTROL", "EXPERIMENTAL")) {
      GroupFleet g = fleet.group(group);
      WriteProbe probe = null;
      try {
        probe = new WriteProbe(g.jdbcUrl(), Duration.ofMillis(200));
        WriteProbe p = probe;
        closing.add(
            () -> {
              p.close();
              say.accept(writeOutages(group, p, start) + lost(p.lostWrites()));
            });
      } catch (java.sql.SQLException e) {
        say.accept(group + " database: no write probe (" + e.getMessage() + ")");
      }
      try {
        FleetStatus status = FleetStatus.serve(g, probe);
        statuses.put(group, status);
        closing.add(0, status);
        closing.add(
            0,
            () -> {
              if (!status.promotions().isEmpty()) {
                say.accept(promotions(group, status.promotions(), start));
              }
            });
        targets.add(group + "=" + g.layout().lb().name() + "@" + status.metricsUrl());
      } catch (IOException e) {
        say.accept(group + " fleet: no status endpoint (" + e.getMessage() + ")");
      }
    }
    if (targets.isEmpty()) {
      return closing;
    }
    scrape.put("bootstrap.servers", (String) clientConfig.get("bootstrap.servers"));
    scrape.put("experiment.id", experimentId);
    scrape.put("sources", "scrape");
    scrape.put("scrape.targets", String.join(",", targets));
    scrape.put("scrape.interval", "1s");
    scrape.put("scrape.timeout", "1s");
    FleetStatus.collectorSelectors(fleet.experimental().layout())
        .forEach((metric, selector) -> scrape.put("scrape.metric." + metric, selector));
    CollectorConfig config = CollectorConfig.fromMap(scrape);
    SourceRunner runner = new SourceRunner(experimentId, config.build(sink), sink);
    runner.start();
    closing.add(0, runner);
    return closing;
  }

  /**
   * The experimental database's promotions the fleet's status endpoint observed (none without a
   * fleet): the time to a new primary, apart from the time writes are accepted again.
   */
  List<FleetStatus.Promotion> experimentalPromotions() {
    FleetStatus s = statuses.get("EXPERIMENTAL");
    return s == null ? List.of() : s.promotions();
  }

  /** "experimental database: db-2 promoted (timeline 2), seen at +41.3s". */
  static String promotions(String group, List<FleetStatus.Promotion> seen, long startMillis) {
    List<String> parts =
        seen.stream()
            .map(
                p ->
                    p.member()
                        + " promoted (timeline "
                        + p.timeline()
                        + "), seen at +"
                        + Durations.format(p.observedAtMs() - startMillis))
            .toList();
    return group.toLowerCase(java.util.Locale.ROOT) + " database: " + String.join("; ", parts);
  }

  private static String lost(long lost) {
    return lost < 0
        ? "; lost writes unknown (database not reachable)"
        : "; " + lost + " acknowledged writes missing afterwards";
  }

  static String writeOutages(String group, WriteProbe probe, long startMillis) {
    StringBuilder s =
        new StringBuilder(group.toLowerCase(java.util.Locale.ROOT) + " database writes: ")
            .append(probe.accepted())
            .append(" accepted, ")
            .append(probe.failed())
            .append(" failed");
    for (WriteProbe.Outage o : probe.outages()) {
      s.append("; failing from +")
          .append(Durations.format(o.firstFailure().toEpochMilli() - startMillis))
          .append(", accepted again after ")
          .append(Durations.format(o.length()));
    }
    return s.toString();
  }

  private ProbeTarget target(Group group, String name) {
    if (fleet != null) {
      // through the group's load balancer, as a client of the Service would
      return new ProbeTarget(
          group,
          name,
          URI.create(fleet.group(group.name()).lbUrl() + "/similar?song=song-00042&limit=10"));
    }
    return new ProbeTarget(
        group,
        name,
        URI.create(
            "http://127.0.0.1:" + proxies.clientPort(name) + "/similar?song=song-00042&limit=10"));
  }

  @Override
  public void close() {
    started.close();
  }
}
