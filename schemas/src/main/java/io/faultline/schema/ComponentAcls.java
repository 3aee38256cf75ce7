package io.faultline.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs each component needs on a cluster with an authorizer, so that only the CLI
 * (an operator) and the analyzer's auto-abort may write {@code attack.commands}. The topics are
 * created beforehand by an administrator (the Helm chart's topics Job, or {@code
 * TopicProvisioner}); no component needs CREATE on the cluster. docs/security.md prints this table;
 * the secured-broker integration test applies it and checks the components work with it and that a
 * component cannot do what it lacks.
 */
public final class ComponentAcls {

  /** A faultline process that talks to Kafka. */
  public enum Component {
    AGENT,
    COLLECTOR,
    ANALYZER,
    CLI;

    public static Component parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "component '" + text + "': use agent, collector, analyzer or cli", e);
      }
    }
  }

  /** Consumer group of the attack agents (fixed: orphan recovery looks its members up). */
  public static final String AGENT_GROUP = "faultline-agent";

  /** The collector's group for exporting the analyzer's outputs to CloudWatch. */
  public static final String COLLECTOR_DERIVED_GROUP = "faultline-collector-derived";

  /** Prefix of the CLI's throw-away consumer groups. */
  public static final String CLI_GROUP_PREFIX = "faultline-";

  private ComponentAcls() {}

  /**
   * The ACLs of {@code component} for {@code principal} (e.g. {@code User:agent}) on the topics of
   * {@code topics}; {@code analyzerApplicationId} names the analyzer's group, internal topics and
   * transactional ids.
   */
  public static List<AclBinding> of(
      Component component, String principal, Topics topics, String analyzerApplicationId) {
    List<AclBinding> acls = new ArrayList<>();
    Grants g = new Grants(principal, acls);
    // every component reads topic metadata (leaders, partitions) of faultline's topics
    g.prefixedTopic(topics.prefix(), AclOperation.DESCRIBE);
    switch (component) {
      case AGENT -> {
        g.topic(topics.attackCommands(), AclOperation.READ);
        g.topic(topics.attackState(), AclOperation.READ);
        g.topic(topics.attackState(), AclOperation.WRITE);
        g.topic(topics.attackEvents(), AclOperation.WRITE);
        g.topic(topics.dlq(), AclOperation.WRITE);
        g.group(AGENT_GROUP, PatternType.LITERAL, AclOperation.READ);
      }
      case COLLECTOR -> {
        // experiments: the sources each running experiment names (read by assignment, no group)
        g.topic(topics.experiments(), AclOperation.READ);
        // cloudwatch.put.derived: the analyzer's verdicts and results, exported to CloudWatch
        g.topic(topics.steadyState(), AclOperation.READ);
        g.topic(topics.results(), AclOperation.READ);
        g.group(COLLECTOR_DERIVED_GROUP, PatternType.LITERAL, AclOperation.READ);
        g.topic(topics.metrics(), AclOperation.WRITE);
        g.topic(topics.dlq(), AclOperation.WRITE);
      }
      case ANALYZER -> {
        g.topic(topics.metrics(), AclOperation.READ);
        g.topic(topics.attackEvents(), AclOperation.READ);
        g.topic(topics.experiments(), AclOperation.READ);
        g.topic(topics.steadyState(), AclOperation.WRITE);
        g.topic(topics.alerts(), AclOperation.WRITE);
        g.topic(topics.results(), AclOperation.WRITE);
        g.topic(topics.attackCommands(), AclOperation.WRITE); // auto-abort: HALT_ALL
        // history rollup (HistoryRollup, in the analyzer topology)
        g.topic(topics.results(), AclOperation.READ);
        g.topic(topics.alerts(), AclOperation.READ);
        g.topic(topics.history(), AclOperation.WRITE);
        g.topic(topics.dlq(), AclOperation.WRITE);
        // Kafka Streams: internal topics and state changelogs, its group, exactly-once
        g.add(ResourceType.TOPIC, analyzerApplicationId, PatternType.PREFIXED, AclOperation.ALL);
        g.group(analyzerApplicationId, PatternType.LITERAL, AclOperation.READ);
        g.add(
            ResourceType.TRANSACTIONAL_ID,
            analyzerApplicationId,
            PatternType.PREFIXED,
            AclOperation.WRITE);
        g.add(
            ResourceType.TRANSACTIONAL_ID,
            analyzerApplicationId,
            PatternType.PREFIXED,
            AclOperation.DESCRIBE);
      }
      case CLI -> {
        g.topic(topics.attackCommands(), AclOperation.WRITE);
        g.topic(topics.experiments(), AclOperation.WRITE);
        for (Topic<?, ?> t :
            List.of(
                topics.experiments(),
                topics.attackEvents(),
                topics.attackState(),
                topics.steadyState(),
                topics.alerts(),
                topics.results(),
                topics.history())) {
          g.topic(t, AclOperation.READ);
        }
        g.group(CLI_GROUP_PREFIX, PatternType.PREFIXED, AclOperation.READ);
      }
    }
    return List.copyOf(acls);
  }

  /** The same ACLs as kafka-acls.sh command lines, for docs and operators. */
  public static List<String> asCommands(List<AclBinding> acls) {
    List<String> lines = new ArrayList<>();
    for (AclBinding b : acls) {
      ResourcePattern p = b.pattern();
      String resource =
          switch (p.resourceType()) {
            case TOPIC -> "--topic '" + p.name() + "'";
            case GROUP -> "--group '" + p.name() + "'";
            case TRANSACTIONAL_ID -> "--transactional-id '" + p.name() + "'";
            case CLUSTER -> "--cluster";
            default -> "--" + p.resourceType().name().toLowerCase(Locale.ROOT) + " " + p.name();
          };
      lines.add(
          "kafka-acls.sh --bootstrap-server $BOOTSTRAP --command-config admin.properties --add"
              + " --allow-principal '"
              + b.entry().principal()
              + "' --operation "
              + operationName(b.entry().operation())
              + " "
              + resource
              + (p.patternType() == PatternType.PREFIXED
                  ? " --resource-pattern-type prefixed"
                  : ""));
    }
    return lines;
  }

  private static String operationName(AclOperation op) {
    // kafka-acls.sh spells them in CamelCase: Read, Write, Describe, All
    String n = op.name().toLowerCase(Locale.ROOT);
    return Character.toUpperCase(n.charAt(0)) + n.substring(1);
  }

  private record Grants(String principal, List<AclBinding> out) {
    void topic(Topic<?, ?> topic, AclOperation op) {
      add(ResourceType.TOPIC, topic.name(), PatternType.LITERAL, op);
    }

    void prefixedTopic(String prefix, AclOperation op) {
      add(ResourceType.TOPIC, prefix, PatternType.PREFIXED, op);
    }

    void group(String name, PatternType type, AclOperation op) {
      add(ResourceType.GROUP, name, type, op);
    }

    void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
      out.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}
