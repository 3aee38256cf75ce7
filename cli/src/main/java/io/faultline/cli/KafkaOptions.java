package io.faultline.cli;

import io.faultline.schema.ConfigSource;
import io.faultline.schema.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where Kafka is: {@code --bootstrap-server}, and client properties (TLS, SASL) from a file. */
final class KafkaOptions {

  @Option(
      names = "--bootstrap-server",
      description =
          "Kafka bootstrap servers (default: FAULTLINE_BOOTSTRAP_SERVERS or 127.0.0.1:9092).")
  String bootstrapServer;

  @Option(
      names = "--config",
      description =
          "Kafka client properties file (security.protocol, sasl.*, ssl.*); FAULTLINE_KAFKA_*"
              + " variables (FAULTLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL) apply first.")
  Path config;

  @Option(
      names = "--topics-prefix",
      defaultValue = "${env:FAULTLINE_TOPICS_PREFIX:-faultline.}",
      description = "Topic name prefix (default: FAULTLINE_TOPICS_PREFIX or faultline.).")
  String topicsPrefix = "faultline.";

  /**
   * The range of every command's wait on the broker ({@code --timeout}, {@code --agent-timeout}).
   */
  static final Duration MIN_WAIT = Duration.ofSeconds(1);

  static final Duration MAX_WAIT = Duration.ofHours(1);

  /**
   * {@code text} as a wait on the broker for {@code option}, from {@link #MIN_WAIT} to {@link
   * #MAX_WAIT}; otherwise an error naming the option, the value and the range ({@code --timeout 0s:
   * must be between 1s and 1h}).
   */
  static Duration waitFor(String option, String text) {
    return Durations.within(option, text, MIN_WAIT, MAX_WAIT);
  }

  Map<String, Object> clientConfig() {
    Map<String, Object> conf = new HashMap<>();
    // FAULTLINE_KAFKA_SECURITY_PROTOCOL=SASL_SSL etc., as the components take them (Helm jobs)
    conf.putAll(ConfigSource.subset(ConfigSource.load(null, System.getenv()), "kafka."));
    if (config != null) {
      conf.putAll(ConfigSource.load(config, Map.of()));
    }
    String bootstrap =
        bootstrapServer != null
            ? bootstrapServer
            : System.getenv()
                .getOrDefault(
                    "FAULTLINE_BOOTSTRAP_SERVERS",
                    (String) conf.getOrDefault("bootstrap.servers", "127.0.0.1:9092"));
    conf.put("bootstrap.servers", bootstrap);
    return conf;
  }
}
