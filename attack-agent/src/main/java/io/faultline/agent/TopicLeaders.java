package io.faultline.agent;

import io.faultline.schema.Topic;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until every partition of faultline's topics has a leader the brokers know of. Producing to
 * a partition a broker has not applied yet can silently lose the first records of an idempotent
 * producer (KAFKA-15591, fixed after Kafka 4.1.1): the first request fails with
 * NOT_LEADER_OR_FOLLOWER, a later one is appended, and the retry is refused as out of order until
 * delivery.timeout.ms drops it.
 */
public final class TopicLeaders {

  private static final Logger log = LoggerFactory.getLogger(TopicLeaders.class);

  private TopicLeaders() {}

  public static void await(Admin admin, Topics topics, Duration limit) {
    List<String> names = topics.all().stream().map(Topic::name).toList();
    long deadline = System.currentTimeMillis() + limit.toMillis();
    String missing = "not asked yet";
    while (System.currentTimeMillis() < deadline) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
        missing =
            described.values().stream()
                .flatMap(
                    d ->
                        d.partitions().stream()
                            .filter(p -> p.leader() == null || p.leader().isEmpty())
                            .map(p -> d.name() + "-" + p.partition()))
                .findFirst()
                .orElse(null);
        if (missing == null && described.keySet().containsAll(names)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic leaders", e);
      } catch (Exception e) {
        missing = e.getCause() != null ? e.getCause().toString() : e.toString();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topic leaders", e);
      }
    }
    log.warn(
        "topics {}* not all led after {} ({}); producing anyway", topics.prefix(), limit, missing);
  }
}
