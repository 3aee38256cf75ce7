package io.faultline.schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates faultline's topics at start-up; safe to run any number of times, by any component. */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private TopicProvisioner() {}

  /** Creates the missing topics; returns the names it created. */
  public static List<String> ensure(Admin admin, Topics topics, short replicationFactor) {
    return ensure(admin, topics, replicationFactor, Map.of());
  }

  /** Creates the missing topics with extra topic configs (e.g. min.insync.replicas). */
  public static List<String> ensure(
      Admin admin, Topics topics, short replicationFactor, Map<String, String> extraConfigs) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> topic : topics.all()) {
        if (!existing.contains(topic.name())) {
          NewTopic t = newTopic(topic, replicationFactor);
          Map<String, String> configs = new HashMap<>(t.configs());
          configs.putAll(extraConfigs);
          missing.add(t.configs(configs));
        }
      }
      List<String> created = new ArrayList<>();
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get();
          created.add(entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e);
          }
        }
      }
      if (!created.isEmpty()) {
        log.info("created topics {}", created);
      }
      awaitReady(admin, topics, Duration.ofSeconds(30));
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list topics: " + e.getCause().getMessage(), e);
    }
  }

  /**
   * {@code topics} with the partition counts the cluster has for those of them that exist: a
   * component sizes what depends on a topic's layout (the analyzer's repartition topic, which must
   * match {@code attack.events}) from the topic, never from a count it assumed.
   */
  public static Topics layout(Admin admin, Topics topics) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<String> names =
          topics.all().stream().map(Topic::name).filter(existing::contains).toList();
      Map<String, Integer> partitions = new HashMap<>();
      admin
          .describeTopics(names)
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .forEach((name, d) -> partitions.put(name, d.partitions().size()));
      return topics.withLayout(partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "cannot describe topics " + topics.prefix() + "*: " + cause.getMessage(), e);
    }
  }

  /**
   * Waits until every partition of {@code topics} has a leader and a log on its broker. Producing
   * to a partition the broker has not applied yet can silently lose the first records of an
   * idempotent producer (KAFKA-15591, fixed after Kafka 4.1.1): the first request fails with
   * NOT_LEADER_OR_FOLLOWER, a later one is appended, and the retry is refused as out of order until
   * delivery.timeout.ms drops it. A leader in the metadata alone is not enough: the broker creates
   * the log a moment later, so the log directories are asked too.
   */
  public static void awaitReady(Admin admin, Topics topics, Duration limit) {
    List<String> names = topics.all().stream().map(Topic::name).toList();
    long deadline = System.currentTimeMillis() + limit.toMillis();
    String missing = "not asked yet";
    while (System.currentTimeMillis() < deadline) {
      try {
        missing = notReady(admin, names);
        if (missing == null) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic leaders", e);
      } catch (ExecutionException | TimeoutException e) {
        missing = e.getCause() != null ? e.getCause().toString() : e.toString();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic leaders", e);
      }
    }
    log.warn("topics {}* not all ready after {} ({}); going on", topics.prefix(), limit, missing);
  }

  /** The first partition without a leader or without a log on its leader, or null. */
  private static String notReady(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, TopicDescription> described =
        admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
    if (!described.keySet().containsAll(names)) {
      return "topics not all described yet";
    }
    Map<Integer, Set<TopicPartition>> expected = new HashMap<>();
    for (TopicDescription d : described.values()) {
      for (TopicPartitionInfo p : d.partitions()) {
        if (p.leader() == null || p.leader().isEmpty()) {
          return d.name() + "-" + p.partition() + " has no leader";
        }
        expected
            .computeIfAbsent(p.leader().id(), id -> new HashSet<>())
            .add(new TopicPartition(d.name(), p.partition()));
      }
    }
    Map<Integer, Map<String, org.apache.kafka.clients.admin.LogDirDescription>> logDirs;
    try {
      logDirs = admin.describeLogDirs(expected.keySet()).allDescriptions().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ClusterAuthorizationException) {
        return null; // a client without DESCRIBE on the cluster can only see the leaders
      }
      throw e;
    }
    for (var broker : expected.entrySet()) {
      Set<TopicPartition> present = new HashSet<>();
      logDirs
          .getOrDefault(broker.getKey(), Map.of())
          .values()
          .forEach(dir -> present.addAll(dir.replicaInfos().keySet()));
      for (TopicPartition tp : broker.getValue()) {
        if (!present.contains(tp)) {
          return tp + " has no log on broker " + broker.getKey() + " yet";
        }
      }
    }
    return null;
  }

  static NewTopic newTopic(Topic<?, ?> topic, short replicationFactor) {
    Map<String, String> configs = new HashMap<>();
    if (topic.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
      configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention().toMillis()));
    }
    return new NewTopic(topic.name(), topic.partitions(), replicationFactor).configs(configs);
  }
}
