package io.faultline.analyzer;

import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ComponentMetrics;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.StrictConfig;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the analyzer topology: {@code faultline-analyzer [--config FILE]}; env FAULTLINE_*. */
public final class AnalyzerApp {

  private static final Logger log = LoggerFactory.getLogger(AnalyzerApp.class);

  /** The commit interval unless {@code kafka.commit.interval.ms} sets another (docs/adr/0116). */
  private static final long COMMIT_INTERVAL_MS = 1000;

  private AnalyzerApp() {}

  public static Properties streamsProperties(AnalyzerConfig config) {
    Properties props = new Properties();
    props.putAll(config.kafka());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    // Exactly-once commits a transaction per commit interval; 100 ms (the EOS default) costs a
    // busy 2-core machine noticeable CPU, and a verdict per 5 s window does not need it. Longer
    // ones cut the per-commit work but delay the anchor (docs/adr/0116).
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    // The record cache holds the sharded path's open windows (the unsharded ones are held by
    // OpenWindowsStore, docs/adr/0078) and the results table the history rolls up; at 10,000 keys
    // the default 10 MiB evicted on most puts, forwarding each result to the history rollup
    // instead of the last one per commit (docs/adr/0023).
    props.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
    return props;
  }

  /**
   * A started analyzer: the streams, its figures and, when configured, the HTTP endpoint serving
   * them with the JVM's and the Streams clients' metrics at /metrics (and /health).
   */
  public record Running(
      KafkaStreams streams, AnalyzerMetrics metrics, ComponentEndpoint metricsServer)
      implements AutoCloseable {
    @Override
    public void close() {
      streams.close(java.time.Duration.ofSeconds(10)); // the state listener closes the rest
    }
  }

  /** Creates the topics if needed and starts the topology; the caller closes the result. */
  public static KafkaStreams start(AnalyzerConfig config) {
    return run(config).streams();
  }

  /**
   * Starts the topology, the /metrics server ({@code analyzer.metrics.port}) and the Alertmanager
   * push ({@code analyzer.alertmanager.url}); the last two stop when the streams stop.
   */
  public static Running run(AnalyzerConfig config) {
    AnalyzerMetrics metrics = new AnalyzerMetrics(config.metricsLinger());
    Topics topics;
    Map<String, Object> adminConf = new HashMap<>(config.kafka());
    adminConf.put("bootstrap.servers", config.bootstrapServers());
    try (Admin admin = Admin.create(adminConf)) {
      Topics planned = new Topics(config.topicsPrefix(), config.topicsPartitions());
      TopicProvisioner.ensure(admin, planned, (short) 1);
      // the repartition topic must match attack.events as it is, whoever created it
      topics = TopicProvisioner.layout(admin, planned);
    }
    Topology topology = AnalyzerTopology.build(topics, config, metrics);
    log.debug("analyzer topology:\n{}", topology.describe());
    KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("analyzer stream thread failed; replacing it", e);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    List<AutoCloseable> extras = new ArrayList<>();
    ComponentEndpoint server = null;
    if (config.metricsPort() != null) {
      ComponentMetrics component = new ComponentMetrics().kafkaClient(streams::metrics);
      component.registry().register(metrics);
      try {
        server =
            ComponentEndpoint.start(
                "analyzer",
                config.metricsHost(),
                config.metricsPort(),
                () -> health(streams.state()),
                component);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "analyzer.metrics.port " + config.metricsPort() + ": cannot listen (" + e + ")", e);
      }
      extras.add(server);
      log.info("analyzer /metrics on http://{}:{}/metrics", config.metricsHost(), server.port());
    }
    if (config.alertmanagerUrl() != null) {
      extras.add(
          new AlertmanagerPush(config.alertmanagerUrl())
              .start(
                  config.bootstrapServers(),
                  config.kafka(),
                  config.applicationId() + "-alertmanager",
                  topics));
    }
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            for (AutoCloseable c : extras) {
              try {
                c.close();
              } catch (Exception e) {
                log.warn("closing {}: {}", c, e.toString());
              }
            }
          }
        });
    String warning = commitIntervalWarning(config);
    if (warning != null) {
      log.warn(warning);
    }
    streams.start();
    log.info(
        "analyzer {} started: window {} grace {}, stores in {} on {}",
        config.applicationId(),
        config.window(),
        config.grace(),
        config.stateStores().configName(),
        config.bootstrapServers());
    return new Running(streams, metrics, server);
  }

  /**
   * Why the commit interval is too long for the grace, or null. An attack's STARTED event reaches
   * the judge through {@code attack.starts}, written by this analyzer and read committed, so only
   * after its next commit: with an interval above {@code analyzer.grace} the window the attack
   * started in can be judged before its anchor is known (docs/adr/0042, 0116).
   */
  static String commitIntervalWarning(AnalyzerConfig config) {
    Object interval = streamsProperties(config).get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    long ms;
    try {
      ms = Long.parseLong(interval.toString().trim());
    } catch (NumberFormatException e) {
      return null; // Kafka Streams names the bad value when it starts
    }
    if (ms <= config.grace().toMillis()) {
      return null;
    }
    return "kafka.commit.interval.ms "
        + ms
        + " is above analyzer.grace "
        + config.grace().toMillis()
        + " ms: an attack's STARTED event can reach the judge after its window is judged, which"
        + " then waits for the anchor; raise analyzer.grace to at least the interval"
        + " (docs/adr/0116)";
  }

  /** Healthy while the streams run or rebalance. */
  static String health(KafkaStreams.State state) {
    return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED
        ? null
        : "streams " + state;
  }

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = Path.of(args[++i]);
        case "--help", "-h" -> {
          System.out.println(
              "Usage: faultline-analyzer [--config FILE]\n"
                  + "Keys (file or FAULTLINE_* env): bootstrap.servers, topics.prefix,"
                  + " analyzer.application.id, analyzer.window, analyzer.grace,"
                  + " analyzer.recovery.windows, analyzer.warmup.windows, analyzer.state.dir,"
                  + " analyzer.state.stores (rocksdb or memory),"
                  + " analyzer.stream.threads (1-16),"
                  + " analyzer.metrics.port (0 = any), analyzer.metrics.host,"
                  + " analyzer.metrics.linger,"
                  + " analyzer.alertmanager.url, analyzer.alert.noisy.time,"
                  + " analyzer.judgement.confidence, agent.command.secret, kafka.*;"
                  + " see analyzer/README.md");
          return;
        }
        default -> {
          System.err.println("unknown argument '" + args[i] + "'; see --help");
          System.exit(2);
        }
      }
    }
    AnalyzerConfig config;
    try {
      StrictConfig map = StrictConfig.of(ConfigSource.load(file, System.getenv()));
      config = AnalyzerConfig.fromMap(map);
      map.refuseUnread("analyzer", "analyzer.", "faultline.");
    } catch (IllegalArgumentException e) {
      System.err.println("faultline-analyzer: " + e.getMessage());
      System.exit(2);
      return;
    }
    KafkaStreams streams = start(config);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close();
                  stop.countDown();
                }));
    stop.await();
  }
}
