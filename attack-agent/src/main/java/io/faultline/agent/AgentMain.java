package io.faultline.agent;

import io.faultline.schema.ComponentEndpoint;
import io.faultline.schema.ConfigSource;
import io.faultline.schema.StrictConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an attack agent until SIGTERM, which recovers every active attack. */
public final class AgentMain {

  private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

  private AgentMain() {}

  /**
   * Recovers what an earlier run of this agent left active (from its local journal, without Kafka),
   * then runs the agent on a thread of its own, which creates the topics if needed (trying again
   * while Kafka is away). Waits up to 30 s for the topics before it returns.
   */
  public static AttackAgent start(AgentConfig config) {
    return start(config, null);
  }

  /**
   * Like {@link #start(AgentConfig)}, with the given cluster faults (tests bind them to mock
   * servers); null builds them from the config.
   */
  public static AttackAgent start(AgentConfig config, CloudFaults cloud) {
    AttackAgent agent = cloud == null ? new AttackAgent(config) : new AttackAgent(config, cloud);
    Thread thread = new Thread(agent, "attack-agent");
    thread.start();
    if (!agent.awaitTopics(Duration.ofSeconds(30))) {
      log.warn(
          "agent {}: Kafka at {} has not answered within 30 s; the agent keeps trying",
          config.agentId(),
          config.bootstrapServers());
    }
    return agent;
  }

  public static void main(String[] args) {
    Path file = null;
    Map<String, String> overrides = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = Path.of(args[++i]);
        case "--bootstrap-server" -> overrides.put("bootstrap.servers", args[++i]);
        case "--targets-dir" -> overrides.put("agent.targets.dir", args[++i]);
        case "--help", "-h" -> {
          System.out.println(
              "Usage: AgentMain [--config FILE] [--bootstrap-server HOST:PORT] [--targets-dir DIR]\n"
                  + "Keys (file or FAULTLINE_* env): bootstrap.servers, topics.prefix, topics.partitions, agent.id,"
                  + " agent.max.duration, agent.max.concurrent, agent.command.max.age,"
                  + " agent.targets.dir, agent.command.secret, agent.signature.window,"
                  + " agent.lease, agent.max.blast.radius.percent, agent.kubernetes.namespaces,"
                  + " agent.kubernetes.stress.image, agent.kubernetes.network.image,"
                  + " agent.aws.enabled, agent.aws.region, agent.aws.endpoint, agent.outbox.dir,"
                  + " agent.recovery.timeout, agent.producer.max.block,"
                  + " agent.producer.delivery.timeout, agent.http.port (GET /health, /metrics), kafka.*");
          return;
        }
        default -> {
          System.err.println("unknown argument '" + args[i] + "'; see --help");
          System.exit(2);
        }
      }
    }
    AgentConfig config;
    int httpPort;
    try {
      Map<String, String> merged = new HashMap<>(ConfigSource.load(file, System.getenv()));
      merged.putAll(overrides);
      StrictConfig map = StrictConfig.of(merged);
      config = AgentConfig.fromMap(map);
      httpPort = ComponentEndpoint.port("agent.http.port", map.get("agent.http.port"));
      map.refuseUnread("agent", "agent.", "faultline.");
    } catch (IllegalArgumentException e) {
      System.err.println("attack-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    AttackAgent agent;
    try {
      agent = start(config);
    } catch (IllegalArgumentException e) {
      System.err.println("attack-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    ComponentEndpoint health =
        httpPort < 0
            ? null
            : ComponentEndpoint.start(
                "agent", "0.0.0.0", httpPort, agent::healthProblem, agent.metrics());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  if (health != null) {
                    health.close();
                  }
                },
                "attack-agent-stop"));
  }
}
