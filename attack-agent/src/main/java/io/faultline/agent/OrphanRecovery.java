package io.faultline.agent;

import io.faultline.common.DaemonThreads;
import io.faultline.schema.AttackState;
import io.faultline.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers attacks whose agent died: it follows the compacted attack.state topic, and
 *
 * <ul>
 *   <li>at start-up recovers every attack recorded under this agent's own id (a restarted agent
 *       cleaning up after its crash), before any new command is taken;
 *   <li>every sixth of the lease recovers attacks whose agent is no longer a member of the agents'
 *       consumer group (it left, or its session of half a lease expired), so a second agent takes
 *       over the faults of a dead one within the lease (for leases of 12 s and more: the session
 *       cannot be shorter than the broker's 6 s minimum).
 * </ul>
 *
 * Two live agents may both recover the same orphan; recovery is idempotent (a gone burner or a
 * resumed process is left alone), so at worst the ROLLED_BACK event appears twice.
 */
final class OrphanRecovery implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OrphanRecovery.class);

  private final AgentConfig config;
  private final Topics topics;
  private final AttackAgent agent;
  private final KafkaConsumer<String, byte[]> states;
  private final Admin admin;
  private final Map<String, AttackState> known = new ConcurrentHashMap<>();
  private final ReentrantLock polling = new ReentrantLock();

  /**
   * The commandIds of every attack.state record read, kept after the attack's tombstone: a START
   * that one agent applied and another reads again (the first died before it committed the
   * command's offset) is applied once, not again after its orphan was recovered.
   */
  private final Map<String, String> appliedCommands =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
              return size() > AttackIds.REMEMBERED;
            }
          });

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("orphan-recovery"));

  OrphanRecovery(AgentConfig config, Topics topics, AttackAgent agent) {
    this.config = config;
    this.topics = topics;
    this.agent = agent;
    Map<String, Object> conf = new HashMap<>(config.kafka());
    conf.put("bootstrap.servers", config.bootstrapServers());
    conf.put("enable.auto.commit", "false");
    this.states = new KafkaConsumer<>(conf, new StringDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> adminConf = new HashMap<>(config.kafka());
    adminConf.put("bootstrap.servers", config.bootstrapServers());
    this.admin = Admin.create(adminConf);
  }

  /**
   * Reads attack.state to its end and recovers this agent's own leftovers; then starts the timer.
   */
  void start() {
    List<TopicPartition> partitions =
        states.partitionsFor(topics.attackState().name(), Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    states.assign(partitions);
    states.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = states.endOffsets(partitions, Duration.ofSeconds(30));
    long deadline = System.currentTimeMillis() + 30_000;
    while (partitions.stream().anyMatch(p -> states.position(p) < end.get(p))
        && System.currentTimeMillis() < deadline) {
      readSome(Duration.ofMillis(200));
    }
    List<CompletableFuture<Void>> mine = new ArrayList<>();
    for (AttackState s : List.copyOf(known.values())) {
      // what the journal recovered at start-up may still be here: its tombstone waits in the outbox
      if (s.getAgentId().equals(config.agentId()) && !agent.recoveredAtStart(s.getAttackId())) {
        mine.add(
            agent.recoverOrphan(
                s,
                "orphan of this agent's earlier run ("
                    + config.agentId()
                    + "), recovered at start-up"));
        known.remove(s.getAttackId());
      }
    }
    agent.await(CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)));
    long period = Math.max(500, config.lease().toMillis() / 6);
    timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * The live attack.state record of {@code attackId} as last read (within a sixth of the lease).
   */
  AttackState recorded(String attackId) {
    return known.get(attackId);
  }

  /**
   * The agent that applied {@code commandId} as recorded in attack.state (its record may since have
   * been tombstoned), or null if no record of it was read.
   */
  String appliedBy(String commandId) {
    if (commandId == null || commandId.isEmpty()) {
      return null;
    }
    // The command thread does not wait out the orphan check's poll (up to 100 ms, a tenth of a
    // command's usual path): that poll takes in the same records, and returns as soon as there
    // are any. Either way a START is checked against the records received by then.
    if (polling.tryLock()) {
      try {
        pollInto(Duration.ZERO);
      } finally {
        polling.unlock();
      }
    }
    return appliedCommands.get(commandId);
  }

  private void readSome(Duration timeout) {
    polling.lock();
    try {
      pollInto(timeout);
    } finally {
      polling.unlock();
    }
  }

  /** Polls attack.state once; the caller holds {@link #polling} (the consumer is one thread's). */
  private void pollInto(Duration timeout) {
    for (var r : states.poll(timeout)) {
      if (r.value() == null) {
        known.remove(r.key());
      } else {
        try {
          AttackState state =
              topics.attackState().valueSerde().deserializer().deserialize(r.topic(), r.value());
          known.put(r.key(), state);
          if (!state.getCommandId().isEmpty()) {
            appliedCommands.put(state.getCommandId(), state.getAgentId());
          }
        } catch (RuntimeException e) {
          log.warn(
              "unreadable attack.state record {} at offset {}: {}",
              r.key(),
              r.offset(),
              e.getMessage());
        }
      }
    }
  }

  private void check() {
    try {
      readSome(Duration.ofMillis(100));
      if (known.isEmpty()) {
        return;
      }
      Set<String> alive =
          admin
              .describeConsumerGroups(List.of(AttackAgent.GROUP))
              .all()
              .get(10, TimeUnit.SECONDS)
              .values()
              .stream()
              .flatMap(g -> g.members().stream())
              .map(m -> m.clientId())
              .collect(Collectors.toSet());
      alive.add(config.agentId());
      for (AttackState s : List.copyOf(known.values())) {
        if (!alive.contains(s.getAgentId()) && !agent.activeAttacks().contains(s.getAttackId())) {
          agent.recoverOrphan(
              s,
              "orphan of agent "
                  + s.getAgentId()
                  + " (no longer in the agents' group), recovered by "
                  + config.agentId());
          known.remove(s.getAttackId());
        }
      }
    } catch (Exception e) {
      log.debug("orphan check skipped: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    polling.lock();
    try {
      states.close(Duration.ofSeconds(2));
    } finally {
      polling.unlock();
    }
    admin.close(Duration.ofSeconds(2));
  }
}
