package io.faultline.agent;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety invariant 4: an agent that cannot reach Kafka for the lease time recovers everything it
 * applied, since nobody could tell it to stop. It asks the cluster for its nodes every sixth of the
 * lease; the first answer after an outage re-arms it. The lease is watched apart from the probe (a
 * probe waiting on a silent broker does not delay the trip): the watch sleeps until the lease can
 * end at the earliest (the last answer plus the lease), looks, and sleeps again until the new end
 * if an answer came meanwhile. It trips at the lease's end, late only by the timer's wake-up, and
 * the recovery it starts waits on nothing but the faults themselves. An idle agent's watch so wakes
 * about once per probe instead of ten times a second (docs/adr/0033).
 */
final class DeadMansSwitch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadMansSwitch.class);

  /** While tripped, how often the watch looks for a re-arm. */
  static final long WATCH_MS = 100;

  private final AgentConfig config;
  private final AttackAgent agent;
  private final Admin admin;
  private final ScheduledExecutorService timer =
      Executors.newScheduledThreadPool(2, DaemonThreads.named("dead-mans-switch"));
  private volatile long lastContact = System.currentTimeMillis();
  private volatile boolean tripped;

  DeadMansSwitch(AgentConfig config, AttackAgent agent) {
    this.config = config;
    this.agent = agent;
    Map<String, Object> conf = new HashMap<>(config.kafka());
    conf.put("bootstrap.servers", config.bootstrapServers());
    conf.put("request.timeout.ms", (int) Math.max(1000, config.lease().toMillis() / 6));
    conf.put("default.api.timeout.ms", (int) Math.max(1000, config.lease().toMillis() / 3));
    this.admin = Admin.create(conf);
  }

  void start() {
    long period = Math.max(250, config.lease().toMillis() / 6);
    lastContact = System.currentTimeMillis();
    timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    scheduleWatch();
  }

  /** The next look at the lease: at its earliest end, or soon while tripped (awaiting a re-arm). */
  private void scheduleWatch() {
    long untilEnd = lastContact + config.lease().toMillis() - System.currentTimeMillis();
    long delay = tripped ? WATCH_MS : Math.max(1, untilEnd);
    try {
      timer.schedule(this::watch, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void watch() {
    try {
      tripIfLeasePassed();
    } finally {
      scheduleWatch();
    }
  }

  /** Trips once the lease has passed since the last answer: recovers everything, locally. */
  private void tripIfLeasePassed() {
    long silent = System.currentTimeMillis() - lastContact;
    if (silent < config.lease().toMillis() || tripped) {
      return;
    }
    tripped = true;
    String why =
        "dead-man's switch: no contact with Kafka for "
            + Durations.format(Duration.ofMillis(silent));
    long begin = System.currentTimeMillis();
    AttackAgent.Recovering recovering = agent.recoverAll(why);
    log.error(
        "lease lost: recovering {} attacks locally {} (no contact with Kafka for {}, lease {})",
        recovering.attackIds().size(),
        recovering.attackIds(),
        Durations.format(Duration.ofMillis(silent)),
        Durations.format(config.lease()));
    if (agent.await(recovering.done()) && !recovering.attackIds().isEmpty()) {
      log.error(
          "dead-man's switch: recovered {} attacks in {} ms; their events wait in the outbox until"
              + " Kafka is back",
          recovering.attackIds().size(),
          System.currentTimeMillis() - begin);
    }
  }

  private void check() {
    try {
      admin
          .describeCluster(
              new DescribeClusterOptions()
                  .timeoutMs((int) Math.max(1000, config.lease().toMillis() / 6)))
          .nodes()
          .get(config.lease().toMillis() / 3 + 1000, TimeUnit.MILLISECONDS);
      if (tripped) {
        log.warn("dead-man's switch: Kafka reachable again; accepting commands");
      }
      lastContact = System.currentTimeMillis();
      tripped = false;
    } catch (Exception e) {
      // no answer: the lease runs on (watch)
    }
  }

  boolean tripped() {
    return tripped;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
