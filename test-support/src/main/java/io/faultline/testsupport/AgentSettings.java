package io.faultline.testsupport;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The config map of an agent against the test broker: bootstrap servers, topic prefix, agent id and
 * targets directory, plus whatever a test sets. Feed {@link #toMap()} to {@code
 * AgentConfig.fromMap}.
 */
public final class AgentSettings {

  private final Map<String, String> values = new LinkedHashMap<>();

  private AgentSettings() {}

  /** Bootstrap servers, topic prefix, agent id and targets directory. */
  public static AgentSettings forTestBroker(Topics topics, String agentId, Path targetsDir) {
    return forTestBroker(topics, targetsDir).set("agent.id", agentId);
  }

  /** Bootstrap servers, topic prefix and targets directory; the agent id stays the default. */
  public static AgentSettings forTestBroker(Topics topics, Path targetsDir) {
    return new AgentSettings()
        .set("bootstrap.servers", TestBroker.bootstrapServers())
        .set("topics.prefix", topics.prefix())
        .set("agent.targets.dir", targetsDir.toString());
  }

  public AgentSettings set(String key, String value) {
    values.put(key, value);
    return this;
  }

  public Map<String, String> toMap() {
    return Map.copyOf(values);
  }
}
