package io.faultline.agent;

import io.faultline.schema.TopicProvisioner;
import io.faultline.schema.Topics;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * Waits until every partition of faultline's topics has a leader with a log, so the agent's
 * idempotent producer does not lose its first records (see {@link TopicProvisioner#awaitReady}).
 */
public final class TopicLeaders {

  private TopicLeaders() {}

  public static void await(Admin admin, Topics topics, Duration limit) {
    TopicProvisioner.awaitReady(admin, topics, limit);
  }
}
