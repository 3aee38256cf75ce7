package io.faultline.testsupport;

import io.faultline.kafka.TestBroker;
import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Every topic of the registry under a fresh prefix on the test broker, so test classes never meet.
 */
public final class TestTopics {

  private TestTopics() {}

  /** {@code name-XXXXXXXX.} with 8 random hex characters. */
  public static String prefix(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
  }

  /**
   * Creates every topic of {@code new Topics(prefix, Topics.DEFAULT_PARTITIONS)}, replication 1.
   */
  public static Topics provision(String prefix) throws ExecutionException, InterruptedException {
    return provision(prefix, Topics.DEFAULT_PARTITIONS);
  }

  /** Creates every topic of {@code new Topics(prefix, partitions)}, replication 1. */
  public static Topics provision(String prefix, int partitions)
      throws ExecutionException, InterruptedException {
    return provisionOn(TestBroker.bootstrapServers(), new Topics(prefix, partitions));
  }

  /** Creates every topic of {@code topics} on another broker (one a test runs itself). */
  public static Topics provisionOn(String bootstrapServers, Topics topics)
      throws ExecutionException, InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      TopicProvisioner.ensure(admin, topics, (short) 1);
    }
    return topics;
  }
}
