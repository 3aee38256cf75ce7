package io.faultline.cli;

import io.faultline.schema.ComponentAcls;
import io.faultline.schema.Topic;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code faultline topics create|list|acls}: faultline's topics as code, for an administrator or
 * the Helm chart's pre-install Job, and the least ACLs of each component as kafka-acls.sh lines.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    header = "Create or list faultline's topics; print each component's least Kafka ACLs.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.HELP, ExitCodes.USAGE_OR_ERROR},
    description = {
      "Faultline's topics as code, from the one registry of names, partitions and retention:",
      "for an administrator or the Helm chart's pre-install Job."
    },
    subcommands = {
      TopicsCommand.Create.class,
      TopicsCommand.ListTopics.class,
      TopicsCommand.Acls.class
    })
final class TopicsCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      header = "Create the missing topics and wait for their leaders.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {"0:every topic exists", ExitCodes.USAGE_OR_ERROR},
      description = {
        "Creates the missing topics (existing ones are left as they are) and waits until every",
        "partition has a leader."
      })
  static final class Create implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
        names = "--partitions",
        defaultValue = "${env:FAULTLINE_TOPICS_PARTITIONS:-3}",
        description = "Partitions per topic (default: FAULTLINE_TOPICS_PARTITIONS or 3).")
    int partitions;

    @Option(
        names = "--replication-factor",
        defaultValue = "${env:FAULTLINE_TOPICS_REPLICATION_FACTOR:-1}",
        description = "Replication factor (default: FAULTLINE_TOPICS_REPLICATION_FACTOR or 1).")
    short replicationFactor;

    @Option(
        names = "--min-insync-replicas",
        defaultValue = "${env:FAULTLINE_TOPICS_MIN_INSYNC_REPLICAS:-0}",
        description = "min.insync.replicas of new topics; 0 = the broker's default.")
    int minInsyncReplicas;

    PrintStream out = System.out;

    @Override
    public Integer call() {
      if (partitions < 1 || partitions > 1000) {
        System.err.println("faultline topics create: --partitions " + partitions + ": use 1..1000");
        return 2;
      }
      if (replicationFactor < 1 || minInsyncReplicas < 0 || minInsyncReplicas > replicationFactor) {
        System.err.println(
            "faultline topics create: --replication-factor "
                + replicationFactor
                + " --min-insync-replicas "
                + minInsyncReplicas
                + ": need replication factor >= 1 and 0 <= min.insync.replicas <= it");
        return 2;
      }
      Topics topics = new Topics(kafka.topicsPrefix, partitions);
      Map<String, String> extra =
          minInsyncReplicas > 0
              ? Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas))
              : Map.of();
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        List<String> created = TopicProvisioner.ensure(admin, topics, replicationFactor, extra);
        for (Topic<?, ?> t : topics.all()) {
          out.println((created.contains(t.name()) ? "created  " : "exists   ") + t.name());
        }
        return 0;
      } catch (RuntimeException e) {
        System.err.println("faultline topics create: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      header = "List faultline's topics and whether each exists.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {"0:every topic exists", "1:a topic is missing", ExitCodes.USAGE_OR_ERROR},
      description = "Lists faultline's topics and whether each exists on the cluster.")
  static final class ListTopics implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    PrintStream out = System.out;

    @Override
    public Integer call() {
      Topics topics = Topics.named(kafka.topicsPrefix);
      try (Admin admin = Admin.create(kafka.clientConfig())) {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        int missing = 0;
        for (Topic<?, ?> t : topics.all()) {
          boolean there = existing.contains(t.name());
          missing += there ? 0 : 1;
          out.printf(
              "%-8s %-40s %s%n",
              there ? "exists" : "MISSING",
              t.name(),
              t.compacted() ? "compacted" : "retention " + t.retention());
        }
        return missing == 0 ? 0 : 1;
      } catch (Exception e) {
        System.err.println("faultline topics list: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(
      name = "acls",
      mixinStandardHelpOptions = true,
      header = "Print a component's least Kafka ACLs as kafka-acls.sh lines.",
      exitCodeListHeading = ExitCodes.HEADING,
      exitCodeList = {"0:printed", ExitCodes.USAGE_OR_ERROR},
      description = {
        "Prints the least Kafka ACLs of a component as kafka-acls.sh command lines",
        "(see docs/security.md). Only the cli and the analyzer may write attack.commands."
      })
  static final class Acls implements Callable<Integer> {
    @Parameters(index = "0", description = "agent, collector, analyzer or cli")
    String component;

    @Option(
        names = "--principal",
        required = true,
        description = "The component's Kafka principal, e.g. User:agent.")
    String principal;

    @Option(
        names = "--topics-prefix",
        defaultValue = "${env:FAULTLINE_TOPICS_PREFIX:-faultline.}",
        description = "Topic name prefix (default: FAULTLINE_TOPICS_PREFIX or faultline.).")
    String topicsPrefix;

    @Option(
        names = "--analyzer-application-id",
        defaultValue = "faultline-analyzer",
        description = "The analyzer's Kafka Streams application.id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    PrintStream out = System.out;

    @Override
    public Integer call() {
      ComponentAcls.Component c;
      try {
        c = ComponentAcls.Component.parse(component);
      } catch (IllegalArgumentException e) {
        System.err.println("faultline topics acls: " + e.getMessage());
        return 2;
      }
      if (!principal.contains(":")) {
        System.err.println(
            "faultline topics acls: --principal '"
                + principal
                + "': use TYPE:NAME, e.g. User:agent");
        return 2;
      }
      ComponentAcls.asCommands(
              ComponentAcls.of(c, principal, Topics.named(topicsPrefix), applicationId))
          .forEach(out::println);
      return 0;
    }
  }
}
