package io.faultline.analyzer;

import io.faultline.schema.Topic;
import io.faultline.schema.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The analyzer's topology in a {@link TopologyTestDriver}, as the analyzer tests set it up: the
 * config from a test's settings with a fresh state directory and no broker, the app's own Streams
 * properties, and topics written and read through the registry's serdes ({@link #rawInput} and
 * {@link #rawOutput} for bytes, e.g. samples a test corrupts or records it decodes elsewhere).
 */
final class TopologyDriver implements AutoCloseable {

  final Topics topics;
  final AnalyzerConfig config;
  final AnalyzerMetrics registry;
  final TopologyTestDriver driver;

  private TopologyDriver(Topics topics, AnalyzerConfig config, AnalyzerMetrics registry) {
    this.topics = topics;
    this.config = config;
    this.registry = registry;
    this.driver =
        new TopologyTestDriver(
            AnalyzerTopology.build(topics, config, registry),
            AnalyzerApp.streamsProperties(config));
  }

  static TopologyDriver start(Topics topics, Map<String, String> settings) throws IOException {
    return start(topics, settings, null);
  }

  /**
   * With {@code registry} (null: one of its own, {@link #registry}) given the analyzer's figures.
   */
  static TopologyDriver start(Topics topics, Map<String, String> settings, AnalyzerMetrics registry)
      throws IOException {
    AnalyzerConfig config = config(settings);
    return new TopologyDriver(
        topics, config, registry != null ? registry : new AnalyzerMetrics(config.metricsLinger()));
  }

  /** {@code settings} with no broker and a fresh state directory. */
  static AnalyzerConfig config(Map<String, String> settings) throws IOException {
    Map<String, String> map = new HashMap<>(settings);
    map.put("bootstrap.servers", "unused:9092");
    map.put("analyzer.state.dir", stateDir("analyzer-test").toString());
    return AnalyzerConfig.fromMap(map);
  }

  /**
   * A fresh state directory, in memory where the machine has a tmpfs at /dev/shm ({@link
   * ScratchStateDirectory}), removed when the JVM exits.
   */
  static Path stateDir(String prefix) throws IOException {
    Path dir = ScratchStateDirectory.create(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ScratchStateDirectory.delete(dir)));
    return dir;
  }

  <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
    return driver.createInputTopic(
        topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
  }

  TestInputTopic<String, byte[]> rawInput(Topic<?, ?> topic) {
    return driver.createInputTopic(
        topic.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
  }

  <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
    return driver.createOutputTopic(
        topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
  }

  TestOutputTopic<String, byte[]> rawOutput(Topic<?, ?> topic) {
    return driver.createOutputTopic(
        topic.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
  }

  @Override
  public void close() {
    driver.close();
  }
}
