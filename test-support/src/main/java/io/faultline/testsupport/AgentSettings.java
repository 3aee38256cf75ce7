package io.faultline.testsupport;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.Topics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The config map of an agent against the test broker: bootstrap servers, topic prefix, agent id and
 * targets directory, plus whatever a test sets. Feed {@link #toMap()} to {@code
 * AgentConfig.fromMap}, or {@link #toEnvironment()} to an agent started with {@link TestJvm}.
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
    return forBroker(TestBroker.bootstrapServers(), topics, targetsDir);
  }

  /** The same against another broker (one a test starts, stops or cuts off itself). */
  public static AgentSettings forBroker(String bootstrapServers, Topics topics, Path targetsDir) {
    return new AgentSettings()
        .set("bootstrap.servers", bootstrapServers)
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

  /**
   * A child JVM running {@code main} with these settings as its environment and its output
   * discarded; each {@code start()} is a new process (a restart with the same id and directories).
   */
  public ProcessBuilder childJvm(Class<?> main) {
    ProcessBuilder child =
        TestJvm.command(main)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    child.environment().putAll(toEnvironment());
    return child;
  }

  /**
   * The same settings as the environment of an agent run as a child process: {@code agent.lease}
   * becomes {@code FAULTLINE_AGENT_LEASE}, the form every component reads its environment in.
   */
  public Map<String, String> toEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    values.forEach(
        (key, value) ->
            env.put("FAULTLINE_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value));
    return env;
  }
}
