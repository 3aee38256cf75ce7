package io.faultline.testsupport;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The config map of an analyzer against the test broker: bootstrap servers, topic prefix, an
 * application id of the prefix's own and a fresh state directory, plus whatever a test sets. Feed
 * {@link #toMap()} to {@code AnalyzerConfig.fromMap}; nothing analyzer-specific lives here.
 */
public final class AnalyzerSettings {

  private final Map<String, String> values = new LinkedHashMap<>();

  private AnalyzerSettings() {}

  /** A new empty state directory each call: a restarted analyzer restores from its changelogs. */
  public static AnalyzerSettings forTestBroker(Topics topics) throws IOException {
    return new AnalyzerSettings()
        .set("bootstrap.servers", TestBroker.bootstrapServers())
        .set("topics.prefix", topics.prefix())
        .set("analyzer.application.id", topics.prefix() + "analyzer")
        .set("analyzer.state.dir", Files.createTempDirectory("analyzer-state").toString());
  }

  /**
   * The group session at the broker's minimum, 6 s: an instance that is killed, or closed (Kafka
   * Streams does not leave its group on close), is out of the group 6 s later instead of after
   * Streams' 45 s, so a restarted or remaining instance takes its partitions that much sooner.
   */
  public AnalyzerSettings sessionAtBrokerMinimum() {
    return set("kafka.session.timeout.ms", "6000").set("kafka.heartbeat.interval.ms", "1500");
  }

  public AnalyzerSettings set(String key, String value) {
    values.put(key, value);
    return this;
  }

  public Map<String, String> toMap() {
    return Map.copyOf(values);
  }
}
