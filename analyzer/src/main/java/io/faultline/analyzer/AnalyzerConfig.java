package io.faultline.analyzer;

import io.faultline.schema.ConfigReader;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import io.faultline.schema.MetricShards;
import io.faultline.schema.SampleSummaries;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The analyzer's configuration, validated once. Keys (env: {@code FAULTLINE_ANALYZER_WINDOW}):
 *
 * <ul>
 *   <li>{@code bootstrap.servers} (required)
 *   <li>{@code topics.prefix} (default {@code faultline.})
 *   <li>{@code topics.partitions} partitions of the topics the analyzer creates when missing
 *       (default 3); existing topics keep theirs, and the analyzer sizes its own from them
 *   <li>{@code topics.metrics.shards} shards per experiment and metric in the {@code metrics} key
 *       (default 1; the collector's value: above 1 the analyzer merges the shards, docs/adr/0032)
 *   <li>{@code analyzer.application.id} (default {@code faultline-analyzer})
 *   <li>{@code analyzer.window} window size (default 5s, {@code SampleSummaries.DEFAULT_WINDOW}),
 *       {@code analyzer.grace} (default 1s; the collector's {@code collector.summary.delay} must be
 *       less)
 *   <li>{@code analyzer.recovery.windows} q, steady windows that mean recovered (default 3)
 *   <li>{@code analyzer.warmup.windows} windows that define the baseline (default 4, 0 = none)
 *   <li>{@code analyzer.horizon.windows} judged windows the false-alarm bound covers (720)
 *   <li>{@code analyzer.state.dir} (default a temp directory)
 *   <li>{@code analyzer.state.stores} where the stores every sample and window touches keep their
 *       state: {@code rocksdb} (default) or {@code memory} (the heap), changelogged either way
 *       (docs/adr/0063)
 *   <li>{@code analyzer.stream.threads} Kafka Streams stream threads in this instance (default 1, 1
 *       to 16): the tasks (partitions) are shared among them (docs/adr/0069)
 *   <li>{@code analyzer.metrics.port} Prometheus /metrics port (absent = off, 0 = any free port),
 *       {@code analyzer.metrics.host} (default 127.0.0.1); {@code analyzer.metrics.linger} how long
 *       an ended experiment's series stay on /metrics (default 5m, 0s to 24h)
 *   <li>{@code analyzer.alertmanager.url} push alerts to Alertmanager's v2 API (absent = off)
 *   <li>{@code analyzer.alert.noisy.time} an alert resolved within this time is noisy (30s)
 *   <li>{@code analyzer.judgement.confidence} the end judgement's confidence level (0.98)
 *   <li>{@code analyzer.sev.critical}, {@code analyzer.sev.other}, {@code analyzer.sev.abort} the
 *       SEV level of a critical metric's deviation (SEV1), any other metric's (SEV2) and an abort
 *       (SEV1) when the hypothesis names no {@code severity}
 *   <li>{@code agent.command.secret} signs the HALT_ALL of an auto-abort (the agents' secret)
 *   <li>{@code kafka.*} passed to the Kafka Streams client (TLS, SASL, ...)
 * </ul>
 */
public record AnalyzerConfig(
    String bootstrapServers,
    String topicsPrefix,
    int topicsPartitions,
    String applicationId,
    Duration window,
    Duration grace,
    int recoveryWindows,
    int warmupWindows,
    Path stateDir,
    Map<String, String> kafka,
    Integer metricsPort,
    String metricsHost,
    String alertmanagerUrl,
    Duration noisyAlertTime,
    double judgementConfidence,
    String commandSecret,
    long horizonWindows,
    Duration metricsLinger,
    ResultCalculator.SeverityLevels severityLevels,
    int metricShards,
    StateStores stateStores,
    int streamThreads) {

  /** Stream threads per instance ({@code analyzer.stream.threads}, docs/adr/0069). */
  public static final String STREAM_THREADS = "analyzer.stream.threads";

  /** The settings of the result calculation. */
  public ResultCalculator.Settings resultSettings() {
    return new ResultCalculator.Settings(
        recoveryWindows, judgementConfidence, noisyAlertTime.toMillis());
  }

  @Override
  public String toString() {
    return "AnalyzerConfig["
        + applicationId
        + " window "
        + Durations.format(window)
        + " grace "
        + Durations.format(grace)
        + " on "
        + bootstrapServers
        + (commandSecret == null ? "" : ", command secret ****")
        + "]";
  }

  public static AnalyzerConfig fromMap(Map<String, String> map) {
    ConfigReader c = new ConfigReader(map);
    String bootstrap = c.required("bootstrap.servers", "e.g. 127.0.0.1:9092");
    Duration window =
        c.duration(
            "analyzer.window",
            Durations.format(SampleSummaries.DEFAULT_WINDOW),
            SampleSummaries.MIN_WINDOW,
            SampleSummaries.MAX_WINDOW);
    Duration grace = c.duration("analyzer.grace", "1s", Duration.ZERO, window.multipliedBy(10));
    int q = c.wholeNumber("analyzer.recovery.windows", "3", 1, 100);
    int warmup = c.wholeNumber("analyzer.warmup.windows", "4", 0, 1000);
    String stateDir = map.get("analyzer.state.dir");
    Integer port = c.optionalWholeNumber("analyzer.metrics.port", 0, 65535);
    String alertmanager = c.get("analyzer.alertmanager.url", null);
    if (alertmanager != null) {
      try {
        java.net.URI uri = java.net.URI.create(alertmanager);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          throw new IllegalArgumentException("not http(s)");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "analyzer.alertmanager.url '"
                + alertmanager
                + "': must be an http(s) URL such as http://127.0.0.1:9093");
      }
    }
    Duration noisy = c.duration("analyzer.alert.noisy.time", "30s", Duration.ZERO, null);
    double confidence = c.numberBelow("analyzer.judgement.confidence", "0.98", 0.5, 1);
    long horizon = c.longNumber("analyzer.horizon.windows", "720", 1, 10_000_000);
    Duration linger =
        c.duration("analyzer.metrics.linger", "5m", Duration.ZERO, Duration.ofHours(24));
    String hint = "a SEV level such as SEV1";
    ResultCalculator.SeverityLevels levels =
        new ResultCalculator.SeverityLevels(
            c.nonBlank("analyzer.sev.critical", "SEV1", hint),
            c.nonBlank("analyzer.sev.other", "SEV2", hint),
            c.nonBlank("analyzer.sev.abort", "SEV1", hint));
    // as written, not stripped: it must sign exactly as the agents' does
    String secret = c.has("agent.command.secret") ? c.raw("agent.command.secret") : null;
    StateStores stores =
        StateStores.of(
            c.choice(StateStores.KEY, StateStores.ROCKSDB.configName(), StateStores.names()));
    return new AnalyzerConfig(
        bootstrap,
        map.getOrDefault("topics.prefix", Topics.DEFAULT_PREFIX),
        Topics.partitions(c),
        map.getOrDefault("analyzer.application.id", "faultline-analyzer"),
        window,
        grace,
        q,
        warmup,
        stateDir == null
            ? Path.of(System.getProperty("java.io.tmpdir"), "faultline-analyzer-state")
            : Path.of(stateDir),
        ConfigSource.subset(map, "kafka."),
        port,
        map.getOrDefault("analyzer.metrics.host", "127.0.0.1"),
        alertmanager,
        noisy,
        confidence,
        secret,
        horizon,
        linger,
        levels,
        MetricShards.of(c),
        stores,
        c.wholeNumber(STREAM_THREADS, "1", 1, 16));
  }
}
